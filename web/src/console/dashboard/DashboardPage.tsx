import { useMemo, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Card, Col, Empty, Row, Segmented, Select, Space, Spin, Table, Tabs, Typography } from "antd";
import { ArrowDownOutlined, ArrowUpOutlined, MinusOutlined } from "@ant-design/icons";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { fetchGrids } from "../../api/client";
import { divisionChoices, scopeDivisionsQuery } from "../scope-divisions";
import { addMessages } from "../../i18n";
import { useMe } from "../../session";
import "../messages";
import { EChart } from "./EChart";
import { GridCaseMap } from "./GridCaseMap";
import { IndicatorsDownload, RankingDownload } from "./WorkbookDownloads";
import { hottestGrids, joinGrids } from "./grid-map";
import { categoryBars, levelPie, sourcePie, trendLines } from "./chart-options";
import {
  drillDown,
  fetchIndicators,
  fetchOverdue,
  fetchRanking,
  percent,
  periodDays,
  periodOfParam,
  periodParam,
  RANKING_KINDS,
  rankingPeriod,
  todayCst,
  top,
  type Figures,
  type Period,
  type RankingKind,
} from "./data";
import "./dashboard.css";
import messages from "./messages";
import { ScreenCredentials } from "./ScreenCredentials";
import { useLiveRefresh } from "./useLiveRefresh";
import { formatDateTime } from "../queue/format";

addMessages("dashboard", messages);

/** The six headline figures: counts drill down by their own name, rates by their numerator. */
export const HEADLINES = [
  { key: "accepted", count: "accepted" },
  { key: "registered", count: "registered" },
  { key: "closed", count: "closures" },
  { key: "onTimeClosureRate", count: "closedOnTime", rate: true, numerator: "closedOnTime", denominator: "dueToClose" },
  { key: "overdue", count: "overdue" },
  { key: "satisfactionRate", count: "satisfied", rate: true, numerator: "satisfied", denominator: "rated" },
] as const;

const lastMonths = (today: string, count: number): string[] => {
  const [year, month] = today.split("-").map(Number);
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(Date.UTC(year, month - 1 - i, 1));
    return d.toISOString().slice(0, 7);
  });
};

export default function DashboardPage() {
  const { t } = useTranslation("dashboard");
  const me = useMe();
  const canIssue = me.permissions.includes("screen.write");
  return (
    <div className="dashboard">
      <Typography.Title level={2}>{t("page.title")}</Typography.Title>
      {canIssue ? (
        <Tabs
          items={[
            { key: "figures", label: t("tab.figures"), children: <Figures /> },
            { key: "screens", label: t("tab.screens"), children: <ScreenCredentials /> },
          ]}
        />
      ) : (
        <Figures />
      )}
    </div>
  );
}

function Figures() {
  const { t } = useTranslation("dashboard");
  const me = useMe();
  const scope = me.scope?.code ?? "";
  const today = todayCst();
  // The division and period live in the address, so that a leader can bookmark or send a view.
  const [params, setParams] = useSearchParams();
  const division = params.get("division") || scope;
  const period = periodOfParam(params.get("period"), today);
  const show = (change: { division?: string; period?: Period }) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (change.division !== undefined) next.set("division", change.division);
        if (change.period) next.set("period", periodParam(change.period));
        return next;
      },
      { replace: true },
    );
  const setDivision = (value: string) => show({ division: value });
  const setPeriod = (value: Period) => show({ period: value });
  const days = periodDays(period, today);
  const client = useQueryClient();
  useLiveRefresh(() => void client.invalidateQueries({ queryKey: ["dashboard"] }));

  // Outside the ["dashboard"] keys that live updates refresh: the divisions do not change with cases.
  const scopeDivisions = useQuery(scopeDivisionsQuery(me.scope));
  const divisionOptions = useMemo(() => divisionChoices(me.scope, scopeDivisions.data), [scopeDivisions.data, me.scope]);

  const indicators = (groupBy?: "day" | "category" | "source" | "level" | "grid") =>
    ({ queryKey: ["dashboard", "indicators", division, days.from, days.to, groupBy ?? "total"], queryFn: () => fetchIndicators({ division, from: days.from, to: days.to, groupBy }) }) as const;
  const totals = useQuery(indicators());
  const todays = useQuery({ queryKey: ["dashboard", "indicators", division, today, today, "total"], queryFn: () => fetchIndicators({ division, from: today, to: today }) });
  const byDay = useQuery(indicators("day"));
  const byCategory = useQuery(indicators("category"));
  const bySource = useQuery(indicators("source"));
  const byLevel = useQuery(indicators("level"));
  const byGrid = useQuery(indicators("grid"));
  const overdue = useQuery({ queryKey: ["dashboard", "overdue", division], queryFn: fetchOverdue });

  const months = lastMonths(today, 12);
  const monthOf = period.kind === "today" ? today.slice(0, 7) : period.month;
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Space wrap>
        <Select aria-label={t("filter.division")} style={{ minWidth: 220 }} value={division} options={divisionOptions} onChange={setDivision} disabled={divisionOptions.length < 2} />
        <Segmented
          aria-label={t("filter.period")}
          value={period.kind === "month" && period.month === today.slice(0, 7) ? "month" : period.kind === "month" ? "someMonth" : period.kind}
          options={[
            { value: "today", label: t("period.today") },
            { value: "month", label: t("period.month") },
            { value: "someMonth", label: t("period.someMonth") },
            { value: "half", label: t("period.half") },
          ]}
          onChange={(value) => {
            if (value === "today") setPeriod({ kind: "today" });
            else if (value === "month") setPeriod({ kind: "month", month: today.slice(0, 7) });
            else if (value === "someMonth") setPeriod({ kind: "month", month: monthOf });
            else setPeriod({ kind: "half", month: monthOf, half: Number(today.slice(8)) <= 15 ? 1 : 2 });
          }}
        />
        {period.kind !== "today" ? (
          <Select aria-label={t("period.someMonth")} value={period.month} options={months.map((month) => ({ value: month, label: month }))} onChange={(month) => setPeriod({ ...period, month })} style={{ width: 120 }} />
        ) : null}
        {period.kind === "half" ? (
          <Segmented value={period.half} options={[{ value: 1, label: t("period.h1") }, { value: 2, label: t("period.h2") }]} onChange={(half) => setPeriod({ ...period, half: half as 1 | 2 })} />
        ) : null}
        <Typography.Text type="secondary">
          {days.from} – {days.to} · {t("live.note")}
        </Typography.Text>
        <IndicatorsDownload key={division} division={division} days={days} />
      </Space>

      {totals.error ? <Alert type="error" showIcon message={t("panel.error")} /> : null}
      <Headlines title={t("totals.today")} figures={todays.data?.total} days={{ from: today, to: today }} division={division} />
      <Headlines title={t("totals.period")} figures={totals.data?.total} days={days} division={division} />

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title={t("panel.trend")} size="small">
            <ChartOrEmpty rows={byDay.data?.rows.length}>
              <EChart label={t("panel.trend")} height={260} option={trendLines(byDay.data?.rows ?? [], [t("series.accepted"), t("series.closures")], days)} />
            </ChartOrEmpty>
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t("panel.categories", { count: 10 })} size="small">
            <CategoryChart rows={byCategory.data?.rows ?? []} days={days} division={division} />
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card title={t("panel.map")} size="small">
            <GridPanel rows={byGrid.data?.rows} days={days} division={division} />
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Space direction="vertical" size={16} style={{ width: "100%" }}>
            <Card title={t("panel.sources")} size="small">
              <SourceChart rows={bySource.data?.rows ?? []} days={days} division={division} />
            </Card>
            <Card title={t("panel.levels")} size="small">
              <LevelChart rows={byLevel.data?.rows ?? []} days={days} division={division} />
            </Card>
          </Space>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t("panel.rankings")} size="small">
            <Rankings period={rankingPeriod(period, today)} />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card title={t("panel.overdue")} size="small">
            <Table
              size="small"
              rowKey="id"
              pagination={false}
              loading={overdue.isPending}
              locale={{ emptyText: t("overdue.none") }}
              dataSource={overdue.data?.filter((row) => row.communityCode.startsWith(division) || division.startsWith(row.communityCode)) ?? []}
              columns={[
                { key: "number", title: t("overdue.number"), render: (_, row) => <Link to={`/console/cases/${row.id}`}>{row.number}</Link> },
                { key: "title", title: t("overdue.title"), dataIndex: "title" },
                { key: "deadline", title: t("overdue.deadline"), render: (_, row) => formatDateTime(row.handleBy) },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </Space>
  );
}

type Days = { from: string; to: string };
type Row = { key: string; name: string | null; figures: Figures };

function Headlines({ title, figures, days, division }: { title: string; figures: Figures | undefined; days: Days; division: string }) {
  const { t } = useTranslation("dashboard");
  return (
    <Card title={title} size="small">
      <Row gutter={[16, 16]}>
        {HEADLINES.map((headline) => {
          const value = figures ? ("rate" in headline ? percent(figures[headline.key]) : String(figures[headline.key])) : "…";
          const detail = figures
            ? "rate" in headline
              ? t("figure.rateOf", { numerator: figures[headline.numerator], denominator: figures[headline.denominator] })
              : t("figure.count", { count: figures[headline.key] })
            : "";
          return (
            <Col key={headline.key} xs={12} md={8} xl={4}>
              <Link to={drillDown(headline.count, days, division)} aria-label={`${title} ${t(`figure.${headline.key}`)} ${value}: ${t("figure.open")}`} className="dashboard__figure">
                <div className="dashboard__figure-label">{t(`figure.${headline.key}`)}</div>
                <div className="dashboard__figure-value">{value}</div>
                <div className="dashboard__figure-detail">{detail}</div>
              </Link>
            </Col>
          );
        })}
      </Row>
    </Card>
  );
}

function ChartOrEmpty({ rows, children }: { rows: number | undefined; children: React.ReactNode }) {
  const { t } = useTranslation("dashboard");
  return rows === 0 ? <Empty description={t("panel.empty")} /> : <>{children}</>;
}

function CategoryChart({ rows, days, division }: { rows: Row[]; days: Days; division: string }) {
  const { t } = useTranslation("dashboard");
  const navigate = useNavigate();
  const shown = top(rows, "accepted", 10);
  return (
    <ChartOrEmpty rows={shown.length}>
      <EChart
        label={t("panel.categories", { count: 10 })}
        height={260}
        option={categoryBars(shown.map((row) => ({ name: row.name ?? t("none"), value: row.figures.accepted })))}
        onPick={(i) => shown[i]?.key && navigate(drillDown("accepted", days, division, { category: shown[i].key }))}
      />
    </ChartOrEmpty>
  );
}

function SourceChart({ rows, days, division }: { rows: Row[]; days: Days; division: string }) {
  const { t } = useTranslation("dashboard");
  const navigate = useNavigate();
  const shown = top(rows, "accepted", 12);
  return (
    <ChartOrEmpty rows={shown.length}>
      <EChart
        label={t("panel.sources")}
        height={240}
        option={sourcePie(shown.map((row) => ({ name: t(`source.${row.key}` as "source.hotline", { defaultValue: row.key }), value: row.figures.accepted })))}
        onPick={(i) => shown[i] && navigate(drillDown("accepted", days, division, { source: shown[i].key }))}
      />
    </ChartOrEmpty>
  );
}

function LevelChart({ rows, days, division }: { rows: Row[]; days: Days; division: string }) {
  const { t } = useTranslation("dashboard");
  const navigate = useNavigate();
  const shown = top(rows, "closures", 3);
  return (
    <ChartOrEmpty rows={shown.length}>
      <EChart
        label={t("panel.levels")}
        height={240}
        option={levelPie(shown.map((row) => ({ name: t(`level.${row.key}` as "level.street", { defaultValue: row.key }), value: row.figures.closures })))}
        onPick={(i) => shown[i] && navigate(drillDown("closures", days, division, { level: shown[i].key }))}
      />
    </ChartOrEmpty>
  );
}

/** The division's grids shaded by their cases in the period, the hottest listed beside; a grid opens its case list. */
function GridPanel({ rows, days, division }: { rows: Row[] | undefined; days: Days; division: string }) {
  const { t } = useTranslation("dashboard");
  const navigate = useNavigate();
  const collection = useQuery({ queryKey: ["dashboard", "grids", division], queryFn: () => fetchGrids(division), staleTime: 10 * 60_000 });
  const grids = useMemo(() => (collection.data ? joinGrids(collection.data.features, rows ?? []) : []), [collection.data, rows]);
  const hottest = useMemo(() => hottestGrids(grids, 8), [grids]);
  if (collection.error) return <Alert type="error" showIcon message={t("panel.error")} />;
  if (!collection.data || !rows) return <Spin className="dashboard__map-loading" />;
  if (grids.length === 0) return <Empty description={t("map.noGrids")} />;
  return (
    <div className="dashboard__map">
      <GridCaseMap collection={collection.data} grids={grids} hottest={hottest} height={500} onPick={(grid) => navigate(drillDown("accepted", days, division, { grid }))} />
      <section aria-label={t("panel.grids")}>
        <Typography.Title level={5}>{t("panel.grids")}</Typography.Title>
        {hottest.length === 0 ? (
          <Empty description={t("panel.empty")} />
        ) : (
          <ol className="dashboard__grids">
            {hottest.map((grid) => (
              <li key={grid.code}>
                <Link to={drillDown("accepted", days, division, { grid: grid.code })}>{grid.name}</Link>
                <span className="dashboard__grid-count">{t("grids.cases", { count: grid.accepted })}</span>
                <Typography.Text type="secondary" className="dashboard__grid-place">
                  {grid.place}
                  {grid.overdue > 0 ? <span className="dashboard__grid-overdue"> · {t("grids.overdue", { count: grid.overdue })}</span> : null}
                </Typography.Text>
              </li>
            ))}
          </ol>
        )}
      </section>
      <Typography.Text type="secondary" className="dashboard__map-note">
        {t("map.scale")}
      </Typography.Text>
    </div>
  );
}

function Rankings({ period }: { period: string }) {
  const { t } = useTranslation("dashboard");
  const [kind, setKind] = useState<RankingKind>("street");
  const ranking = useQuery({ queryKey: ["dashboard", "ranking", kind, period], queryFn: () => fetchRanking(kind, period) });
  return (
    <Space direction="vertical" style={{ width: "100%" }}>
      <Space wrap>
        <Segmented value={kind} onChange={(value) => setKind(value as RankingKind)} options={RANKING_KINDS.map((value) => ({ value, label: t(`rankings.${value}`) }))} />
        <RankingDownload kind={kind} period={period} />
      </Space>
      {ranking.data?.rows.every((row) => row.rank === null) ? (
        <Empty description={t("rankings.none")} />
      ) : (
        <Table
          size="small"
          rowKey="code"
          pagination={false}
          loading={ranking.isPending}
          dataSource={ranking.data?.rows.filter((row) => row.rank !== null).slice(0, 10) ?? []}
          columns={[
            { key: "rank", title: t("rankings.rank"), dataIndex: "rank", width: 64 },
            { key: "name", title: t("rankings.name"), dataIndex: "name" },
            { key: "index", title: t("rankings.index"), render: (_, row) => row.index?.toFixed(1) ?? "—", align: "right" },
            { key: "change", title: t("rankings.change"), render: (_, row) => <RankChange change={row.change} /> },
          ]}
        />
      )}
    </Space>
  );
}

export function RankChange({ change }: { change: number | null }) {
  const { t } = useTranslation("dashboard");
  if (change === null) return <span>{t("rankings.new")}</span>;
  if (change > 0)
    return (
      <span style={{ color: "#389e0d" }}>
        <ArrowUpOutlined /> {t("rankings.up", { count: change })}
      </span>
    );
  if (change < 0)
    return (
      <span style={{ color: "#cf1322" }}>
        <ArrowDownOutlined /> {t("rankings.down", { count: -change })}
      </span>
    );
  return (
    <span>
      <MinusOutlined /> {t("rankings.same")}
    </span>
  );
}

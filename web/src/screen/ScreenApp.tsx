import { useEffect, useLayoutEffect, useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, ApiError, fetchGrids, unwrap } from "../api/client";
import { addMessages } from "../i18n";
import { EChart } from "../console/dashboard/EChart";
import { GridCaseMap } from "../console/dashboard/GridCaseMap";
import { hottestGrids, joinGrids } from "../console/dashboard/grid-map";
import { categoryBars, levelPie, sourcePie, trendLines } from "../console/dashboard/chart-options";
import { fetchIndicators, fetchOverdue, fetchRanking, percent, periodDays, todayCst, top, type Figures, type RankingKind } from "../console/dashboard/data";
import messages from "../console/dashboard/messages";
import { useLiveRefresh } from "../console/dashboard/useLiveRefresh";
import { formatDayTime } from "../console/queue/format";

addMessages("dashboard", messages);

const WIDTH = 1920;
const HEIGHT = 1080;
/** Categories and channels the wall shows: as many as its panels hold at 18 px. */
const WALL_ROWS = 6;
/** A slow check besides the live refresh, so that a revoked screen says so even without a case change. */
const CHECK_MS = 60_000;

type Opened = { name: string; division: { code: string; name: string } };

/** Exchanges the token of the URL's fragment for the screen cookie, once per load. */
async function openSession(): Promise<Opened> {
  const key = new URLSearchParams(window.location.hash.slice(1)).get("key");
  if (!key) throw new ApiError(401, "no_key", "no screen credential");
  return unwrap(api.POST("/api/v1/screen-credentials/session", { headers: { authorization: `Screen ${key}` } }));
}

/** Fits the 1920×1080 layout into the window, scaled down (1366×768) or up, never scrolled. */
function useFit(): number {
  const [scale, setScale] = useState(1);
  useLayoutEffect(() => {
    const fit = () => setScale(Math.min(window.innerWidth / WIDTH, window.innerHeight / HEIGHT));
    fit();
    window.addEventListener("resize", fit);
    return () => window.removeEventListener("resize", fit);
  }, []);
  return scale;
}

export default function ScreenApp() {
  const { t } = useTranslation("dashboard");
  const scale = useFit();
  const session = useQuery({ queryKey: ["screen", "session"], queryFn: openSession, retry: false, staleTime: Infinity });
  useEffect(() => {
    document.title = `${t("screen.title")} · gridgov`;
  }, [t]);
  let content;
  if (session.error) content = <p className="screen__message" role="alert">{session.error instanceof ApiError && session.error.code === "no_key" ? t("screen.noKey") : t("screen.revoked")}</p>;
  else if (!session.data) content = <p className="screen__message">{t("screen.connecting")}</p>;
  else content = <Board opened={session.data} />;
  return (
    <div className="screen-viewport">
      <main className="screen" style={{ transform: `scale(${scale})` }} aria-label={t("screen.title")}>
        {content}
      </main>
    </div>
  );
}

function Board({ opened }: { opened: Opened }) {
  const { t } = useTranslation("dashboard");
  const client = useQueryClient();
  const division = opened.division.code;
  const today = todayCst();
  const month = periodDays({ kind: "month", month: today.slice(0, 7) }, today);
  const [updated, setUpdated] = useState(new Date());
  useLiveRefresh(() => void client.invalidateQueries({ queryKey: ["screen", "data"] }));

  const read = <T,>(key: string, fn: () => Promise<T>) => ({ queryKey: ["screen", "data", key], queryFn: fn, refetchInterval: CHECK_MS, retry: false }) as const;
  const todays = useQuery(read("today", () => fetchIndicators({ division, from: today, to: today })));
  const monthly = useQuery(read("month", () => fetchIndicators({ division, from: month.from, to: month.to })));
  const byDay = useQuery(read("day", () => fetchIndicators({ division, from: month.from, to: month.to, groupBy: "day" })));
  const byCategory = useQuery(read("category", () => fetchIndicators({ division, from: month.from, to: month.to, groupBy: "category" })));
  const bySource = useQuery(read("source", () => fetchIndicators({ division, from: month.from, to: month.to, groupBy: "source" })));
  const byLevel = useQuery(read("level", () => fetchIndicators({ division, from: month.from, to: month.to, groupBy: "level" })));
  const byGrid = useQuery(read("grid", () => fetchIndicators({ division, from: month.from, to: month.to, groupBy: "grid" })));
  const rankingKind: RankingKind = division.length === 6 ? "street" : "community";
  const ranking = useQuery(read("ranking", () => fetchRanking(rankingKind, today.slice(0, 7))));
  const overdue = useQuery(read("overdue", fetchOverdue));
  // The grids' shapes change only when an administrator redraws them: read once an hour.
  const gridCollection = useQuery({ queryKey: ["screen", "grids", division], queryFn: () => fetchGrids(division), staleTime: 3600_000, refetchInterval: 3600_000, retry: false });

  useEffect(() => setUpdated(new Date()), [todays.dataUpdatedAt, monthly.dataUpdatedAt]);
  const revoked = [todays.error, monthly.error].some((error) => error instanceof ApiError && error.status === 401);
  if (revoked) return <p className="screen__message" role="alert">{t("screen.revoked")}</p>;

  const grids = gridCollection.data ? joinGrids(gridCollection.data.features, byGrid.data?.rows ?? []) : [];
  const hottest = hottestGrids(grids, 8);
  return (
    <>
      <header className="screen__header">
        <h1 className="screen__title">
          {opened.division.name} · {t("screen.title")}
        </h1>
        <div className="screen__meta">
          <span>{opened.name}</span>
          <span data-testid="screen-updated">{t("screen.updated", { time: updated.toLocaleTimeString("zh-CN", { hour12: false }) })}</span>
        </div>
      </header>
      <section className="screen__figures" aria-label={t("totals.today")}>
        <Figure label={`${t("totals.today")}${t("figure.accepted")}`} value={todays.data?.total.accepted} testId="today-accepted" />
        <Figure label={`${t("period.month")}${t("figure.accepted")}`} value={monthly.data?.total.accepted} detail={monthly.data ? `${t("figure.registered")} ${t("figure.count", { count: monthly.data.total.registered })}` : ""} />
        <Figure label={`${t("period.month")}${t("figure.closed")}`} value={monthly.data?.total.closures} />
        <Rate label={t("figure.onTimeClosureRate")} figures={monthly.data?.total} rate="onTimeClosureRate" numerator="closedOnTime" denominator="dueToClose" />
        <Figure label={`${t("figure.overdue")}`} value={monthly.data?.total.overdue} alarm />
        <Rate label={t("figure.satisfactionRate")} figures={monthly.data?.total} rate="satisfactionRate" numerator="satisfied" denominator="rated" />
      </section>
      <div className="screen__body">
        <Panel title={`${t("panel.trend")}（${t("period.month")}）`} area="trend">
          <EChart theme="dark" label={t("panel.trend")} height="100%" option={trendLines(byDay.data?.rows ?? [], [t("series.accepted"), t("series.closures")], month, true)} />
        </Panel>
        <Panel title={t("panel.categories", { count: WALL_ROWS })} area="categories">
          <EChart
            theme="dark"
            label={t("panel.categories", { count: WALL_ROWS })}
            height="100%"
            option={categoryBars(top(byCategory.data?.rows ?? [], "accepted", WALL_ROWS).map((row) => ({ name: row.name ?? t("none"), value: row.figures.accepted })), true)}
          />
        </Panel>
        <Panel title={t("panel.sources")} area="sources">
          <EChart
            theme="dark"
            label={t("panel.sources")}
            height="100%"
            option={sourcePie(top(bySource.data?.rows ?? [], "accepted", WALL_ROWS).map((row) => ({ name: t(`source.${row.key}` as "source.hotline", { defaultValue: row.key }), value: row.figures.accepted })), true)}
          />
        </Panel>
        <Panel title={t("panel.levels")} area="levels">
          <EChart
            theme="dark"
            label={t("panel.levels")}
            height="100%"
            option={levelPie(top(byLevel.data?.rows ?? [], "closures", 3).map((row) => ({ name: t(`level.${row.key}` as "level.street", { defaultValue: row.key }), value: row.figures.closures })), true)}
          />
        </Panel>
        <Panel title={`${t("panel.map")}（${t("period.month")}）`} area="map">
          {gridCollection.data && byGrid.data ? (
            grids.length === 0 ? (
              <p className="screen__empty">{t("map.noGrids")}</p>
            ) : (
              <div className="screen__map">
                <GridCaseMap collection={gridCollection.data} grids={grids} hottest={hottest} height="100%" dark />
                <ol className="screen__hottest" aria-label={t("panel.grids")}>
                  {hottest.map((grid, i) => (
                    <li key={grid.code}>
                      <span className="screen__rank">{i + 1}</span>
                      <span className="screen__hottest-name">{grid.name}</span>
                      <span className="screen__hottest-count">{grid.accepted}</span>
                    </li>
                  ))}
                </ol>
                <p className="screen__map-note">{t("map.screenScale")}</p>
              </div>
            )
          ) : null}
        </Panel>
        <Panel title={`${t("panel.rankings")} · ${t(`rankings.${rankingKind}`)}`} area="rankings">
          {ranking.data && ranking.data.rows.length > 0 ? (
            <table className="screen__table">
              <thead>
                <tr>
                  <th>{t("rankings.rank")}</th>
                  <th>{t("rankings.name")}</th>
                  <th>{t("rankings.index")}</th>
                  <th>{t("rankings.change")}</th>
                </tr>
              </thead>
              <tbody>
                {ranking.data.rows.filter((row) => row.rank !== null).slice(0, 8).map((row) => (
                  <tr key={row.code}>
                    <td>{row.rank}</td>
                    <td>{row.name}</td>
                    <td>{row.index?.toFixed(1) ?? "—"}</td>
                    <td>
                      {row.change === null ? t("rankings.new") : row.change > 0 ? <span className="screen__up">▲ {row.change}</span> : row.change < 0 ? <span className="screen__down">▼ {-row.change}</span> : "—"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="screen__empty">{t("rankings.none")}</p>
          )}
        </Panel>
        <Panel title={t("panel.overdue")} area="overdue">
          {overdue.data && overdue.data.length > 0 ? (
            <table className="screen__table">
              <thead>
                <tr>
                  <th>{t("overdue.number")}</th>
                  <th>{t("overdue.title")}</th>
                  <th>{t("overdue.deadline")}</th>
                </tr>
              </thead>
              <tbody>
                {overdue.data.slice(0, 8).map((row) => (
                  <tr key={row.id}>
                    <td>{row.number}</td>
                    <td>{row.title}</td>
                    <td className="screen__down">{formatDayTime(row.handleBy)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="screen__empty">{t("overdue.none")}</p>
          )}
        </Panel>
      </div>
    </>
  );
}

function Panel({ title, area, children }: { title: string; area: string; children: React.ReactNode }) {
  return (
    <section className={`screen__panel screen__panel--${area}`} aria-label={title}>
      <h2>{title}</h2>
      <div className="screen__chart">{children}</div>
    </section>
  );
}

function Figure({ label, value, detail, alarm, testId }: { label: string; value: number | undefined; detail?: string; alarm?: boolean; testId?: string }) {
  return (
    <div className={`screen__figure${alarm ? " screen__figure--alarm" : ""}`}>
      <div className="screen__figure-label">{label}</div>
      <div className="screen__figure-value" data-testid={testId}>
        {value ?? "…"}
      </div>
      <div className="screen__figure-detail">{detail ?? ""}</div>
    </div>
  );
}

function Rate({ label, figures, rate, numerator, denominator }: { label: string; figures: Figures | undefined; rate: "onTimeClosureRate" | "satisfactionRate"; numerator: keyof Figures; denominator: keyof Figures }) {
  const { t } = useTranslation("dashboard");
  return (
    <div className="screen__figure">
      <div className="screen__figure-label">{label}</div>
      <div className="screen__figure-value">{figures ? percent(figures[rate]) : "…"}</div>
      <div className="screen__figure-detail">{figures ? t("figure.rateOf", { numerator: figures[numerator], denominator: figures[denominator] }) : ""}</div>
    </div>
  );
}

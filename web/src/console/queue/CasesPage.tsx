import { lazy, Suspense, useMemo, useState } from "react";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { App, Button, Checkbox, Empty, Input, Radio, Tag, Typography } from "antd";
import { ClearOutlined, DownloadOutlined, ReloadOutlined } from "@ant-design/icons";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api, ApiError, toApiError, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { fileNameOf, saveFile } from "../../api/save-file";
import { useLanguage } from "../../i18n";
import { useMe } from "../../session";
import "../messages";
import { CaseTable, type Column } from "./CaseTable";
import { DeadlineLight } from "./DeadlineLight";
import { apiQuery, hasFilters, LEVELS, QUEUE_TABS, readFilters, SOURCES, STATUSES, writeFilters, type QueueFilters, type QueueTab } from "./filters";
import { formatDateTime, relativeTime } from "./format";
import { StatusPanel } from "../../components/StatusPanel";
import type { Selected } from "./bulk";
import { caseLink } from "./walk";
import { divisionOptions, namesOf, scopeDivisionsQuery } from "../scope-divisions";

// Chunks of their own, with their messages: the list shows without waiting for them.
const SavedFilters = lazy(() => import("./SavedFilters"));
const BulkBar = lazy(() => import("./BulkBar"));
// Its selects (and their virtual lists) paint a moment after the list's first rows.
const CaseFilterFields = lazy(() => import("./CaseFilterFields"));

type CasePage = paths["/api/v1/cases"]["get"]["responses"][200]["content"]["application/json"];
type CaseSummary = CasePage["cases"][number];

const PAGE_SIZE = 50;

/** The queues a user works: their own tasks for handlers, their centre's for dispatchers, then the deadline queues and everything. */
function tabsFor(roles: readonly string[]): QueueTab[] {
  return QUEUE_TABS.filter((tab) => (tab === "mine" ? roles.includes("handler") : tab === "centre" ? roles.includes("dispatcher") : true));
}


/** The work queues: a tab per queue, the API's filters, text and case-number search, and keyset pages, all kept in the URL. */
export default function CasesPage() {
  const me = useMe();
  const { t } = useTranslation("console");
  const language = useLanguage();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readFilters(params), [params]);
  const query = useMemo(() => apiQuery(filters), [filters]);
  const [searchText, setSearchText] = useState(filters.q ?? "");
  const [seenQ, setSeenQ] = useState(filters.q);
  // The box follows the URL when the back button changes the search.
  if (seenQ !== filters.q) {
    setSeenQ(filters.q);
    setSearchText(filters.q ?? "");
  }
  const tabs = tabsFor(me.roles);
  const canExport = me.permissions.includes("case.export");

  const update = (change: Partial<QueueFilters>) => setParams(writeFilters({ ...filters, ...change }));
  // The list a case is opened from, so that its page can walk the same list.
  const listQuery = useMemo(() => writeFilters(filters).toString(), [filters]);
  // A selection belongs to the list it was made in: other filters start a new one.
  const [selection, setSelection] = useState<{ list: string; cases: Map<string, Selected> }>({ list: listQuery, cases: new Map() });
  const selected = selection.list === listQuery ? selection.cases : new Map<string, Selected>();
  const select = (cases: Selected[]) => setSelection({ list: listQuery, cases: new Map(cases.map((c) => [c.id, c])) });
  const toggle = (c: Selected, on: boolean) => {
    const next = new Map(selected);
    if (on) next.set(c.id, c);
    else next.delete(c.id);
    setSelection({ list: listQuery, cases: next });
  };

  const list = useInfiniteQuery({
    queryKey: ["cases", "list", query],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/api/v1/cases", { params: { query: { ...query, limit: PAGE_SIZE, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    staleTime: 30_000,
    // Countdowns and "5 分钟前" move with the clock: a console left open reads its list again each minute while shown.
    refetchInterval: 60_000,
  });
  const stats = useQuery({
    queryKey: ["cases", "stats", me.scope?.code ?? ""],
    queryFn: () => unwrap(api.GET("/api/v1/cases/stats")),
    enabled: me.scope !== null,
    staleTime: 60_000,
  });
  const categories = useQuery({
    queryKey: ["categories"],
    queryFn: () => unwrap(api.GET("/api/v1/categories")),
    staleTime: Infinity,
  });
  const scope = me.scope;
  const divisions = useQuery(scopeDivisionsQuery(scope));

  const categoryNames = useMemo(() => new Map((categories.data?.categories ?? []).map((c) => [c.code, c.name])), [categories.data]);
  const divisionNames = useMemo(() => namesOf(divisions.data), [divisions.data]);
  const divisionChoices = useMemo(() => (divisions.data ? divisionOptions(divisions.data) : []), [divisions.data]);
  const cases = useMemo(() => list.data?.pages.flatMap((page) => page.cases) ?? [], [list.data]);
  const now = Date.now();

  const exportCsv = useExport(query, t, message);

  const pageSelected = cases.filter((c) => selected.has(c.id)).length;
  const columns: Column<CaseSummary>[] = [
    {
      key: "select",
      title: (
        <Checkbox
          aria-label={t("queue.selectPage")}
          checked={cases.length > 0 && pageSelected === cases.length}
          indeterminate={pageSelected > 0 && pageSelected < cases.length}
          disabled={cases.length === 0}
          onChange={(event) => {
            const next = new Map(selected);
            for (const c of cases) {
              if (event.target.checked) next.set(c.id, c);
              else next.delete(c.id);
            }
            setSelection({ list: listQuery, cases: next });
          }}
        />
      ),
      width: 40,
      render: (c) => <Checkbox aria-label={t("queue.selectRow", { number: c.number })} checked={selected.has(c.id)} onChange={(event) => toggle(c, event.target.checked)} />,
    },
    {
      key: "deadline",
      title: t("queue.col.deadline"),
      width: 156,
      render: (c) => <DeadlineLight status={c.status} deadline={c.deadline} workingMinutes={c.handleWorkingMinutes} handleBy={c.handleBy} />,
    },
    {
      key: "number",
      title: t("queue.col.number"),
      width: 216,
      render: (c) => (
        <Typography.Text
          className="case-number"
          copyable={{ text: c.number, tooltips: [t("queue.copy"), t("queue.copied")] }}
        >
          {c.number}
        </Typography.Text>
      ),
    },
    {
      key: "title",
      title: t("queue.col.title"),
      render: (c) => (
        <div className="case-title">
          <Link to={caseLink(c.id, listQuery)} aria-label={t("queue.open", { number: c.number })} title={c.title}>
            {c.title}
          </Link>
          {c.urgency !== "normal" ? (
            <Tag color={c.urgency === "emergency" ? "red" : "orange"} className="case-title__urgency">
              {t(`urgency.${c.urgency as "urgent" | "emergency"}`)}
            </Tag>
          ) : null}
        </div>
      ),
    },
    {
      key: "category",
      title: t("queue.col.category"),
      width: 136,
      render: (c) => (
        <div className="case-category">
          {c.categoryCode ? (
            <span>{categoryNames.get(c.categoryCode) ?? c.categoryCode}</span>
          ) : (
            <Typography.Text type="secondary">{t("queue.uncategorised")}</Typography.Text>
          )}
          <span className="case-category__source">{t(`source.${c.source as (typeof SOURCES)[number]}`, { defaultValue: c.source })}</span>
        </div>
      ),
    },
    {
      key: "status",
      title: t("queue.col.status"),
      width: 104,
      render: (c) => (
        <div className="case-status">
          <Tag className="case-status__tag">{t(`status.${c.status as (typeof STATUSES)[number]}`, { defaultValue: c.status })}</Tag>
          <span className="case-status__level">{t(`level.${c.level as (typeof LEVELS)[number]}`, { defaultValue: c.level })}</span>
        </div>
      ),
    },
    {
      key: "place",
      title: t("queue.col.place"),
      width: 140,
      render: (c) => (
        <div className="case-place">
          <span>{divisionNames.get(c.communityCode) ?? c.communityCode}</span>
          <span className="case-place__street">{divisionNames.get(c.streetCode) ?? ""}</span>
        </div>
      ),
    },
    {
      key: "createdAt",
      title: t("queue.col.createdAt"),
      width: 128,
      render: (c) => (
        <div className="case-time">
          <span>{relativeTime(c.createdAt, now, language) ?? t("time.justNow")}</span>
          <time className="case-time__absolute" dateTime={c.createdAt}>
            {formatDateTime(c.createdAt)}
          </time>
        </div>
      ),
    },
  ];

  const counts: Partial<Record<QueueTab, number>> = stats.data ? { overdue: stats.data.overdue, all: stats.data.total } : {};
  const badFilter = list.error instanceof ApiError && list.error.status === 400;
  const forbidden = list.error instanceof ApiError && list.error.status === 403;

  return (
    <div className="queue-page">
      {/* A segmented control of queues: radio buttons, so arrow keys move between them. */}
      <Radio.Group
        className="queue-switch"
        optionType="button"
        buttonStyle="solid"
        value={filters.queue}
        onChange={(event) => update({ queue: event.target.value as QueueTab })}
        aria-label={t("queue.label")}
        options={tabs.map((tab) => ({
          value: tab,
          label: (
            <span className="queue-tab">
              {t(`queue.${tab}`)}
              {counts[tab] !== undefined ? (
                <span className={tab === "overdue" && counts[tab] ? "queue-tab__count queue-tab__count--alert" : "queue-tab__count"} title={t("queue.count", { count: counts[tab] })}>
                  {counts[tab]}
                </span>
              ) : null}
            </span>
          ),
        }))}
      />
      <Suspense fallback={<div style={{ minHeight: 32 }} />}>
        <SavedFilters current={listQuery} />
      </Suspense>
      <section className="queue-filters" aria-label={t("queue.filters")}>
        <Input.Search
          className="queue-filters__search"
          aria-label={t("queue.search")}
          placeholder={t("queue.searchPlaceholder")}
          allowClear
          enterButton={t("queue.search")}
          maxLength={100}
          value={searchText}
          onChange={(event) => setSearchText(event.target.value)}
          onSearch={(value) => update({ q: value.trim() || undefined })}
        />
        <Suspense fallback={null}>
          <CaseFilterFields
            idPrefix="queue"
            filters={filters}
            update={update}
            statuses={STATUSES}
            divisions={{ options: divisionChoices, loading: divisions.isPending }}
          />
        </Suspense>
        <div className="queue-filters__actions">
          {hasFilters(filters) ? (
            <Button icon={<ClearOutlined aria-hidden="true" />} onClick={() => setParams(writeFilters({ queue: filters.queue, statuses: [] }))}>
              {t("queue.reset")}
            </Button>
          ) : null}
          <Button
            icon={<ReloadOutlined aria-hidden="true" />}
            aria-label={t("queue.refresh")}
            title={t("queue.refresh")}
            loading={list.isRefetching && !list.isFetchingNextPage}
            onClick={() => {
              void list.refetch();
              void stats.refetch();
            }}
          />
          {canExport ? (
            <Button icon={<DownloadOutlined aria-hidden="true" />} loading={exportCsv.pending} onClick={exportCsv.run}>
              {t("queue.export")}
            </Button>
          ) : null}
        </div>
      </section>
      {list.isError ? (
        <StatusPanel
          status="error"
          title={t("queue.error")}
          subTitle={badFilter ? t("queue.badFilter") : forbidden ? t("queue.forbidden") : `${t("queue.errorHint")} (${list.error.message})`}
          extra={
            forbidden ? null : badFilter ? (
              <Button type="primary" onClick={() => setParams(writeFilters({ queue: filters.queue, statuses: [] }))}>
                {t("queue.reset")}
              </Button>
            ) : (
              <Button type="primary" onClick={() => void list.refetch()}>
                {t("common.retry", { ns: "common" })}
              </Button>
            )
          }
        />
      ) : (
        <>
          {selected.size > 0 ? (
            <Suspense fallback={null}>
              <BulkBar selected={[...selected.values()]} onClear={() => select([])} onSelect={select} />
            </Suspense>
          ) : null}
          <CaseTable<CaseSummary>
            label={t("queue.tableLabel", { queue: t(`queue.${filters.queue}`) })}
            columns={columns}
            rows={cases}
            rowKey={(c) => c.id}
            loading={list.isPending || (list.isFetching && !list.isFetchingNextPage && cases.length === 0)}
            empty={
              <Empty
                image={Empty.PRESENTED_IMAGE_SIMPLE}
                description={
                  <>
                    <div>{t("queue.empty")}</div>
                    <div className="queue-page__hint">{t("queue.emptyHint")}</div>
                  </>
                }
              />
            }
            onOpen={(c) => void navigate(caseLink(c.id, listQuery))}
          />
          {cases.length > 0 ? (
            <div className="queue-page__more">
              <span className="queue-page__hint">{t("queue.loaded", { count: cases.length })}</span>
              {list.hasNextPage ? (
                <Button loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                  {t("queue.loadMore")}
                </Button>
              ) : (
                <span className="queue-page__hint">{t("queue.end")}</span>
              )}
            </div>
          ) : null}
        </>
      )}
    </div>
  );
}

type Notice = ReturnType<typeof App.useApp>["message"];

/** The CSV export of the current filters, downloaded through the generated client so that a refusal is shown in words. */
function useExport(query: ReturnType<typeof apiQuery>, t: ReturnType<typeof useTranslation<"console">>["t"], message: Notice) {
  const [pending, setPending] = useState(false);
  const run = async () => {
    setPending(true);
    try {
      const { data, error, response } = await api.GET("/api/v1/cases/export", { params: { query }, parseAs: "blob" });
      if (!response.ok || error !== undefined || !data) {
        const refusal = toApiError(response, error);
        void message.error(refusal.code === "export_too_large" ? t("queue.exportTooLarge") : t("queue.exportFailed", { message: refusal.message }));
        return;
      }
      saveFile(data, fileNameOf(response, "cases.csv"));
    } catch (error) {
      void message.error(t("queue.exportFailed", { message: error instanceof Error ? error.message : String(error) }));
    } finally {
      setPending(false);
    }
  };
  return { pending, run: () => void run() };
}

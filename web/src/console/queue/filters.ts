import type { paths } from "../../api/schema";

/** The list query of `GET /api/v1/cases`, as the generated client types it. */
export type CaseListQuery = NonNullable<paths["/api/v1/cases"]["get"]["parameters"]["query"]>;
export type CaseExportQuery = NonNullable<paths["/api/v1/cases/export"]["get"]["parameters"]["query"]>;
type ApiQueue = NonNullable<CaseListQuery["queue"]>;
type ApiLevel = NonNullable<CaseListQuery["level"]>;
type Counted = NonNullable<CaseListQuery["counted"]>;

/** The tabs of the queue page: the API's queues, and every case in scope. */
export const QUEUE_TABS = ["mine", "centre", "near_due", "overdue", "all"] as const;
export type QueueTab = (typeof QUEUE_TABS)[number];

export const STATUSES = ["reported", "accepted", "registered", "rejected", "dispatched", "in_progress", "suspended", "handled", "closed", "evaluated", "merged"] as const;
export const LEVELS = ["community", "street", "district"] as const;
export const SOURCES = ["resident_web", "resident_app", "hotline", "grid_worker", "supervisor_patrol", "volunteer", "camera", "api", "staff"] as const;

/** What the queue page shows, read from and written to its URL, so that a reload or the back button shows the same list. */
export type QueueFilters = {
  queue: QueueTab;
  statuses: string[];
  category?: string;
  level?: ApiLevel;
  source?: string;
  division?: string;
  from?: string;
  to?: string;
  q?: string;
  /** The cases an indicator counts over from–to (the dashboard's drill-down), with its group. */
  counted?: Counted;
  department?: string;
  person?: string;
  grid?: string;
};

const COUNTED: readonly Counted[] = [
  "accepted", "registered", "dispatched", "responded", "dueToClose", "closed", "closedOnTime", "overdue", "reworked",
  "extended", "dueToHandle", "handledOnTime", "handled", "closures", "onSpot", "rated", "resolved", "satisfied",
];
const DEPARTMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GRID = /^\d{15}$/;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DIVISION = /^\d{6}(\d{3}){0,2}$/;
const CATEGORY = /^[a-z0-9_.]{1,100}$/;

const member = <T extends string>(values: readonly T[], value: string | null): T | undefined =>
  value !== null && (values as readonly string[]).includes(value) ? (value as T) : undefined;
const matching = (pattern: RegExp, value: string | null): string | undefined => (value !== null && pattern.test(value) ? value : undefined);

/** The filters a URL names; a value the API would refuse is left out rather than shown as an error. */
export function readFilters(params: URLSearchParams): QueueFilters {
  const q = params.get("q")?.trim().slice(0, 100);
  return {
    queue: member(QUEUE_TABS, params.get("queue")) ?? "all",
    statuses: (params.get("status") ?? "").split(",").filter((status) => member(STATUSES, status)),
    category: matching(CATEGORY, params.get("category")),
    level: member(LEVELS, params.get("level")),
    source: member(SOURCES, params.get("source")),
    division: matching(DIVISION, params.get("division")),
    from: matching(DAY, params.get("from")),
    to: matching(DAY, params.get("to")),
    q: q || undefined,
    counted: member(COUNTED, params.get("counted")),
    department: matching(DEPARTMENT, params.get("department")),
    person: matching(UUID, params.get("person")),
    grid: matching(GRID, params.get("grid")),
  };
}

/** The URL parameters of the filters, in a fixed order, without the defaults. */
export function writeFilters(filters: QueueFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.queue !== "all") params.set("queue", filters.queue);
  if (filters.statuses.length) params.set("status", filters.statuses.join(","));
  for (const key of ["category", "level", "source", "division", "from", "to", "q", "counted", "department", "person", "grid"] as const) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  return params;
}

/** Whether anything narrows the list beyond its queue. */
export const hasFilters = (filters: QueueFilters): boolean => writeFilters({ ...filters, queue: "all" }).size > 0;

/** The API query for the filters (without paging). */
export function apiQuery(filters: QueueFilters): CaseExportQuery {
  const query: CaseExportQuery = {};
  if (filters.queue !== "all") query.queue = filters.queue satisfies ApiQueue;
  if (filters.statuses.length) query.status = filters.statuses.join(",");
  if (filters.category) query.category = filters.category;
  if (filters.level) query.level = filters.level;
  if (filters.source) query.source = filters.source;
  if (filters.division) query.division = filters.division;
  if (filters.from) query.from = filters.from;
  if (filters.to) query.to = filters.to;
  if (filters.q) query.q = filters.q;
  if (filters.counted) query.counted = filters.counted;
  if (filters.department) query.department = filters.department;
  if (filters.person) query.person = filters.person;
  if (filters.grid) query.grid = filters.grid;
  return query;
}

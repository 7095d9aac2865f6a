/**
 * The standard indicators (GLOSSARY: Evaluation) from the counts the rollups keep: the names, the
 * groupings, the periods, and the figures with their rates. No I/O.
 */

/** What the indicators can be grouped by. */
export const GROUPINGS = ["street", "community", "grid", "department", "person", "category", "level", "source", "reporter", "day", "week", "month"] as const;
export type Grouping = (typeof GROUPINGS)[number];

/** The rollup's kind of rows that serves a grouping: divisions and periods split the 'all' rows. */
export type CountKind = "all" | "grid" | "department" | "person" | "category" | "level" | "source" | "reporter";
export function kindOf(groupBy: Grouping | undefined): CountKind {
  switch (groupBy) {
    case undefined:
    case "street":
    case "community":
    case "day":
    case "week":
    case "month":
      return "all";
    default:
      return groupBy;
  }
}

export const isTimeGrouping = (groupBy: Grouping | undefined): groupBy is "day" | "week" | "month" =>
  groupBy === "day" || groupBy === "week" || groupBy === "month";

/** Sums read from the rollups for one group, the late rows already split by period. */
export type CountSums = {
  accepted: number;
  registered: number;
  dispatched: number;
  responded: number;
  due_close: number;
  closed_due: number;
  closed_on_time: number;
  reworked: number;
  extended: number;
  due_handle: number;
  handled_on_time: number;
  handled: number;
  handling_minutes: number;
  closed: number;
  on_spot: number;
  rated: number;
  resolved: number;
  satisfied: number;
  /** Closed in the period after a deadline that fell before it (with how many reworked, extended). */
  carried_close: number;
  carried_reworked: number;
  carried_extended: number;
  /** Due in the period and closed only after it. */
  beyond_close: number;
  /** Handled in the period after a deadline that fell before it. */
  carried_handle: number;
};

export const SUM_COLUMNS = [
  "accepted",
  "registered",
  "dispatched",
  "responded",
  "due_close",
  "closed_due",
  "closed_on_time",
  "reworked",
  "extended",
  "due_handle",
  "handled_on_time",
  "handled",
  "handling_minutes",
  "closed",
  "on_spot",
  "rated",
  "resolved",
  "satisfied",
] as const;
/**
 * The only measures the rollups keep for the kind 'reporter' (reports, cases handled on the spot):
 * the rest of its columns stay zero, and it has no late rows.
 */
export const REPORTER_COLUMNS = ["accepted", "on_spot"] as const satisfies readonly (typeof SUM_COLUMNS)[number][];
/** The sums of the late rows, split by the bucket's bounds. */
export const LATE_COLUMNS = ["carried_close", "carried_reworked", "carried_extended", "beyond_close", "carried_handle"] as const;

export const ZERO_SUMS: CountSums = Object.fromEntries([...SUM_COLUMNS, ...LATE_COLUMNS].map((column) => [column, 0])) as CountSums;

/**
 * The figures of a group: counts, and rates as fractions (null without a denominator). Each count
 * is listed by the case list's filter `counted=<name>` over the same period (drill-down).
 */
export type Figures = {
  accepted: number;
  registered: number;
  registrationRate: number | null;
  dispatched: number;
  dispatchRate: number | null;
  dueToClose: number;
  closed: number;
  closureRate: number | null;
  closedOnTime: number;
  onTimeClosureRate: number | null;
  overdue: number;
  reworked: number;
  reworkRate: number | null;
  extended: number;
  extensionRate: number | null;
  dueToHandle: number;
  handledOnTime: number;
  onTimeHandlingRate: number | null;
  handled: number;
  averageHandlingHours: number | null;
  responded: number;
  responseRate: number | null;
  closures: number;
  onSpot: number;
  rated: number;
  resolved: number;
  resolutionRate: number | null;
  satisfied: number;
  satisfactionRate: number | null;
};

/**
 * A reporter's figures: only what the rollups keep per reporter (`REPORTER_COLUMNS`). The rest is
 * not counted by who found a problem, so it is left out rather than shown as zero.
 */
export const REPORTER_INDICATORS = ["accepted", "onSpot"] as const;
export type ReporterFigures = Pick<Figures, (typeof REPORTER_INDICATORS)[number]>;
export const reporterFiguresOf = (sums: CountSums): ReporterFigures => ({ accepted: sums.accepted, onSpot: sums.on_spot });

const rate = (part: number, whole: number) => (whole > 0 ? part / whole : null);

export function figuresOf(sums: CountSums): Figures {
  const dueToClose = sums.due_close + sums.carried_close;
  const closed = sums.closed_due - sums.beyond_close + sums.carried_close;
  const reworked = sums.reworked + sums.carried_reworked;
  const extended = sums.extended + sums.carried_extended;
  const dueToHandle = sums.due_handle + sums.carried_handle;
  return {
    accepted: sums.accepted,
    registered: sums.registered,
    registrationRate: rate(sums.registered, sums.accepted),
    dispatched: sums.dispatched,
    dispatchRate: rate(sums.dispatched, sums.registered),
    dueToClose,
    closed,
    closureRate: rate(closed, dueToClose),
    closedOnTime: sums.closed_on_time,
    onTimeClosureRate: rate(sums.closed_on_time, dueToClose),
    overdue: dueToClose - sums.closed_on_time,
    reworked,
    reworkRate: rate(reworked, dueToClose),
    extended,
    extensionRate: rate(extended, dueToClose),
    dueToHandle,
    handledOnTime: sums.handled_on_time,
    onTimeHandlingRate: rate(sums.handled_on_time, dueToHandle),
    handled: sums.handled,
    averageHandlingHours: sums.handled > 0 ? Math.round((sums.handling_minutes / sums.handled / 60) * 100) / 100 : null,
    responded: sums.responded,
    responseRate: rate(sums.responded, sums.dispatched),
    closures: sums.closed,
    onSpot: sums.on_spot,
    rated: sums.rated,
    resolved: sums.resolved,
    resolutionRate: rate(sums.resolved, sums.rated),
    satisfied: sums.satisfied,
    satisfactionRate: rate(sums.satisfied, sums.rated),
  };
}

const DAY_MS = 86_400_000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The day `days` after an ISO day (YYYY-MM-DD). */
export function addDays(isoDay: string, days: number): string {
  return new Date(Date.parse(`${isoDay}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whether a string is a real calendar day. */
export const isDay = (value: string): boolean => ISO_DAY.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && addDays(value, 0) === value;

/** A bucket of a time grouping: its key and its days, clipped to the period asked. */
export type Bucket = { key: string; from: string; to: string };

/** ISO week (Monday first) of a day: 2026-W49. */
function isoWeek(isoDay: string): string {
  const date = new Date(`${isoDay}T00:00:00Z`);
  const weekday = (date.getUTCDay() + 6) % 7;
  const thursday = new Date(date.getTime() + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** The buckets of a period: one for the whole period, or one per day, ISO week or month. */
export function bucketsOf(period: { from: string; to: string }, groupBy: Grouping | undefined): Bucket[] {
  if (!isTimeGrouping(groupBy)) return [{ key: "", ...period }];
  const buckets: Bucket[] = [];
  for (let day = period.from; day <= period.to; day = addDays(day, 1)) {
    const key = groupBy === "day" ? day : groupBy === "week" ? isoWeek(day) : day.slice(0, 7);
    const last = buckets.at(-1);
    if (last?.key === key) last.to = day;
    else buckets.push({ key, from: day, to: day });
  }
  return buckets;
}

/** The first day of the half month a day is in: the 1st or the 16th. */
export function halfOf(isoDay: string): string {
  return `${isoDay.slice(0, 8)}${Number(isoDay.slice(8)) > 15 ? "16" : "01"}`;
}

/** The half month after the one that starts on `half`. */
function nextHalf(half: string): string {
  return half.endsWith("-01") ? `${half.slice(0, 8)}16` : `${addDays(`${half.slice(0, 8)}01`, 32).slice(0, 8)}01`;
}

/** A stretch of a bucket read from one grain of the rollups: day rows, or half-month rows by their first day. */
export type Segment = { key: string; grain: "day" | "half"; from: string; to: string };

/** The kinds the rollups keep by half month as well as by day (migration 20261207-0094). */
const HALF_MONTH_KINDS: ReadonlySet<CountKind> = new Set(["all", "reporter"]);

/**
 * A bucket as the rollup rows of a kind that add up to it: for a kind kept by half month, its
 * `halfSegments`; for the others, its days.
 */
export function segmentsOf(bucket: Bucket, kind: CountKind): Segment[] {
  return HALF_MONTH_KINDS.has(kind) ? halfSegments(bucket) : [{ key: bucket.key, grain: "day", from: bucket.from, to: bucket.to }];
}

/**
 * A bucket as the late rows that add up to the cases it carries in (done in it, due before its
 * first day): when it starts on a half month, its `halfSegments`, since the late half-month rows
 * keep the half month due, which is all a comparison with a half month's first day needs;
 * otherwise its days.
 */
export function lateSegmentsOf(bucket: Bucket): Segment[] {
  return halfOf(bucket.from) === bucket.from ? halfSegments(bucket) : [{ key: bucket.key, grain: "day", from: bucket.from, to: bucket.to }];
}

/** A bucket as the half months wholly inside it and the days before and after them. */
function halfSegments(bucket: Bucket): Segment[] {
  const segments: Segment[] = [];
  const first = halfOf(bucket.from) === bucket.from ? bucket.from : nextHalf(halfOf(bucket.from));
  let last: string | undefined;
  for (let half = first; addDays(nextHalf(half), -1) <= bucket.to; half = nextHalf(half)) last = half;
  if (last === undefined) return [{ key: bucket.key, grain: "day", from: bucket.from, to: bucket.to }];
  if (bucket.from < first) segments.push({ key: bucket.key, grain: "day", from: bucket.from, to: addDays(first, -1) });
  segments.push({ key: bucket.key, grain: "half", from: first, to: last });
  const after = nextHalf(last);
  if (after <= bucket.to) segments.push({ key: bucket.key, grain: "day", from: after, to: bucket.to });
  return segments;
}

/**
 * An evaluation period by its code: a month (2026-11) or a half month (2026-11-H1: the 1st–15th,
 * 2026-11-H2: the 16th to the month's end). Undefined for anything else.
 */
export function periodOf(code: string): { code: string; from: string; to: string } | undefined {
  const match = /^(\d{4})-(0[1-9]|1[0-2])(?:-(H1|H2))?$/.exec(code);
  if (!match) return undefined;
  const first = `${match[1]}-${match[2]}-01`;
  const nextMonth = new Date(Date.UTC(Number(match[1]), Number(match[2]), 1)).toISOString().slice(0, 10);
  const last = addDays(nextMonth, -1);
  if (match[3] === "H1") return { code, from: first, to: `${match[1]}-${match[2]}-15` };
  if (match[3] === "H2") return { code, from: `${match[1]}-${match[2]}-16`, to: last };
  return { code, from: first, to: last };
}

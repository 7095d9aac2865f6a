import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";

export type IndicatorQuery = NonNullable<paths["/api/v1/indicators"]["get"]["parameters"]["query"]>;
type IndicatorAnswer = paths["/api/v1/indicators"]["get"]["responses"][200]["content"]["application/json"];
export type Figures = IndicatorAnswer["total"];
/** The screens' groupings: all but `reporter`, whose rows carry only reports and cases handled on the spot. */
export type Grouping = Exclude<NonNullable<IndicatorQuery["groupBy"]>, "reporter">;
export type Indicators = Omit<IndicatorAnswer, "rows"> & { rows: (Omit<IndicatorAnswer["rows"][number], "figures"> & { figures: Figures })[] };
export type OverdueCase = paths["/api/v1/overdue-cases"]["get"]["responses"][200]["content"]["application/json"]["cases"][number];

export const RANKING_KINDS = ["street", "community", "department", "grid_worker"] as const;
export type RankingKind = (typeof RANKING_KINDS)[number];
export type Ranking = paths["/api/v1/rankings"]["get"]["responses"][200]["content"]["application/json"];
export type RankingRow = Ranking["rows"][number];

/** A period of the dashboard: today, this month, a month, or a half month (H1: 1st–15th). */
export type Period = { kind: "today" } | { kind: "month"; month: string } | { kind: "half"; month: string; half: 1 | 2 };

/** Today in China Standard Time, YYYY-MM-DD. */
export const todayCst = (now = new Date()): string => new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

const lastDayOf = (month: string): string => {
  const [year, m] = month.split("-").map(Number);
  return `${month}-${String(new Date(Date.UTC(year, m, 0)).getUTCDate()).padStart(2, "0")}`;
};

/** The first and last day of a period; a period still running ends today. */
export function periodDays(period: Period, today = todayCst()): { from: string; to: string } {
  const clip = (to: string) => (to > today ? today : to);
  if (period.kind === "today") return { from: today, to: today };
  if (period.kind === "month") return { from: `${period.month}-01`, to: clip(lastDayOf(period.month)) };
  return period.half === 1 ? { from: `${period.month}-01`, to: clip(`${period.month}-15`) } : { from: `${period.month}-16`, to: clip(lastDayOf(period.month)) };
}

/** The ranking period code of a dashboard period (rankings are by month or half month). */
export function rankingPeriod(period: Period, today = todayCst()): string {
  if (period.kind === "today") return today.slice(0, 7);
  return period.kind === "month" ? period.month : `${period.month}-H${period.half}`;
}

/** A period as the dashboard's address keeps it: `today`, `YYYY-MM` or `YYYY-MM-H1|H2`. */
export const periodParam = (period: Period): string => (period.kind === "today" ? "today" : rankingPeriod(period));

/** The period an address names; this month when it names none, a malformed one or one not yet begun. */
export function periodOfParam(text: string | null, today = todayCst()): Period {
  if (text === "today") return { kind: "today" };
  const match = /^(\d{4})-(0[1-9]|1[0-2])(?:-H([12]))?$/.exec(text ?? "");
  const month = match ? `${match[1]}-${match[2]}` : "";
  if (!match || month > today.slice(0, 7) || (match[3] === "2" && `${month}-16` > today)) return { kind: "month", month: today.slice(0, 7) };
  return match[3] ? { kind: "half", month, half: Number(match[3]) as 1 | 2 } : { kind: "month", month };
}

export const fetchIndicators = (query: IndicatorQuery & { groupBy?: Grouping }): Promise<Indicators> =>
  unwrap(api.GET("/api/v1/indicators", { params: { query } })) as Promise<Indicators>;
export const fetchOverdue = async () => (await unwrap(api.GET("/api/v1/overdue-cases"))).cases;

export const fetchRanking = (kind: RankingKind, period: string): Promise<Ranking> => unwrap(api.GET("/api/v1/rankings", { params: { query: { kind, period } } }));

/** The largest rows of a grouping by one count, at most `limit`. */
export function top<Row extends { figures: Figures }>(rows: readonly Row[], count: keyof Figures, limit: number): Row[] {
  return [...rows].sort((a, b) => Number(b.figures[count] ?? 0) - Number(a.figures[count] ?? 0)).filter((row) => Number(row.figures[count] ?? 0) > 0).slice(0, limit);
}

/** The case list behind a count: GET /cases?counted=…&from=&to= with the group's filter. */
export function drillDown(count: string, days: { from: string; to: string }, division: string, group: Partial<Record<"category" | "source" | "level" | "grid" | "department" | "person", string>> = {}): string {
  const params = new URLSearchParams({ counted: count, from: days.from, to: days.to, division });
  for (const [key, value] of Object.entries(group)) if (value) params.set(key, value);
  return `/console/cases?${params}`;
}

/** A rate 0–1 as a percentage with two decimals, "—" without a denominator. */
export const percent = (rate: number | null | undefined): string => (rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(2)}%`);

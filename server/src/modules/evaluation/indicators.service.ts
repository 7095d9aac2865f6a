import type { AppContext } from "../../context.ts";
import { AppError, notFound } from "../../errors.ts";
import { codeInScope, requirePermission, type Actor } from "../auth/actor.ts";
import { addDays, bucketsOf, figuresOf, isDay, isTimeGrouping, reporterFiguresOf, ZERO_SUMS, type Figures, type Grouping, type ReporterFigures } from "./indicators.ts";
import { sumCounts, type CountScope } from "./indicators.repository.ts";
import { groupNames } from "./group-names.repository.ts";

export type IndicatorQuery = { division?: string; from?: string; to?: string; groupBy?: Grouping };

/** The longest period one request may span, and the longest split by day. */
const MAX_DAYS = 3 * 366;
const MAX_DAILY_DAYS = 400;
const GRID_CODE_LENGTH = 15;

/** A group's figures; a reporter's are only those kept per reporter. */
export type IndicatorRow = { key: string; name: string | null; figures: Figures | ReporterFigures };
export type IndicatorAnswer = {
  division: { code: string; name: string };
  period: { from: string; to: string };
  groupBy: Grouping | null;
  rows: IndicatorRow[];
  total: Figures;
};

/** Today in Asia/Shanghai. */
export const today = (now = new Date()) => new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

/**
 * The indicators of a division (the caller's scope by default) over a period (this month so far by
 * default), in total and per group. A division outside the caller's scope answers 404 as one that
 * does not exist.
 */
export async function getIndicators(ctx: AppContext, actor: Actor, query: IndicatorQuery): Promise<IndicatorAnswer> {
  requirePermission(actor, "indicator.read");
  const division = query.division ?? actor.scopeCode ?? "";
  const name = await divisionName(ctx, division);
  if (!codeInScope(actor, division) || name === undefined) throw notFound("division_not_found", `No division ${division}`);
  const to = query.to ?? today();
  const from = query.from ?? `${to.slice(0, 7)}-01`;
  checkPeriod(from, to, query.groupBy);
  if (division.length >= GRID_CODE_LENGTH && query.groupBy !== undefined && query.groupBy !== "grid" && !isTimeGrouping(query.groupBy)) {
    throw new AppError(422, "grouping_not_available", "A grid's indicators are grouped by day, week or month only");
  }
  const scope: CountScope = { regionCode: division.slice(0, 6), division };
  const period = { from, to };
  const [grouped, [total]] = await Promise.all([
    query.groupBy === undefined ? Promise.resolve([]) : sumCounts(ctx.db, scope, query.groupBy, bucketsOf(period, query.groupBy)),
    sumCounts(ctx.db, scope, undefined, bucketsOf(period, undefined)),
  ]);
  const keyOf = (row: { bucket: string; group: string }) => (isTimeGrouping(query.groupBy) ? row.bucket : row.group);
  const names = query.groupBy === undefined ? new Map<string, string>() : await groupNames(ctx.db, query.groupBy, grouped.map(keyOf));
  const figuresOfGroup = query.groupBy === "reporter" ? reporterFiguresOf : figuresOf;
  const rows = grouped
    .map((row) => ({ key: keyOf(row), name: names.get(keyOf(row)) ?? null, figures: figuresOfGroup(row.sums) }))
    .sort((a, b) => a.key.localeCompare(b.key));
  return {
    division: { code: division, name },
    period,
    groupBy: query.groupBy ?? null,
    rows,
    total: figuresOf(total?.sums ?? ZERO_SUMS),
  };
}

function checkPeriod(from: string, to: string, groupBy: Grouping | undefined): void {
  if (!isDay(from) || !isDay(to)) throw new AppError(400, "invalid_period", "from and to are days: YYYY-MM-DD");
  if (from > to) throw new AppError(400, "invalid_period", "from is on or before to");
  const limit = groupBy === "day" ? MAX_DAILY_DAYS : MAX_DAYS;
  if (addDays(from, limit) <= to) throw new AppError(400, "invalid_period", `A period spans at most ${limit} days${groupBy === "day" ? " by day" : ""}`);
}

async function divisionName(ctx: AppContext, code: string): Promise<string | undefined> {
  if (code.length >= GRID_CODE_LENGTH) {
    return (await ctx.db.selectFrom("grids").select("name").where("code", "=", code).executeTakeFirst())?.name;
  }
  return (await ctx.db.selectFrom("divisions").select("name").where("code", "=", code).executeTakeFirst())?.name;
}

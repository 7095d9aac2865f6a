import { sql, type RawBuilder, type SqlBool } from "kysely";

/**
 * The cases each indicator counts over a period, as a condition on the case row: the case list's
 * `counted` filter (the drill-down of every figure) and the scan that checks the rollups. Each
 * condition is what the SQL function `case_contributions` (docs/decisions/0033) counts on the days
 * of the period, summed as the indicators sum it; a test holds them to each other.
 */
export const COUNTED_INDICATORS = [
  "accepted",
  "registered",
  "dispatched",
  "responded",
  "dueToClose",
  "closed",
  "closedOnTime",
  "overdue",
  "reworked",
  "extended",
  "dueToHandle",
  "handledOnTime",
  "handled",
  "closures",
  "onSpot",
  "rated",
  "resolved",
  "satisfied",
] as const;
export type CountedIndicator = (typeof COUNTED_INDICATORS)[number];

/** A period of whole days (Asia/Shanghai), both ends included: YYYY-MM-DD. */
export type DayPeriod = { from: string; to: string };

const day = (column: string) => sql`gridgov_day(${sql.ref(column)})`;

/**
 * The condition for `indicator` over `period`. `suspendedDue` is the region's setting: whether a
 * suspended case counts as due.
 */
export function countedIn(indicator: CountedIndicator, period: DayPeriod, suspendedDue: boolean | RawBuilder<boolean>): RawBuilder<SqlBool> {
  const from = sql`${period.from}::date`;
  const to = sql`${period.to}::date`;
  const within = (column: string) => sql`${day(column)} between ${from} and ${to}`;
  // Registered, not rejected or merged away, not excluded by an appeal, and not suspended where suspended cases are not due.
  const due = sql`(registered_at is not null and status not in ('rejected', 'merged') and not evaluation_excluded and (${suspendedDue} or status <> 'suspended'))`;
  const deadlineIn = within("handle_by");
  // Closed (or handled) in the period after a deadline that fell before it: due in this period too.
  const carried = (done: string) => sql`(${sql.ref(done)} is not null and ${within(done)} and ${day("handle_by")} < ${from})`;
  const dueToClose = sql`(${due} and (${deadlineIn} or ${carried("closed_at")}))`;
  const handleDue = sql`(${due} and dispatched_at is not null)`;
  switch (indicator) {
    case "accepted":
      return sql<SqlBool>`${within("created_at")}`;
    case "registered":
      return sql<SqlBool>`${within("registered_at")}`;
    case "dispatched":
      return sql<SqlBool>`${within("dispatched_at")}`;
    case "responded":
      return sql<SqlBool>`(responded_on_time and ${within("dispatched_at")})`;
    case "dueToClose":
      return sql<SqlBool>`${dueToClose}`;
    case "closed":
      // Due in the period and closed by its end, or carried into it by its closure.
      return sql<SqlBool>`(${due} and closed_at is not null and ((${deadlineIn} and ${day("closed_at")} <= ${to}) or ${carried("closed_at")}))`;
    case "closedOnTime":
      return sql<SqlBool>`(${due} and ${deadlineIn} and closed_at <= handle_by)`;
    case "overdue":
      return sql<SqlBool>`(${due} and ((${deadlineIn} and not coalesce(closed_at <= handle_by, false)) or ${carried("closed_at")}))`;
    case "reworked":
      return sql<SqlBool>`(${dueToClose} and rework_count > 0)`;
    case "extended":
      return sql<SqlBool>`(${dueToClose} and extension_count > 0)`;
    case "dueToHandle":
      return sql<SqlBool>`(${handleDue} and (${deadlineIn} or ${carried("handled_at")}))`;
    case "handledOnTime":
      return sql<SqlBool>`(${handleDue} and ${deadlineIn} and handled_at <= handle_by)`;
    case "handled":
      return sql<SqlBool>`(dispatched_at is not null and ${within("handled_at")})`;
    case "closures":
      return sql<SqlBool>`${within("closed_at")}`;
    case "onSpot":
      return sql<SqlBool>`(handled_on_spot and ${within("closed_at")})`;
    case "rated":
      return sql<SqlBool>`(satisfaction is not null and ${within("closed_at")})`;
    case "resolved":
      return sql<SqlBool>`(resolved and ${within("closed_at")})`;
    case "satisfied":
      return sql<SqlBool>`(satisfaction in ('satisfied', 'basically_satisfied') and ${within("closed_at")})`;
  }
}

/** The region's setting, read once by the statement: whether suspended cases count as due. */
export const suspendedDueOf = (regionCode: string) =>
  sql<boolean>`(select coalesce((select suspended_due from evaluation_settings where region_code = ${regionCode}), true))`;

/** The person a case counts for: its assignee, else who handled it ('' for none), as the rollups group it. */
export const countedPerson = sql<string>`coalesce(assignment->>'userId', handled_by::text, '')`;

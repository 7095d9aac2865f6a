import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from "kysely";
import type { DB } from "../../db/schema.ts";
import { inScope, type Actor } from "../auth/actor.ts";

/** Where the previous page ended: the last case's creation time (microseconds, UTC) and id. */
export type PagePosition = { at: string; id: string };

/** One page of the case list, its conditions already checked and resolved by the service. */
export type CasePageFilter = {
  statuses?: readonly string[];
  /** Dispatched to this person, their department or their division. */
  assignee?: { userId: string; departmentId: string | null; divisionCode: string | null };
  /** The division whose centre owns the case at its level. */
  ownerDivision?: string;
  handleByFrom?: Date;
  handleByBefore?: Date;
  /** Inclusive, as near due is: a deadline exactly at the limit still counts. */
  handleByUntil?: Date;
  categoryCode?: string;
  division?: string;
  level?: "community" | "street" | "district";
  source?: string;
  createdFrom?: Date;
  createdBefore?: Date;
  /** Every term must occur in the case's search text. */
  terms?: readonly string[];
  after?: PagePosition;
  limit: number;
};

type CaseExpressions = ExpressionBuilder<DB, "cases">;

/** A LIKE pattern that matches `text` literally (backslash is PostgreSQL's default LIKE escape). */
const literal = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/**
 * Cases are keyed by region (the district code, the first six digits of every
 * division code below it): naming the region lets PostgreSQL use `cases_recent` for the listing.
 */
function inRegion(actor: Actor, eb: CaseExpressions): Expression<SqlBool> {
  if (actor.scopeCode === null) return sql<SqlBool>`false`;
  if (actor.scopeCode.length >= 6) return eb("region_code", "=", actor.scopeCode.slice(0, 6));
  return eb("region_code", "like", `${actor.scopeCode}%`);
}

function assignedTo(eb: CaseExpressions, assignee: NonNullable<CasePageFilter["assignee"]>): Expression<SqlBool> {
  const matches: Expression<SqlBool>[] = [eb(sql<string>`assignment->>'userId'`, "=", assignee.userId)];
  if (assignee.departmentId !== null) matches.push(eb(sql<string>`assignment->>'departmentId'`, "=", assignee.departmentId));
  if (assignee.divisionCode !== null) matches.push(eb(sql<string>`assignment->>'divisionCode'`, "=", assignee.divisionCode));
  return eb.or(matches);
}

/**
 * One page of case summaries in the actor's scope, newest first, with one row more than the limit
 * so that the caller knows whether another page follows.
 */
export function findCasePage(db: Kysely<DB>, actor: Actor, filter: CasePageFilter) {
  let query = db
    .selectFrom("cases")
    .select([
      "region_code",
      "id",
      "number",
      "status",
      "level",
      "category_code",
      "title",
      "grid_code",
      "community_code",
      "street_code",
      "source",
      "urgency",
      "reporter_phone",
      "handle_by",
      "created_at",
      // Full precision for the cursor: a JavaScript Date keeps milliseconds only.
      sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as("position_at"),
    ])
    .where((eb) => inRegion(actor, eb))
    .where(inScope(actor, sql.ref("community_code")));

  const { statuses, assignee, ownerDivision, categoryCode, terms, after } = filter;
  if (statuses) query = query.where("status", "in", statuses);
  if (assignee) query = query.where((eb) => assignedTo(eb, assignee));
  if (ownerDivision !== undefined) {
    query = query.where(sql<string>`case level when 'community' then community_code when 'street' then street_code else region_code end`, "=", ownerDivision);
  }
  if (filter.handleByFrom) query = query.where("handle_by", ">=", filter.handleByFrom);
  if (filter.handleByBefore) query = query.where("handle_by", "<", filter.handleByBefore);
  if (filter.handleByUntil) query = query.where("handle_by", "<=", filter.handleByUntil);
  if (categoryCode !== undefined) {
    // A category includes its subcategories (`class.main` → `class.main.sub`), not a sibling sharing a prefix.
    query = query.where((eb) => eb.or([eb("category_code", "=", categoryCode), eb("category_code", "like", `${literal(categoryCode)}.%`)]));
  }
  if (filter.division !== undefined) query = query.where("community_code", "like", `${literal(filter.division)}%`);
  if (filter.level) query = query.where("level", "=", filter.level);
  if (filter.source !== undefined) query = query.where("source", "=", filter.source);
  if (filter.createdFrom) query = query.where("created_at", ">=", filter.createdFrom);
  if (filter.createdBefore) query = query.where("created_at", "<", filter.createdBefore);
  if (terms?.length) {
    // Substring tests over the space-separated tokens of search_text, a filter on the rows the other
    // conditions leave; on PostgreSQL a pg_trgm GIN index (gin_trgm_ops) on search_text can serve them later.
    query = query.where((eb) => eb.and(terms.map((term) => eb("search_text", "like", `%${literal(term)}%`))));
  }
  if (after) {
    // Keyset pagination: strictly after the previous page's last row in (created_at, id) order.
    query = query.where(sql<SqlBool>`(created_at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`);
  }
  return query.orderBy("created_at", "desc").orderBy("id", "desc").limit(filter.limit + 1).execute();
}

/** How many digits of a community code name the division (or grid) one level below each kind of division. */
const CHILD_DIGITS = { 6: 9, 9: 12, 12: 15 } as const;

/**
 * A dashboard's counts under a division in the actor's scope, per child division (or grid) and
 * status: from the per-community rollup, and the open cases past their handling deadline from the
 * status index, so that neither scans the case history.
 */
export async function countCasesUnder(db: Kysely<DB>, actor: Actor, division: string, openStatuses: readonly string[], now: Date) {
  const digits = CHILD_DIGITS[division.length as keyof typeof CHILD_DIGITS];
  const byStatus =
    digits <= 12
      ? db
          .selectFrom("case_status_counts")
          .select([sql<string>`left(community_code, ${sql.lit(digits)})`.as("code"), "status", sql<number>`sum(cases)::int`.as("cases")])
          .where("region_code", "=", division.slice(0, 6))
          .where(inScope(actor, sql.ref("community_code")))
          .where("community_code", "like", `${literal(division)}%`)
          .where("cases", ">", 0)
          .groupBy([sql`left(community_code, ${sql.lit(digits)})`, "status"])
          .execute()
      : // A community's grids are below the rollup's grain: count its cases, an index range of one community.
        db
          .selectFrom("cases")
          .select([sql<string>`grid_code`.as("code"), "status", sql<number>`count(*)::int`.as("cases")])
          .where("region_code", "=", division.slice(0, 6))
          .where(inScope(actor, sql.ref("community_code")))
          .where("community_code", "=", division)
          .groupBy(["grid_code", "status"])
          .execute();
  const overdue = db
    .selectFrom("cases")
    .select([sql<string>`${digits <= 12 ? sql`left(community_code, ${sql.lit(digits)})` : sql`grid_code`}`.as("code"), sql<number>`count(*)::int`.as("cases")])
    .where("region_code", "=", division.slice(0, 6))
    .where("status", "in", openStatuses)
    .where("handle_by", "<", now)
    .where(inScope(actor, sql.ref("community_code")))
    .where("community_code", "like", `${literal(division)}%`)
    .groupBy(sql`1`)
    .execute();
  return { byStatus: await byStatus, overdue: await overdue };
}

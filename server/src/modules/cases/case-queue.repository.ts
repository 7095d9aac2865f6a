import { sql, type Compilable, type Expression, type ExpressionBuilder, type Kysely, type Selectable, type SqlBool } from "kysely";
import { executePrepared } from "../../db/prepared.ts";
import type { CaseAnswer, CaseTable, DB } from "../../db/schema.ts";
import { inScope, type Actor } from "../auth/actor.ts";
import { caseInScope, caseReadable, caseUnder, codeUnder } from "./cases.repository.ts";
import { countedIn, countedPerson, suspendedDueOf, type CountedIndicator, type DayPeriod } from "./counted-cases.ts";

/** Where the previous page ended: the last case's creation time (microseconds, UTC) and id. */
export type PagePosition = { at: string; id: string };

/** One page of the case list, its conditions already checked and resolved by the service. */
export type CasePageFilter = {
  statuses?: readonly string[];
  /** Dispatched to this person, their department or their division. */
  assignee?: { userId: string; departmentId: string | null; divisionCode: string | null };
  /** The division whose centre owns the case at its level. */
  ownerDivision?: string;
  /** Cases whose return waits for a decision match besides those of `statuses`. */
  orReturnRequested?: boolean;
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
  /** Every term must be one of the case's stored search terms. */
  terms?: readonly string[];
  /** Single Chinese characters, which no stored term indexes: each must occur in the search text. */
  characters?: readonly string[];
  /** With terms: only cases created in one of these search periods (`searchPeriodOf`). */
  periods?: readonly number[];
  /** The case with this number. */
  number?: string;
  /** Cases whose number ends in this ordinal (00012); with terms or characters, a case matches either. */
  ordinal?: string;
  /** Handled on the spot (就地处置) or not. */
  handledOnSpot?: boolean;
  /** Whether the sample review (抽查) of a case handled on the spot was made. */
  spotReviewed?: boolean;
  /** The cases an indicator counts over a period (its drill-down), in the region's way of counting. */
  counted?: { indicator: CountedIndicator; period: DayPeriod; regionCode: string };
  /** The department the case counts for (its lead), the person (its assignee, else who handled it), its grid, who reported it. */
  departmentCode?: string;
  personId?: string;
  gridCode?: string;
  reporterId?: string;
  /** Nothing but a queue's own conditions (its statuses, owner, assignee or deadline range). */
  bareQueue?: boolean;
  /** The list's order: newest first (the default), or the handling deadline first (`deadline`). */
  sort?: "created" | "deadline";
  after?: PagePosition;
  limit: number;
};

type CaseExpressions = ExpressionBuilder<DB, "cases">;

/** A LIKE pattern that matches `text` literally (backslash is PostgreSQL's default LIKE escape). */
const literal = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

function assignedTo(eb: CaseExpressions, assignee: NonNullable<CasePageFilter["assignee"]>): Expression<SqlBool> {
  const matches: Expression<SqlBool>[] = [eb(sql<string>`assignment->>'userId'`, "=", assignee.userId)];
  if (assignee.departmentId !== null) matches.push(eb(sql<string>`assignment->>'departmentId'`, "=", assignee.departmentId));
  if (assignee.divisionCode !== null) matches.push(eb(sql<string>`assignment->>'divisionCode'`, "=", assignee.divisionCode));
  if (assignee.departmentId !== null) {
    // A co-handling department (协办) holds the case until its part is in.
    for (const state of ["dispatched", "acknowledged"]) {
      matches.push(eb("co_handlers", "@>", sql<never>`${JSON.stringify([{ departmentId: assignee.departmentId, state }])}::jsonb`));
    }
  }
  return eb.or(matches);
}

/** How many seconds a search period spans: the divisor of the SQL function search_period. */
const SEARCH_PERIOD_SECONDS = 172_800;

/** The search period of a creation time, as search_period(created_at) numbers it. */
export const searchPeriodOf = (at: string | Date): number => Math.floor(new Date(at).getTime() / 1000 / SEARCH_PERIOD_SECONDS);
/** The most periods one step of a search reads through the index, and the most steps before it reads the rest at once. */
const MAX_SPAN = 16;
const PERIOD_STEPS = 3;
/** How many more periods a step reads than the matches found so far say the page needs. */
const SPAN_MARGIN = 1.25;

/**
 * A case's stored terms, its creation period's term and its street's and community's terms: the
 * expression of the GIN index cases_search_terms.
 */
const indexedTerms = sql`(string_to_array(search_text, ' ') || search_period(created_at) || ('#' || street_code) || ('#' || community_code))`;

/** The index terms of the streets and communities a search is bounded to, so that the index finds the matches inside them. */
const divisionTerms = (codes: readonly (string | null | undefined)[]) => codes.filter((code) => code?.length === 9 || code?.length === 12).map((code) => `#${code}`);

/**
 * The search text holds every term (the GIN index cases_search_terms serves this containment, on the
 * same expression) and every lone character; with periods, the case was created in one of them; with
 * divisions (`divisionTerms`), it lies in each.
 */
function textMatches({ terms, characters, periods, divisions }: Pick<CasePageFilter, "terms" | "characters" | "periods"> & { divisions: string[] }): Expression<SqlBool> {
  const conditions = [
    ...(terms?.length ? [sql<SqlBool>`${indexedTerms} @> ${sql.val([...terms, ...divisions])}::text[]`] : []),
    ...(terms?.length && periods?.length ? [sql<SqlBool>`${indexedTerms} && ${sql.val(periods.map((period) => `@${period}`))}::text[]`] : []),
    ...(characters ?? []).map((char) => sql<SqlBool>`search_text like ${`%${literal(char)}%`}`),
  ];
  return sql<SqlBool>`(${sql.join(conditions, sql` and `)})`;
}

/**
 * The same test as `textMatches` without the index, for rows already read: each term a whole
 * space-separated token of the search text, found as a substring (no array built per row).
 */
function windowMatches({ terms, characters }: Pick<CasePageFilter, "terms" | "characters">): Expression<SqlBool> {
  const conditions = [
    ...(terms ?? []).map((term) => sql<SqlBool>`strpos(' ' || search_text || ' ', ${` ${term} `}) > 0`),
    ...(characters ?? []).map((char) => sql<SqlBool>`search_text like ${`%${literal(char)}%`}`),
  ];
  return sql<SqlBool>`(${sql.join(conditions, sql` and `)})`;
}

/** The ordinal of a case's number, the expression of the index cases_number_ordinal. */
const ordinalOf = sql<string>`split_part(number, '-', 3)`;

/** The cases in the actor's scope that the filter matches (its page position and limit aside). */
export function matchingCases(db: Kysely<DB>, actor: Actor, filter: Omit<CasePageFilter, "after" | "limit">) {
  // A queue of one's own work also holds what one's department co-handles outside one's scope.
  let query = db.selectFrom("cases").where((eb) => (filter.assignee ? caseReadable(eb, actor) : caseInScope(eb, actor)));
  const { statuses, assignee, ownerDivision, categoryCode, terms, characters, periods } = filter;
  if (statuses && filter.orReturnRequested) {
    query = query.where((eb) => eb.or([eb("status", "in", statuses), eb("return_request", "is not", null)]));
  } else if (statuses) query = query.where("status", "in", statuses);
  if (assignee) query = query.where((eb) => assignedTo(eb, assignee));
  if (ownerDivision !== undefined) {
    // The expression of the index cases_centre, so that the queue walks it.
    query = query.where(sql<string>`case level when 'community' then community_code when 'street' then street_code else region_code end`, "=", ownerDivision);
  }
  if (filter.handleByFrom) query = query.where("handle_by", ">=", filter.handleByFrom);
  if (filter.handleByBefore) query = query.where("handle_by", "<", filter.handleByBefore);
  if (filter.handleByUntil) query = query.where("handle_by", "<=", filter.handleByUntil);
  if (categoryCode !== undefined) {
    // A category includes its subcategories (`class.main` → `class.main.sub`), not a sibling sharing a prefix.
    query = query.where((eb) => eb.or([eb("category_code", "=", categoryCode), eb("category_code", "like", `${literal(categoryCode)}.%`)]));
  }
  if (filter.division !== undefined) query = query.where((eb) => caseUnder(eb, filter.division ?? ""));
  if (filter.level) query = query.where("level", "=", filter.level);
  if (filter.source !== undefined) query = query.where("source", "=", filter.source);
  if (filter.handledOnSpot !== undefined) query = query.where("handled_on_spot", "=", filter.handledOnSpot);
  if (filter.spotReviewed !== undefined) query = query.where("spot_review", filter.spotReviewed ? "is not" : "is", null);
  if (filter.counted) {
    const { indicator, period, regionCode } = filter.counted;
    query = query.where(countedIn(indicator, period, suspendedDueOf(regionCode)));
  }
  if (filter.departmentCode !== undefined) query = query.where(sql<string>`coalesce(department_code, '')`, "=", filter.departmentCode);
  if (filter.personId !== undefined) query = query.where(countedPerson, "=", filter.personId);
  if (filter.gridCode !== undefined) query = query.where("grid_code", "=", filter.gridCode);
  if (filter.reporterId !== undefined) query = query.where("reporter_user_id", "=", filter.reporterId);
  if (filter.createdFrom) query = query.where("created_at", ">=", filter.createdFrom);
  if (filter.createdBefore) query = query.where("created_at", "<", filter.createdBefore);
  const { ordinal } = filter;
  // A queue of one's own work reaches past one's scope: only a division the filter names bounds its search.
  const divisions = divisionTerms([filter.assignee ? undefined : actor.scopeCode, filter.division]);
  const text = terms?.length || characters?.length ? textMatches({ terms, characters, periods, divisions }) : undefined;
  if (ordinal !== undefined) {
    const numbered = (eb: CaseExpressions) => eb(ordinalOf, "=", ordinal);
    query = text ? query.where((eb) => eb.or([numbered(eb), text])) : query.where(numbered);
  } else if (text) query = query.where(text);
  if (filter.number !== undefined) query = query.where("number", "=", filter.number);
  return query;
}

const SUMMARY_COLUMNS = [
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
  "search_text",
  "return_request",
  "lat",
  "lng",
] as const;

type PageRow = Pick<Selectable<CaseTable>, (typeof SUMMARY_COLUMNS)[number]> & { position_at: string };

/** Full precision for the cursor: a JavaScript Date keeps milliseconds only. */
const positionAt = () => sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as("position_at");

/** The page's rows, newest first, with the cursor position of each and one row more than the limit. */
function selectPage(db: Kysely<DB>, actor: Actor, filter: CasePageFilter) {
  let query = matchingCases(db, actor, filter).select([
    ...SUMMARY_COLUMNS,
    positionAt(),
  ]);
  if (filter.after) {
    // Keyset pagination: strictly after the previous page's last row in (created_at, id) order.
    query = query.where(sql<SqlBool>`(created_at, id) < (${filter.after.at}::timestamptz, ${filter.after.id}::uuid)`);
  }
  return query.orderBy("created_at", "desc").orderBy("id", "desc").limit(filter.limit + 1);
}

/**
 * A page of cases in one of the statuses or whose return waits for a decision (the centre's queue),
 * as two pages merged: the statuses' page from its own index in order (cases_centre), and the few
 * cases with a return waiting (cases_return_requested). One condition with OR matches no index and
 * walked the scope's cases newest first, thousands of them for a street.
 */
function selectEitherPage(db: Kysely<DB>, actor: Actor, filter: CasePageFilter) {
  const statuses = filter.statuses ?? [];
  const inStatuses = selectPage(db, actor, { ...filter, orReturnRequested: false });
  // All of them, unordered: an order and a limit would make the planner walk the scope's newest
  // cases for them instead of reading the small partial index.
  let returned = matchingCases(db, actor, { ...filter, statuses: undefined, orReturnRequested: false })
    .select([...SUMMARY_COLUMNS, positionAt()])
    .where("return_request", "is not", null)
    .where("status", "not in", statuses);
  if (filter.after) returned = returned.where(sql<SqlBool>`(created_at, id) < (${filter.after.at}::timestamptz, ${filter.after.id}::uuid)`);
  return db
    .selectFrom(sql<PageRow>`(${inStatuses} union all ${returned})`.as("page"))
    .selectAll()
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(filter.limit + 1);
}

/**
 * How many of the newest cases a text search tests in creation order before it asks the search
 * index: a common word fills its page from the first few hundred, where the index would hand over
 * every case holding it; a rare one is then found through the index among the older cases.
 */
const SEARCH_WINDOW = 500;

/**
 * A bare queue's page runs as a named statement: planning cost more than the read, and its plan
 * walks one index in order whatever the values. A filter a person chooses (a rare category or a common
 * one, a day or a year) keeps a plan made for its value.
 */
function run(db: Kysely<DB>, filter: CasePageFilter, query: Compilable<PageRow> & { execute(): Promise<PageRow[]> }): Promise<PageRow[]> {
  return filter.bareQueue ? executePrepared(db, "case_page", query) : query.execute();
}

/**
 * One page of case summaries in the actor's scope, newest first, with one row more than the limit
 * so that the caller knows whether another page follows.
 */
export async function findCasePage(db: Kysely<DB>, actor: Actor, filter: CasePageFilter): Promise<PageRow[]> {
  if (filter.sort === "deadline") return selectByDeadline(db, actor, filter).execute();
  const { terms, characters } = filter;
  if (filter.ordinal !== undefined && (terms?.length || characters?.length)) {
    // Digits match a number's ordinal or the text: each through its own index, the pages merged.
    const [numbered, worded] = await Promise.all([
      findCasePage(db, actor, { ...filter, terms: undefined, characters: undefined }),
      findCasePage(db, actor, { ...filter, ordinal: undefined }),
    ]);
    const seen = new Set<string>();
    return [...numbered, ...worded]
      .sort((a, b) => (a.position_at === b.position_at ? b.id.localeCompare(a.id) : b.position_at.localeCompare(a.position_at)))
      .filter((row) => !seen.has(row.id) && seen.add(row.id))
      .slice(0, filter.limit + 1);
  }
  if (filter.handleByBefore || filter.handleByUntil) {
    // The deadline queues: the page's keys from the open cases' index alone, which holds the
    // deadline (an index-only scan passes over the open cases not due without reading them), then
    // the page's rows by key.
    const keys = selectPage(db, actor, filter).clearSelect().select("id");
    const page = db
      .selectFrom("cases")
      .select([...SUMMARY_COLUMNS, positionAt()])
      .where((eb) => (filter.assignee ? caseReadable(eb, actor) : caseInScope(eb, actor)))
      .where("id", "in", keys)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc");
    return run(db, filter, page);
  }
  if (filter.orReturnRequested && filter.statuses?.length && !terms?.length && !characters?.length) return run(db, filter, selectEitherPage(db, actor, filter));
  if (!terms?.length && !characters?.length) return run(db, filter, selectPage(db, actor, filter));
  // The planner estimates a query's terms as independent, which the overlapping bigrams of one
  // word are not: it would take the index for common words too. So first the newest cases...
  // (The window's rows are tested as text and only the matches formatted: the array and the
  // cursor's timestamp text for each of the window's rows cost ten times the rest of the read.)
  // Each step is a named statement: the steps fix the plan whatever the words (the window walks
  // the newest cases, the rest goes through the terms' index), so a generic plan is the right one,
  // and parsing and planning the three steps cost the database more than running them.
  const unsearched = { ...filter, terms: undefined, characters: undefined };
  const recent = await executePrepared(
    db,
    "case_search_recent",
    db
      .selectFrom(selectPage(db, actor, { ...unsearched, limit: SEARCH_WINDOW - 1 }).clearSelect().select(SUMMARY_COLUMNS).as("recent"))
      .select([...SUMMARY_COLUMNS, positionAt()])
      .where(windowMatches({ terms, characters }))
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(filter.limit + 1),
  );
  if (recent.length > filter.limit) return recent;
  const [windowEnd] = await executePrepared(
    db,
    "case_search_window_end",
    db
      .selectFrom(selectPage(db, actor, { ...unsearched, limit: 0 }).clearSelect().select(["id", "created_at"]).offset(SEARCH_WINDOW - 1).as("last"))
      .select(["id", positionAt()]),
  );
  if (!windowEnd) return recent;
  // ...then, past them, through the index: lone characters have no index, so all at once...
  const rows = [...recent];
  let after: PagePosition = { at: windowEnd.position_at, id: windowEnd.id };
  const rest = (more: Partial<CasePageFilter>) =>
    executePrepared(db, "case_search_rest", selectPage(db, actor, { ...filter, after, limit: filter.limit - rows.length, ...more }));
  if (!terms?.length) return [...rows, ...(await rest({}))];
  // ...and terms period by period, newest first: the newest period, then as many more as the
  // matches found so far say the page still needs (a quarter more), so that a search reads about
  // as many matches as its page needs in two or three steps. A word too rare to fill the page
  // within MAX_SPAN periods reads the rest of its matches at once, which costs less than walking
  // wide spans of periods through the index (the union of their terms).
  let period = searchPeriodOf(after.at);
  let span = 1;
  let searched = 0;
  let matched = 0;
  for (let step = 0; step < PERIOD_STEPS; step++) {
    const periods = Array.from({ length: span }, (_, k) => period - k);
    const found = await rest({ periods });
    rows.push(...found);
    if (rows.length > filter.limit) return rows;
    period -= span;
    searched += span;
    matched += found.length;
    const last = found.at(-1);
    if (last) after = { at: last.position_at, id: last.id };
    // No match yet counts as half a match, so that the span grows without dividing by zero.
    span = Math.ceil(((filter.limit + 1 - rows.length) * searched * SPAN_MARGIN) / Math.max(matched, 0.5));
    if (span > MAX_SPAN) break;
  }
  rows.push(...(await rest({})));
  return rows;
}

/**
 * A page in deadline order, the handling deadline first (overdue, then near due): a worker's own
 * queue, a few dozen cases, where the filters' own conditions are selective enough. Its cursor holds
 * the deadline instead of the creation time.
 */
function selectByDeadline(db: Kysely<DB>, actor: Actor, filter: CasePageFilter) {
  let query = matchingCases(db, actor, filter).select([
    ...SUMMARY_COLUMNS,
    sql<string>`to_char(handle_by at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as("position_at"),
  ]);
  if (filter.after) query = query.where(sql<SqlBool>`(handle_by, id) > (${filter.after.at}::timestamptz, ${filter.after.id}::uuid)`);
  return query.orderBy("handle_by", "asc").orderBy("id", "asc").limit(filter.limit + 1);
}

/** A case's place in the list's order (creation time to the microsecond, id), if it is in the actor's scope. */
export async function findCasePosition(db: Kysely<DB>, actor: Actor, id: string): Promise<PagePosition | undefined> {
  const row = await db
    .selectFrom("cases")
    .select(["id", positionAt()])
    .where((eb) => caseInScope(eb, actor))
    .where("id", "=", id)
    .executeTakeFirst();
  return row && { at: row.position_at, id: row.id };
}

/**
 * The case next to a position in the list's order (newest first) among those the filter matches:
 * the one above it (`newer`) or below it (`older`). One keyset step of one row, whether or not the
 * case at the position still matches the filter (an action may have moved it out of a queue).
 */
export function findNeighbour(db: Kysely<DB>, actor: Actor, filter: Omit<CasePageFilter, "after" | "limit">, position: PagePosition, side: "newer" | "older") {
  const order = side === "older" ? "desc" : "asc";
  const key = sql`(${position.at}::timestamptz, ${position.id}::uuid)`;
  return matchingCases(db, actor, filter)
    .select(["id", "number", "title"])
    .where(side === "older" ? sql<SqlBool>`(created_at, id) < ${key}` : sql<SqlBool>`(created_at, id) > ${key}`)
    .orderBy("created_at", order)
    .orderBy("id", order)
    .limit(1)
    .executeTakeFirst();
}

/** How many cases the filter matches, counting no further than `atMost`: a bounded index read. */
export async function countMatchingCases(db: Kysely<DB>, actor: Actor, filter: Omit<CasePageFilter, "after" | "limit">, atMost: number): Promise<number> {
  const row = await db
    .selectFrom(matchingCases(db, actor, filter).select(sql<number>`1`.as("one")).limit(atMost).as("matched"))
    .select(sql<number>`count(*)::int`.as("cases"))
    .executeTakeFirstOrThrow();
  return row.cases;
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
  // Read from cases_open_deadline alone (an index-only scan): the codes are in the index.
  const overdue = db
    .selectFrom("cases")
    .select([sql<string>`${digits <= 12 ? sql`left(community_code, ${sql.lit(digits)})` : sql`grid_code`}`.as("code"), sql<number>`count(*)::int`.as("cases")])
    .where("region_code", "=", division.slice(0, 6))
    .where("status", "in", openStatuses)
    .where("handle_by", "<", now)
    .where((eb) => (actor.scopeCode === null ? sql<SqlBool>`false` : codeUnder(eb, "community_code", actor.scopeCode)))
    .where((eb) => codeUnder(eb, "community_code", division))
    .groupBy(sql`1`)
    .execute();
  return { byStatus: await byStatus, overdue: await overdue };
}

/**
 * The cases handled on the spot under a division in the actor's scope, how many were reviewed and
 * how many failed their review: read from the partial index of on-the-spot cases alone.
 */
export function countOnSpotUnder(db: Kysely<DB>, actor: Actor, division: string) {
  return db
    .selectFrom("cases")
    .select([
      sql<number>`count(*)::int`.as("handled"),
      sql<number>`count(spot_review)::int`.as("reviewed"),
      sql<number>`count(*) filter (where spot_review = 'failed')::int`.as("failed"),
    ])
    .where("region_code", "=", division.slice(0, 6))
    .where("handled_on_spot", "=", true)
    .where((eb) => (actor.scopeCode === null ? sql<SqlBool>`false` : codeUnder(eb, "community_code", actor.scopeCode)))
    .where((eb) => codeUnder(eb, "community_code", division))
    .executeTakeFirstOrThrow();
}

/** The answers of the given cases that have any, by case id: what an export's page adds to its rows. */
export async function findCaseAnswers(
  db: Kysely<DB>,
  keys: readonly { region_code: string; id: string }[],
): Promise<Map<string, Record<string, CaseAnswer>>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom("cases")
    .select(["id", "answers"])
    .where("region_code", "in", [...new Set(keys.map((key) => key.region_code))])
    .where("id", "in", keys.map((key) => key.id))
    .where(sql<SqlBool>`answers <> '{}'::jsonb`)
    .execute();
  return new Map(rows.map((row) => [row.id, row.answers]));
}

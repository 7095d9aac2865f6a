import { sql, type Kysely, type RawBuilder } from "kysely";
import type { DB } from "../../db/schema.ts";
import { codeRangeEnd } from "../cases/cases.repository.ts";
import { COUNTED_INDICATORS, countedIn, countedPerson, type CountedIndicator } from "../cases/counted-cases.ts";
import { kindOf, lateSegmentsOf, LATE_COLUMNS, REPORTER_COLUMNS, REPORTER_INDICATORS, segmentsOf, SUM_COLUMNS, type Bucket, type CountSums, type Grouping, type Segment } from "./indicators.ts";

/** Where the counts are read: a division (district, street, community) or one grid. */
export type CountScope = { regionCode: string; division: string };

/** One group's sums in one bucket. */
export type GroupSums = { bucket: string; group: string; sums: CountSums };

const GRID_CODE_LENGTH = 15;

/** The rollup rows of a division: a range of community codes, or one grid's rows of kind 'grid'. */
function divisionRows(alias: string, scope: CountScope): RawBuilder<unknown> {
  const community = sql.ref(`${alias}.community_code`);
  if (scope.division.length >= GRID_CODE_LENGTH) {
    return sql`${community} = ${scope.division.slice(0, 12)} and ${sql.ref(`${alias}.value`)} = ${scope.division}`;
  }
  return communitiesUnder(community, scope.division);
}

/** Community codes under a division, as a range a btree walks. */
function communitiesUnder(community: RawBuilder<unknown>, division: string): RawBuilder<unknown> {
  const end = codeRangeEnd(division);
  return end === null ? sql`${community} >= ${division}` : sql`${community} >= ${division} and ${community} < ${end}`;
}

/** The expression that names a row's group. */
function groupKey(alias: string, groupBy: Grouping | undefined): RawBuilder<string> {
  switch (groupBy) {
    case undefined:
    case "day":
    case "week":
    case "month":
      return sql<string>`''`;
    case "street":
      return sql<string>`substr(${sql.ref(`${alias}.community_code`)}, 1, 9)`;
    case "community":
      return sql<string>`${sql.ref(`${alias}.community_code`)}`;
    default:
      return sql<string>`${sql.ref(`${alias}.value`)}`;
  }
}

/**
 * Grouped by who found the problem, only staff are groups: the figures rank grid workers and
 * patrols, and a resident who reported is neither listed nor named. Tested on the groups once
 * summed (a reporter's key is a user id, or '' for an anonymous report), not on every row read.
 */
const STAFF_IDS = sql`(select id from users where scope_code is not null)`;
function staffOnly(alias: string, groupBy: Grouping | undefined): RawBuilder<unknown> {
  return groupBy === "reporter" ? sql`nullif(${sql.ref(`${alias}.value`)}, '')::uuid in ${STAFF_IDS}` : sql`true`;
}

const segmentValues = (segments: readonly Segment[]) =>
  sql`(values ${sql.join(segments.map((segment) => sql`(${segment.key}::text, ${segment.grain}::text, ${segment.from}::date, ${segment.to}::date)`))}) as s (key, grain, first, last)`;

/**
 * The late rows' stretches of each bucket: its cases carried in (done in it, due before its first
 * day, `bucket_first`) by `lateSegmentsOf`, and its cases carried out (due in it, done after it:
 * the grain 'beyond', over the whole bucket).
 */
const lateSegmentValues = (buckets: readonly Bucket[]) =>
  sql`(values ${sql.join(
    buckets.flatMap((bucket) =>
      [...lateSegmentsOf(bucket), { key: bucket.key, grain: "beyond", from: bucket.from, to: bucket.to }].map(
        (segment) => sql`(${segment.key}::text, ${segment.grain}::text, ${segment.from}::date, ${segment.to}::date, ${bucket.from}::date)`,
      ),
    ),
  )}) as s (key, grain, first, last, bucket_first)`;

/**
 * The sums of every group in every bucket, from the rollups alone: the rows of the buckets (whole
 * half months from the half-month rows where the kind has them, the other days from the day rows),
 * and the late rows that cross a bucket's bounds (closed after a deadline before it: due in it;
 * due in it and closed after it: not closed in it). Each stretch reads its own index range (a
 * lateral subquery, kept apart by `offset 0`): joined plainly, the planner read every row of the
 * kind once and compared it with every bucket, three times the work for a year by month. A bucket
 * that starts on a half month reads the cases it carries in from the late half-month rows
 * (`case_late_half_counts`) for its whole half months: at 10,000,000 cases a year by month read
 * 41,000 late rows by day. Each read names its stages, which come before the days in the keys, so
 * that the days bound the range read.
 *
 * The kind 'reporter' reads its two measures alone (`REPORTER_COLUMNS`), from the partial indexes
 * that hold them (`case_counts_reporters`, `case_half_counts_reporters`: no row visited), and no
 * late rows: its grid workers by half month read 18 sums of 4,640 scattered rows at a million cases.
 * The kind is written into the text, so that the planner can prove those indexes apply.
 */
export async function sumCounts(db: Kysely<DB>, scope: CountScope, groupBy: Grouping | undefined, buckets: readonly Bucket[]): Promise<GroupSums[]> {
  const kind = scope.division.length >= GRID_CODE_LENGTH ? "grid" : kindOf(groupBy);
  const sums: readonly string[] = kind === "reporter" ? REPORTER_COLUMNS : SUM_COLUMNS;
  const segments = buckets.flatMap((bucket) => segmentsOf(bucket, kind));
  const columns = (alias: string) => sql.join([sql.ref(`${alias}.community_code`), sql.ref(`${alias}.value`), ...sums.map((column) => sql.ref(`${alias}.${column}`))]);
  const lateColumns = (alias: string) => sql.join(["stage", "community_code", "value", "cases", "reworked", "extended"].map((column) => sql.ref(`${alias}.${column}`)));
  const days = sql`
    select s.key as bucket, ${groupKey("c", groupBy)} as "group",
      ${sql.join(sums.map((column) => sql`sum(c.${sql.ref(column)})::float8 as ${sql.ref(column)}`))}
    from ${segmentValues(segments)} cross join lateral (
      select ${columns("c")} from case_counts as c
      where s.grain = 'day' and c.region_code = ${scope.regionCode} and c.kind = ${sql.lit(kind)} and c.day between s.first and s.last and ${divisionRows("c", scope)}
      union all
      select ${columns("h")} from case_half_counts as h
      where s.grain = 'half' and h.region_code = ${scope.regionCode} and h.kind = ${sql.lit(kind)} and h.half between s.first and s.last and ${divisionRows("h", scope)}
      offset 0
    ) as c
    group by 1, 2
    having ${staffOnly("c", groupBy)}`;
  type SumsRow = { bucket: string; group: string } & Record<string, string | number>;
  const { rows } =
    kind === "reporter"
      ? await sql<SumsRow>`${days}`.execute(db)
      : await sql<SumsRow>`
    with days as (${days}),
    late as (
      select l.bucket, ${groupKey("l", groupBy)} as "group",
        sum(l.cases) filter (where l.part = 'carried' and l.stage = 'close')::float8 as carried_close,
        sum(l.reworked) filter (where l.part = 'carried' and l.stage = 'close')::float8 as carried_reworked,
        sum(l.extended) filter (where l.part = 'carried' and l.stage = 'close')::float8 as carried_extended,
        sum(l.cases) filter (where l.part = 'beyond')::float8 as beyond_close,
        sum(l.cases) filter (where l.part = 'carried' and l.stage = 'handle')::float8 as carried_handle
      from ${lateSegmentValues(buckets)} cross join lateral (
        select s.key as bucket, 'carried' as part, ${lateColumns("l")} from case_late_half_counts as l
        where s.grain = 'half' and l.region_code = ${scope.regionCode} and l.kind = ${sql.lit(kind)} and l.stage in ('close', 'handle') and l.done_half between s.first and s.last and l.due_half < s.bucket_first and ${divisionRows("l", scope)}
        union all
        select s.key, 'carried', ${lateColumns("l")} from case_late_counts as l
        where s.grain = 'day' and l.region_code = ${scope.regionCode} and l.kind = ${sql.lit(kind)} and l.stage in ('close', 'handle') and l.done_day between s.first and s.last and l.due_day < s.bucket_first and ${divisionRows("l", scope)}
        union all
        select s.key, 'beyond', ${lateColumns("l")} from case_late_counts as l
        where s.grain = 'beyond' and l.region_code = ${scope.regionCode} and l.kind = ${sql.lit(kind)} and l.stage = 'close' and l.due_day between s.first and s.last and l.done_day > s.last and ${divisionRows("l", scope)}
      ) as l
      group by 1, 2
    )
    select coalesce(days.bucket, late.bucket) as bucket, coalesce(days."group", late."group") as "group",
      ${sql.join(SUM_COLUMNS.map((column) => sql.ref(`days.${column}`)))}, ${sql.join(LATE_COLUMNS.map((column) => sql.ref(`late.${column}`)))}
    from days full join late on late.bucket = days.bucket and late."group" = days."group"
  `.execute(db);
  return rows.map((row) => {
    const sums = {} as CountSums;
    for (const column of [...SUM_COLUMNS, ...LATE_COLUMNS]) {
      sums[column] = Number(row[column] ?? 0);
    }
    return { bucket: String(row.bucket), group: String(row.group), sums };
  });
}

/** The case row's expression that names its group, as the rollups group it. */
function caseGroupKey(groupBy: Grouping | undefined): RawBuilder<string> {
  switch (groupBy) {
    case undefined:
    case "day":
    case "week":
    case "month":
      return sql<string>`''`;
    case "street":
      return sql<string>`street_code`;
    case "community":
      return sql<string>`community_code`;
    case "grid":
      return sql<string>`grid_code`;
    case "department":
      return sql<string>`coalesce(department_code, '')`;
    case "person":
      return countedPerson;
    case "category":
      return sql<string>`coalesce(category_code, '')`;
    case "level":
      return sql<string>`level`;
    case "source":
      return sql<string>`source`;
    case "reporter":
      return sql<string>`coalesce(reporter_user_id::text, '')`;
  }
}

/**
 * The same figures counted from the case table, one bucket at a time: what the rollups must equal,
 * and the cost they save (the benchmark prints both).
 */
export async function scanCounts(
  db: Kysely<DB>,
  scope: CountScope,
  groupBy: Grouping | undefined,
  buckets: readonly Bucket[],
  suspendedDue: boolean,
): Promise<{ bucket: string; group: string; counts: Record<CountedIndicator, number> }[]> {
  const under = scope.division.length >= GRID_CODE_LENGTH ? sql`grid_code = ${scope.division}` : communitiesUnder(sql.ref("community_code"), scope.division);
  const indicators = groupBy === "reporter" ? REPORTER_INDICATORS : COUNTED_INDICATORS;
  const results = [];
  for (const bucket of buckets) {
    const { rows } = await sql<{ group: string } & Record<string, string>>`
      select ${caseGroupKey(groupBy)} as "group",
        ${sql.join(indicators.map((indicator) => sql`count(*) filter (where ${countedIn(indicator, bucket, suspendedDue)}) as ${sql.ref(indicator)}`))}
      from cases where region_code = ${scope.regionCode} and ${under}
        and ${groupBy === "reporter" ? sql`reporter_user_id in ${STAFF_IDS}` : sql`true`}
      group by 1`.execute(db);
    for (const row of rows) {
      const counts = Object.fromEntries(COUNTED_INDICATORS.map((indicator) => [indicator, Number(row[indicator] ?? 0)])) as Record<CountedIndicator, number>;
      results.push({ bucket: bucket.key, group: row.group, counts });
    }
  }
  return results;
}

/** Whether suspended cases count as due in the region (its evaluation setting, else yes). */
export async function suspendedDueIn(db: Kysely<DB>, regionCode: string): Promise<boolean> {
  const row = await db.selectFrom("evaluation_settings").select("suspended_due").where("region_code", "=", regionCode).executeTakeFirst();
  return row?.suspended_due ?? true;
}

import { sql, type Kysely, type SqlBool } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.ts";
import { matchingCases, type CasePageFilter } from "./case-queue.repository.ts";

/** A box in WGS-84 degrees, west to east and south to north. */
export type Bbox = { minLng: number; minLat: number; maxLng: number; maxLat: number };

/** The columns a points read can aggregate, the answer's own. */
export type PointColumn = "ids" | "numbers" | "lngs" | "lats" | "statuses" | "lights" | "categories" | "levels" | "sources";

/**
 * The clock the lights are read at: overdue before `now`, near due up to the near-due limit of the
 * case's region (`limits` for the regions with a calendar of their own, else `otherwise`).
 */
export type LightClock = { now: Date; otherwise: Date; regions: string[]; limits: Date[] };

/**
 * The points as columns, each a comma-separated list in the same case order (no value holds a
 * comma: codes, numbers, uuids, lights); a column not asked for is absent.
 */
export type PointColumns = Partial<Record<PointColumn, string | null>> & Fingerprint;

/** The parts of `fingerprint`, as the database sums them. */
type Fingerprint = { n: number; id_hashes: string | null; newest: string | null; versions: string | null; overdue: number; due_soon: number };

/** A change detector of a set of case rows and their lights: see `casePointsFingerprint`. */
export const fingerprint = (row: Fingerprint): string => `${row.n}:${row.id_hashes ?? ""}:${row.newest ?? ""}:${row.versions ?? ""}:${row.overdue}:${row.due_soon}`;

/** The near-due limit of a row's region. */
function nearDueLimit(clock: LightClock) {
  if (clock.regions.length === 0) return sql`${clock.otherwise}::timestamptz`;
  return sql`coalesce((${clock.limits}::timestamptz[])[array_position(${clock.regions}::text[], region_code)], ${clock.otherwise}::timestamptz)`;
}

// Over rows that carry their `version` (xmin as a number). uuid_hash, not the id's text hashed.
// Lights only ever move on (on time, near due, overdue) while the rows stay: with the same rows,
// the same counts of overdue and of near due or overdue cases are the same lights.
const fingerprintColumns = (clock: LightClock) =>
  [
    sql<string | null>`sum(uuid_hash(id))::text`.as("id_hashes"),
    sql<string | null>`max(version)::text`.as("newest"),
    sql<string | null>`sum(version)::text`.as("versions"),
    sql<number>`(count(*) filter (where handle_by < ${clock.now}::timestamptz))::int`.as("overdue"),
    sql<number>`(count(*) filter (where handle_by <= ${nearDueLimit(clock)}))::int`.as("due_soon"),
  ] as const;

/** The cases the list's filter (and a box) match. A box is matched as the intake's duplicate search does (through cases_open_place where the planner finds it worth it). */
function matchedCases(db: Kysely<DB>, actor: Actor, filter: Omit<CasePageFilter, "after" | "limit">, bbox: Bbox | undefined) {
  const matched = matchingCases(db, actor, filter);
  if (!bbox) return matched;
  return matched.where(
    sql<SqlBool>`point(lng, lat) <@ box(point(${bbox.minLng}::float8, ${bbox.minLat}::float8), point(${bbox.maxLng}::float8, ${bbox.maxLat}::float8))`,
  );
}

const pointAggregates = (clock: LightClock) =>
  [
    ["ids", sql<string | null>`string_agg(id::text, ',')`],
    ["numbers", sql<string | null>`string_agg(number, ',')`],
    // Rounded here to seven decimals (about a centimetre): the text is then the answer's JSON as it is.
    ["lngs", sql<string | null>`string_agg((round(lng * 1e7::float8) / 1e7::float8)::text, ',')`],
    ["lats", sql<string | null>`string_agg((round(lat * 1e7::float8) / 1e7::float8)::text, ',')`],
    ["statuses", sql<string | null>`string_agg(status, ',')`],
    // Read here, not from each deadline and region in the server: a short word instead of two long columns to parse.
    [
      "lights",
      sql<string | null>`string_agg(case when handle_by < ${clock.now}::timestamptz then 'overdue' when handle_by <= ${nearDueLimit(clock)} then 'near_due' else 'on_time' end, ',')`,
    ],
    ["categories", sql<string | null>`string_agg(coalesce(category_code, ''), ',')`],
    ["levels", sql<string | null>`string_agg(level, ',')`],
    ["sources", sql<string | null>`string_agg(source, ',')`],
  ] as const satisfies readonly (readonly [PointColumn, unknown])[];

/**
 * The points of the cases the list's filter matches, at most `limit + 1` (one more than asked, so
 * that the caller knows whether the answer was cut off): in the order the database reads them, or
 * newest first when `newest` (what a cut-off answer keeps; sorting every match costs a third of
 * the read). Read as one row of aggregated columns: tens of thousands of rows cost far more to hand
 * over, from the embedded database's worker especially, than a few long strings. Every aggregate
 * reads the same rows in the same order, so the i-th entries of the columns belong to one case.
 * Only the `columns` asked for are aggregated: each one is a large share of the read.
 */
export async function findCasePoints(
  db: Kysely<DB>,
  actor: Actor,
  filter: Omit<CasePageFilter, "after" | "limit">,
  bbox: Bbox | undefined,
  limit: number,
  columns: ReadonlySet<PointColumn>,
  newest: boolean,
  clock: LightClock,
): Promise<PointColumns> {
  let rows = matchedCases(db, actor, filter, bbox).select([
    "region_code", "id", "number", "lng", "lat", "status", "category_code", "level", "source", "handle_by", sql<string>`xmin::text::bigint`.as("version"),
  ]);
  if (newest) rows = rows.orderBy("created_at", "desc").orderBy("id", "desc");
  return db
    .selectFrom(rows.limit(limit + 1).as("p"))
    .select([
      sql<number>`count(*)::int`.as("n"),
      ...pointAggregates(clock)
        .filter(([column]) => columns.has(column))
        .map(([column, aggregate]) => aggregate.as(column)),
      ...fingerprintColumns(clock),
    ])
    .executeTakeFirstOrThrow();
}

/**
 * What changes whenever the set of matched cases, any of their rows or any of their lights at
 * `clock` does, read without building the answer: how many, a sum of their ids' hashes (which
 * cases), the newest and the sum of their row versions (xmin: every update writes a new version
 * under a later transaction), and how many are overdue and how many near due or overdue. The
 * points' own read sums the same over the same rows, so an answer that was not cut off has the
 * fingerprint of its cases and their lights.
 */
export async function casePointsFingerprint(
  db: Kysely<DB>,
  actor: Actor,
  filter: Omit<CasePageFilter, "after" | "limit">,
  bbox: Bbox | undefined,
  clock: LightClock,
): Promise<string> {
  const rows = matchedCases(db, actor, filter, bbox).select(["region_code", "id", "handle_by", sql<string>`xmin::text::bigint`.as("version")]);
  const row = await db
    .selectFrom(rows.as("p"))
    .select([sql<number>`count(*)::int`.as("n"), ...fingerprintColumns(clock)])
    .executeTakeFirstOrThrow();
  return fingerprint(row);
}

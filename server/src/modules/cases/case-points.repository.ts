import { sql, type Kysely, type SqlBool } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.ts";
import { matchingCases, type CasePageFilter } from "./case-queue.repository.ts";

/** A box in WGS-84 degrees, west to east and south to north. */
export type Bbox = { minLng: number; minLat: number; maxLng: number; maxLat: number };

/** The points as columns, each a comma-separated list in the same case order (no value holds a comma: codes, numbers, uuids). */
export type PointColumns = {
  n: number;
  ids: string | null;
  numbers: string | null;
  lngs: string | null;
  lats: string | null;
  statuses: string | null;
  categories: string | null;
  levels: string | null;
  sources: string | null;
  regions: string | null;
  /** handle_by, milliseconds since the epoch. */
  handles: string | null;
};

/**
 * The points of the cases the list's filter matches, newest first, at most `limit + 1` (one more
 * than asked, so that the caller knows whether the answer was cut off). Read as one row of
 * aggregated columns: tens of thousands of rows cost far more to hand over, from the embedded
 * database's worker especially, than a few long strings. Every aggregate reads the same rows in
 * the same order, so the i-th entries of the columns belong to one case. A box is matched as the
 * intake's duplicate search does (through cases_open_place where the planner finds it worth it).
 */
export async function findCasePoints(db: Kysely<DB>, actor: Actor, filter: Omit<CasePageFilter, "after" | "limit">, bbox: Bbox | undefined, limit: number): Promise<PointColumns> {
  let matched = matchingCases(db, actor, filter).select(["region_code", "id", "number", "lng", "lat", "status", "category_code", "level", "source", "handle_by"]);
  if (bbox) {
    matched = matched.where(
      sql<SqlBool>`point(lng, lat) <@ box(point(${bbox.minLng}::float8, ${bbox.minLat}::float8), point(${bbox.maxLng}::float8, ${bbox.maxLat}::float8))`,
    );
  }
  const rows = matched.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit + 1);
  return db
    .selectFrom(rows.as("p"))
    .select([
      sql<number>`count(*)::int`.as("n"),
      sql<string | null>`string_agg(id::text, ',')`.as("ids"),
      sql<string | null>`string_agg(number, ',')`.as("numbers"),
      sql<string | null>`string_agg(lng::text, ',')`.as("lngs"),
      sql<string | null>`string_agg(lat::text, ',')`.as("lats"),
      sql<string | null>`string_agg(status, ',')`.as("statuses"),
      sql<string | null>`string_agg(coalesce(category_code, ''), ',')`.as("categories"),
      sql<string | null>`string_agg(level, ',')`.as("levels"),
      sql<string | null>`string_agg(source, ',')`.as("sources"),
      sql<string | null>`string_agg(region_code, ',')`.as("regions"),
      sql<string | null>`string_agg((extract(epoch from handle_by) * 1000)::bigint::text, ',')`.as("handles"),
    ])
    .executeTakeFirstOrThrow();
}

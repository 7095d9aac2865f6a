import { sql, type Kysely, type SqlBool } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.ts";
import { matchingCases, type CasePageFilter } from "./case-queue.repository.ts";

/** A box in WGS-84 degrees, west to east and south to north. */
export type Bbox = { minLng: number; minLat: number; maxLng: number; maxLat: number };

/**
 * The points of the cases the list's filter matches, newest first, with one row more than the
 * limit so that the caller knows whether the answer was cut off. Only the columns a map draws and
 * filters by; a box is matched as the intake's duplicate search does, through the GiST index over
 * the open cases' points (cases_open_place).
 */
export function findCasePoints(db: Kysely<DB>, actor: Actor, filter: Omit<CasePageFilter, "after" | "limit">, bbox: Bbox | undefined, limit: number) {
  let query = matchingCases(db, actor, filter).select([
    "region_code",
    "id",
    "number",
    "lng",
    "lat",
    "status",
    "category_code",
    "level",
    "source",
    "handle_by",
  ]);
  if (bbox) {
    query = query.where(
      sql<SqlBool>`point(lng, lat) <@ box(point(${bbox.minLng}::float8, ${bbox.minLat}::float8), point(${bbox.maxLng}::float8, ${bbox.maxLat}::float8))`,
    );
  }
  return query.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit + 1).execute();
}

import { sql, type Kysely } from "kysely";
import type { DB, GeoJsonPolygon } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.ts";
import { inScope } from "../auth/actor.ts";
import { polygonBBox } from "./geometry.ts";

/** Grids under a division and inside the actor's scope, with their community's and street's names. */
export function findGridsUnder(db: Kysely<DB>, actor: Actor, divisionCode: string) {
  return db
    .selectFrom("grids")
    .innerJoin("divisions as community", "community.code", "grids.community_code")
    .innerJoin("divisions as street", "street.code", "community.parent_code")
    .select([
      "grids.code",
      "grids.name",
      "grids.geometry",
      "community.code as community_code",
      "community.name as community_name",
      "street.code as street_code",
      "street.name as street_name",
    ])
    .where("grids.code", "like", `${divisionCode}%`)
    .where(inScope(actor, sql.ref("grids.code")))
    .orderBy("grids.code")
    .execute();
}

export function findGrid(db: Kysely<DB>, actor: Actor, code: string) {
  return db
    .selectFrom("grids")
    .innerJoin("divisions as community", "community.code", "grids.community_code")
    .innerJoin("divisions as street", "street.code", "community.parent_code")
    .select(["grids.code", "grids.name", "community.code as community_code", "community.name as community_name"])
    .select(["street.code as street_code", "street.name as street_name"])
    .where("grids.code", "=", code)
    .where(inScope(actor, sql.ref("grids.code")))
    .executeTakeFirst();
}

export function findGridStaff(db: Kysely<DB>, gridCode: string) {
  return db
    .selectFrom("grid_staff")
    .innerJoin("users", "users.id", "grid_staff.user_id")
    .select(["users.id", "users.display_name", "users.phone", "grid_staff.duty"])
    .where("grid_staff.grid_code", "=", gridCode)
    .orderBy("grid_staff.duty")
    .orderBy("users.display_name")
    .execute();
}

/** Every grid with the names the locator answers with. */
export function findAllGridsForIndex(db: Kysely<DB>) {
  return db
    .selectFrom("grids")
    .innerJoin("divisions as community", "community.code", "grids.community_code")
    .innerJoin("divisions as street", "street.code", "community.parent_code")
    .select(["grids.code", "grids.name", "grids.geometry", "community.code as community_code"])
    .select(["community.name as community_name", "street.code as street_code", "street.name as street_name"])
    .execute();
}

export type GridInput = { code: string; name: string; geometry: GeoJsonPolygon; regionCode: string };

const BATCH = 200;

export async function upsertGrids(db: Kysely<DB>, grids: GridInput[]): Promise<void> {
  for (let start = 0; start < grids.length; start += BATCH) {
    const rows = grids.slice(start, start + BATCH).map((grid) => {
      const [minLng, minLat, maxLng, maxLat] = polygonBBox(grid.geometry);
      return {
        code: grid.code,
        community_code: grid.code.slice(0, 12),
        region_code: grid.regionCode,
        name: grid.name,
        geometry: JSON.stringify(grid.geometry),
        min_lng: minLng,
        min_lat: minLat,
        max_lng: maxLng,
        max_lat: maxLat,
      };
    });
    await db
      .insertInto("grids")
      .values(rows)
      .onConflict((conflict) =>
        conflict.column("code").doUpdateSet((eb) => ({
          name: eb.ref("excluded.name"),
          geometry: eb.ref("excluded.geometry"),
          min_lng: eb.ref("excluded.min_lng"),
          min_lat: eb.ref("excluded.min_lat"),
          max_lng: eb.ref("excluded.max_lng"),
          max_lat: eb.ref("excluded.max_lat"),
        })),
      )
      .execute();
  }
}

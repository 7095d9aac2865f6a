import type { Kysely } from "kysely";
import type { DB, DivisionLevel, DivisionRow } from "../../db/schema.ts";

export type DivisionInput = {
  code: string;
  parentCode: string | null;
  level: DivisionLevel;
  name: string;
  regionCode: string;
  geometry?: DivisionRow["geometry"];
  lat?: number | null;
  lng?: number | null;
};

/** The division and its descendants at the given levels, in code order. */
export function findSubtree(db: Kysely<DB>, code: string, levels: DivisionLevel[], withGeometry: boolean) {
  return db
    .selectFrom("divisions")
    .select(["code", "parent_code", "level", "name", "lat", "lng"])
    .$if(withGeometry, (query) => query.select("geometry"))
    .where((eb) =>
      eb.or([eb("code", "=", code), eb.and([eb("code", "like", `${code}%`), eb("level", "in", levels.length ? levels : ["district"])])]),
    )
    .orderBy("code")
    .execute();
}

const BATCH = 500;

/** Inserts or renames divisions, parents first; geometry given replaces the stored one. */
export async function upsertDivisions(db: Kysely<DB>, divisions: DivisionInput[]): Promise<void> {
  for (let start = 0; start < divisions.length; start += BATCH) {
    const rows = divisions.slice(start, start + BATCH).map((division) => ({
      code: division.code,
      parent_code: division.parentCode,
      level: division.level,
      name: division.name,
      region_code: division.regionCode,
      geometry: division.geometry === undefined ? null : JSON.stringify(division.geometry),
      lat: division.lat ?? null,
      lng: division.lng ?? null,
    }));
    await db
      .insertInto("divisions")
      .values(rows)
      .onConflict((conflict) =>
        conflict.column("code").doUpdateSet((eb) => ({
          name: eb.ref("excluded.name"),
          geometry: eb.fn.coalesce(eb.ref("excluded.geometry"), eb.ref("divisions.geometry")),
          lat: eb.fn.coalesce(eb.ref("excluded.lat"), eb.ref("divisions.lat")),
          lng: eb.fn.coalesce(eb.ref("excluded.lng"), eb.ref("divisions.lng")),
        })),
      )
      .execute();
  }
}

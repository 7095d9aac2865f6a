import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.ts";
import { inScope } from "../auth/actor.ts";

export type MappingRow = Awaited<ReturnType<typeof findMappings>>[number];

const MAPPING_COLUMNS = ["id", "region_code", "name", "source_name", "columns", "category_values", "crs", "version", "created_at", "updated_at"] as const;

export function findMappings(db: Kysely<DB>, regionCode: string) {
  return db.selectFrom("hotline_mappings").select(MAPPING_COLUMNS).where("region_code", "=", regionCode).orderBy("name").execute();
}

export function findMapping(db: Kysely<DB>, regionCode: string, id: string) {
  return db.selectFrom("hotline_mappings").select(MAPPING_COLUMNS).where("region_code", "=", regionCode).where("id", "=", id).executeTakeFirst();
}

/** Mappings of this name in any region (the command line names a mapping without a session). */
export function findMappingsByName(db: Kysely<DB>, name: string, regionCode?: string) {
  return db
    .selectFrom("hotline_mappings")
    .select(MAPPING_COLUMNS)
    .where("name", "=", name)
    .$if(regionCode !== undefined, (query) => query.where("region_code", "=", regionCode as string))
    .execute();
}

/** The work-order numbers of a source already held in the region, among `refs`. */
export async function existingRefs(db: Kysely<DB>, regionCode: string, source: string, refs: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let start = 0; start < refs.length; start += 5000) {
    const rows = await db
      .selectFrom("cases")
      .select("external_ref")
      .where("region_code", "=", regionCode)
      .where("external_source", "=", source)
      .where("external_ref", "=", sql<string>`any(${[...refs.slice(start, start + 5000)]}::text[])`)
      .execute();
    for (const row of rows) if (row.external_ref) found.add(row.external_ref);
  }
  return found;
}

/**
 * Runs `work` while this process holds the region's source on a connection of its own (released
 * with it, should the process die), so that two imports of one source never write a work order
 * twice: a second waits until the first has written everything.
 */
export async function holdingSource<T>(db: Kysely<DB>, regionCode: string, source: string, work: () => Promise<T>): Promise<T> {
  const key = `hotline:${regionCode}:${source}`;
  return db.connection().execute(async (held) => {
    await sql`select pg_advisory_lock(hashtext(${key}))`.execute(held);
    try {
      return await work();
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(held);
    }
  });
}

/** The places an address may name: communities, courtyards and buildings with their points, and grids. */
export async function findAddressPlaces(db: Kysely<DB>, regionCode: string) {
  const [divisions, grids] = await Promise.all([
    db
      .selectFrom("divisions")
      .select(["code", "parent_code", "level", "name", "lat", "lng"])
      .where("region_code", "=", regionCode)
      .where("level", "in", ["community", "courtyard", "building"])
      .execute(),
    db.selectFrom("grids").select(["code", "name", "community_code"]).where("region_code", "=", regionCode).orderBy("code").execute(),
  ]);
  return { divisions, grids };
}

/**
 * The imported cases of a source in the actor's scope (all of the region's for the command line)
 * imported in the period, with what the source's platform wants back: the department, the last
 * handling or closing note, the rating.
 */
export async function findExportRows(db: Kysely<DB>, actor: Actor | null, q: { regionCode: string; source: string; from: Date; to: Date }) {
  return db
    .selectFrom("cases")
    .leftJoin("departments", "departments.code", "cases.department_code")
    .select([
      "cases.external_ref",
      "cases.number",
      "cases.status",
      "cases.closed_at",
      "cases.satisfaction",
      "cases.resolved",
      "departments.name as department_name",
      (eb) =>
        eb
          .selectFrom("case_events")
          .select("note")
          .whereRef("case_events.region_code", "=", "cases.region_code")
          .whereRef("case_events.case_id", "=", "cases.id")
          .where("action", "in", ["handle", "close", "reject", "verify_pass"])
          .where("note", "is not", null)
          .orderBy("at", "desc")
          .limit(1)
          .as("note"),
    ])
    .where("cases.region_code", "=", q.regionCode)
    .where("cases.external_source", "=", q.source)
    .where("cases.created_at", ">=", q.from)
    .where("cases.created_at", "<", q.to)
    .$if(actor !== null, (query) => query.where((eb) => inScope(actor as Actor, eb.ref("cases.community_code"))))
    .orderBy("cases.created_at")
    .orderBy("cases.external_ref")
    .execute();
}

import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

/** Recomputes the region's rollups from its case events (`gridgov rollups rebuild`). */
export async function rebuildRollups(db: Kysely<DB>, regionCode: string): Promise<void> {
  await sql`select case_counts_rebuild(${regionCode})`.execute(db);
}

/** The regions that have cases. */
export async function regionsWithCases(db: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ region_code: string }>`select distinct region_code from cases order by 1`.execute(db);
  return rows.map((row) => row.region_code);
}

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

const ROLLUP_TRIGGERS = ["cases_counted_insert", "cases_counted_update", "cases_counted_delete"];

/**
 * For a bulk load in one transaction: the rollups stop following each statement, to be rebuilt
 * once from the events by `resumeRollups` in the same transaction (nothing else sees the tables
 * meanwhile: the load holds them).
 */
export async function pauseRollups(trx: Kysely<DB>): Promise<void> {
  for (const trigger of ROLLUP_TRIGGERS) await sql`alter table cases disable trigger ${sql.ref(trigger)}`.execute(trx);
}

export async function resumeRollups(trx: Kysely<DB>, regionCode: string): Promise<void> {
  for (const trigger of ROLLUP_TRIGGERS) await sql`alter table cases enable trigger ${sql.ref(trigger)}`.execute(trx);
  await rebuildRollups(trx, regionCode);
}

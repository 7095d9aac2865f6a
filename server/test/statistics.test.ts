import { sql, type Kysely } from "kysely";
import { describe, expect, it } from "vitest";
import { analyseGrownTables, keepStatistics } from "../src/db/statistics.ts";
import { openTestDatabase } from "./databases.ts";

/** The rows a table's statistics count: -1 before its first analysis. */
async function counted(db: Kysely<unknown>, table: string): Promise<number> {
  const { rows } = await sql<{ rows: number }>`select reltuples::float8 as rows from pg_class where oid = to_regclass(${table})`.execute(db);
  return Number(rows[0].rows);
}

const fill = (db: Kysely<unknown>, table: string, from: number, to: number) =>
  sql`insert into ${sql.table(table)} (id, note) select g, repeat('x', 200) from generate_series(${from}::int, ${to}::int) g`.execute(db);

// The tables here are made with autovacuum off, so that only the code under test analyses them on PostgreSQL.
describe("planner statistics", () => {
  it("a bulk write analyses a small table as it doubles, and leaves a large one to autovacuum", async () => {
    const { database, dispose } = await openTestDatabase("empty");
    const db = database.db as unknown as Kysely<unknown>;
    try {
      await sql`create table bulk_small (id int primary key, note text) with (autovacuum_enabled = false)`.execute(db);
      await sql`analyze bulk_small`.execute(db);
      const small = keepStatistics(db, "bulk_small");
      await fill(db, "bulk_small", 1, 600);
      await small.wrote(600);
      // Fewer than 1,000 rows written: left as it was.
      expect(await counted(db, "bulk_small")).toBeLessThanOrEqual(0);
      await fill(db, "bulk_small", 601, 1_500);
      await small.wrote(900);
      expect(await counted(db, "bulk_small")).toBe(1_500);

      await sql`create table bulk_large (id int primary key, note text) with (autovacuum_enabled = false)`.execute(db);
      await fill(db, "bulk_large", 1, 20_000);
      await sql`analyze bulk_large`.execute(db);
      const large = keepStatistics(db, "bulk_large");
      await fill(db, "bulk_large", 20_001, 45_000);
      await large.wrote(25_000);
      expect(await counted(db, "bulk_large")).toBe(20_000);
    } finally {
      await dispose();
    }
  });

  it("the embedded database's tables are analysed when they have none or have doubled since", async () => {
    const { database, dispose } = await openTestDatabase("empty");
    const db = database.db as unknown as Kysely<unknown>;
    try {
      await analyseGrownTables(db);
      await sql`create table grown (id int primary key, note text) with (autovacuum_enabled = false)`.execute(db);
      await fill(db, "grown", 1, 2_000);
      expect(await analyseGrownTables(db)).toBe(1);
      expect(await counted(db, "grown")).toBe(2_000);
      // Grown by half: not yet.
      await fill(db, "grown", 2_001, 3_000);
      expect(await analyseGrownTables(db)).toBe(0);
      expect(await counted(db, "grown")).toBe(2_000);
      await fill(db, "grown", 3_001, 4_500);
      expect(await analyseGrownTables(db)).toBe(1);
      expect(await counted(db, "grown")).toBe(4_500);
    } finally {
      await dispose();
    }
  });
});

import fs from "node:fs";
import { sql, type Kysely } from "kysely";
import type { DB } from "./schema.ts";

const MIGRATION_LOCK = 7_301_030;
const migrationsDir = new URL("./migrations/", import.meta.url);

/**
 * Applies the SQL files in migrations/ that have not run yet, in name order, in one transaction
 * under an advisory lock so that servers starting together apply each file once. Landed files are
 * never edited; a change is a new file.
 */
export async function migrate(db: Kysely<DB>): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
    await sql`create table if not exists schema_migrations (
      name text primary key,
      applied_at timestamptz not null default now()
    )`.execute(trx);
    const applied = new Set(
      (await trx.selectFrom("schema_migrations").select("name").execute()).map((row) => row.name),
    );
    const pending = fs
      .readdirSync(migrationsDir)
      .filter((name) => name.endsWith(".sql") && !applied.has(name))
      .sort();
    for (const name of pending) {
      await sql.raw(fs.readFileSync(new URL(name, migrationsDir), "utf8")).execute(trx);
      await trx.insertInto("schema_migrations").values({ name }).execute();
    }
    return pending;
  });
}

import fs from "node:fs";
import { sql, type Kysely, type Transaction } from "kysely";
import { AppError } from "../errors.ts";
import type { DB } from "./schema.ts";

const MIGRATION_LOCK = 7_301_030;
const migrationsDir = new URL("./migrations/", import.meta.url);

export type MigrateOptions = {
  /** Apply only these (a restore first brings the target to exactly the backup's migrations). */
  only?: readonly string[];
};

/** The migration files this code knows, in the order they apply. */
export function knownMigrations(): string[] {
  return fs
    .readdirSync(migrationsDir)
    .filter((name) => name.endsWith(".sql"))
    .sort();
}

/**
 * Applies the SQL files in migrations/ that have not run yet, in name order, in one transaction
 * under an advisory lock so that servers starting together apply each file once. Landed files are
 * never edited; a change is a new file.
 */
export async function migrate(db: Kysely<DB>, options: MigrateOptions = {}): Promise<string[]> {
  return db.transaction().execute((trx) => migrateWithin(trx, options));
}

/** `migrate` inside the caller's transaction, so that a restore migrates and loads all or nothing. */
export async function migrateWithin(trx: Transaction<DB>, options: MigrateOptions = {}): Promise<string[]> {
  const known = knownMigrations();
  refuseUnknown(known, options.only ?? []);
  await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(trx);
  await sql`create table if not exists schema_migrations (
    name text primary key,
    applied_at timestamptz not null default now()
  )`.execute(trx);
  const applied = new Set(
    (await trx.selectFrom("schema_migrations").select("name").execute()).map((row) => row.name),
  );
  // A database a newer version has migrated: this version would misread its tables.
  refuseUnknown(known, [...applied]);
  const wanted = options.only && new Set(options.only);
  const pending = known.filter((name) => !applied.has(name) && (!wanted || wanted.has(name)));
  for (const name of pending) {
    await sql.raw(fs.readFileSync(new URL(name, migrationsDir), "utf8")).execute(trx);
    await trx.insertInto("schema_migrations").values({ name }).execute();
  }
  return pending;
}

function refuseUnknown(known: string[], names: readonly string[]): void {
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new AppError(409, "unknown_migration", `This version of gridgov does not know the migration ${unknown.join(", ")}; use a newer one`, {
      unknown,
    });
  }
}

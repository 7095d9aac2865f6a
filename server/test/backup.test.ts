import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.ts";
import { createContext } from "../src/create-context.ts";
import { backupDatabase, checkBackup, restoreDatabase } from "../src/db/backup.ts";
import { openDatabase, type Database } from "../src/db/database.ts";
import { knownMigrations, migrate } from "../src/db/migrate.ts";
import type { DB } from "../src/db/schema.ts";
import { blankTarget } from "./blank-database.ts";
import { usePostgres } from "./databases.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-backups-"));
const disposers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const dispose of disposers.reverse()) await dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A blank database, opened; closed and removed after the file's tests. */
async function blankDatabase(): Promise<Database> {
  const blank = await blankTarget();
  disposers.push(blank.dispose);
  const database = await openDatabase(blank.target);
  disposers.push(() => database.close());
  return database;
}

/**
 * Every table of the public schema, found in the catalog as the backup finds its own tables, as
 * sorted row texts; sequences by their state. schema_migrations by name only: a restore records
 * when it ran them.
 */
async function contents(db: Kysely<DB>): Promise<Record<string, string[]>> {
  return db.transaction().execute(async (trx) => {
    await sql`set local timezone = 'UTC'`.execute(trx);
    await sql`set local extra_float_digits = 1`.execute(trx);
    const { rows: relations } = await sql<{ name: string; kind: string }>`
      select c.relname as name, c.relkind::text as kind from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p', 'S') order by c.relname`.execute(trx);
    const result: Record<string, string[]> = {};
    for (const { name, kind } of relations) {
      const query =
        name === "schema_migrations"
          ? "select name as row from schema_migrations"
          : kind === "S"
            ? `select last_value || ' ' || is_called as row from public."${name}"`
            : `select t::text as row from public."${name}" t`;
      result[name] = (await sql.raw<{ row: string }>(query).execute(trx)).rows.map((row) => row.row).sort();
    }
    return result;
  });
}

/** Constraints and triggers: a restore drops some for the load and must leave them as they were. */
async function constraintsAndTriggers(db: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ line: string }>`
    select conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated as line
      from pg_constraint where connamespace = 'public'::regnamespace
    union all
    select tgrelid::regclass::text || ' ' || tgname || ' ' || tgenabled::text from pg_trigger
     where not tgisinternal and tgrelid in (select oid from pg_class where relnamespace = 'public'::regnamespace)`.execute(db);
  return rows.map((row) => row.line).sort();
}

async function expectSameContents(restored: Kysely<DB>, source: Record<string, string[]>): Promise<void> {
  const after = await contents(restored);
  expect(Object.keys(after)).toEqual(Object.keys(source));
  for (const table of Object.keys(source)) expect(after[table], table).toEqual(source[table]);
}

const gunzipLines = (file: string) => zlib.gunzipSync(fs.readFileSync(file)).toString("utf8").split("\n").filter(Boolean);

/** A copy of a backup with its lines changed; with `reseal`, a new checksum so that only the change tells. */
function rewrite(file: string, name: string, change: (lines: string[]) => string[], reseal: boolean): string {
  let lines = change(gunzipLines(file));
  if (reseal) {
    const body = lines.slice(0, -1);
    const trailer = JSON.parse(lines.at(-1)!);
    const sha256 = crypto.createHash("sha256").update(body.map((text) => `${text}\n`).join("")).digest("hex");
    lines = [...body, JSON.stringify({ trailer: { ...trailer.trailer, sha256 } })];
  }
  const out = path.join(dir, name);
  fs.writeFileSync(out, zlib.gzipSync(lines.map((text) => `${text}\n`).join("")));
  return out;
}

const countTables = async (db: Kysely<DB>) =>
  (
    await sql<{ n: number }>`select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r'`.execute(db)
  ).rows[0].n;

describe("backup and restore", () => {
  let t: TestApp;
  let seat: string;
  const kind = usePostgres() ? "postgres" : "pglite";
  const file = path.join(dir, "district.gridgov.gz");
  const created: { id: string; number: string }[] = [];

  beforeAll(async () => {
    t = await createTestApp("demo");
    seat = await t.login("seat-01");
    const community = await t.login("community-530103001001");
    // A webhook subscription, so that each event below also writes an outbox row: a table whose
    // identity column a restore must fill with the rows' own values.
    await sql`insert into webhook_subscriptions (id, region_code, scope_code, url, secret, created_by)
      values (gen_random_uuid(), '530103', '530103', 'https://receiver.example.cn/hook', 'whsec_backup', (select id from users where username = 'admin'))`.execute(t.ctx.db);
    const grids = (await t.app.inject({ method: "GET", url: "/api/v1/grids?division=530103001001", headers: { cookie: seat } })).json();
    const codes: string[] = grids.features.map((feature: { properties: { code: string } }) => feature.properties.code);
    const descriptions = ["井盖缺失，晚上很危险", "路灯不亮\n已经三天了", '垃圾桶满了 "没人" 清理 \\ 🚮', "噪音扰民", "占道经营"];
    for (const [i, description] of descriptions.entries()) {
      const response = await t.app.inject({
        method: "POST",
        url: "/api/v1/cases",
        payload: { description, gridCode: codes[i % codes.length], reporter: i % 2 ? { name: "李先生", phone: "13812345678" } : undefined },
        headers: { cookie: seat },
      });
      expect(response.statusCode, response.body).toBe(201);
      created.push(response.json().case);
    }
    const first = await t.app.inject({ method: "GET", url: `/api/v1/cases/${created[0].id}`, headers: { cookie: community } });
    const accepted = await t.app.inject({
      method: "POST",
      url: `/api/v1/cases/${created[0].id}/transitions`,
      payload: { action: "accept", note: "已受理" },
      headers: { cookie: community, "if-match": String(first.headers.etag) },
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    // Values the API does not make: doubles that print with 17 digits, -0, and microseconds.
    await sql`update divisions set lat = 0.1::float8 + 0.2::float8, lng = '-0'::float8
      where code = (select min(code) from divisions where level = 'building')`.execute(t.ctx.db);
    await sql`update users set locked_at = '2026-01-02 03:04:05.123456+08', display_name = E'tab\\t"quote" back\\\\slash'
      where username = 'volunteer-' || (select min(code) from grids)`.execute(t.ctx.db);
  });
  afterAll(() => t?.close());

  it("round-trips a populated district: every table from the catalog, row by row", async () => {
    const backup = await backupDatabase({ db: t.ctx.db, kind }, file);
    expect(backup).toMatchObject({ file, database: kind });
    expect(backup.rows).toMatchObject({ cases: created.length, divisions: expect.any(Number), audit_log: expect.any(Number) });
    expect(backup.rows.case_events).toBe(created.length + 1);
    expect(backup.rows.webhook_outbox).toBe(created.length + 1);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(`${file}.partial`)).toBe(false);
    const source = await contents(t.ctx.db);
    // Every table of the catalog but the migrations' own is in the backup (sequences, such as an
    // identity column's, are restored by their state, compared below).
    const sequences = await sql<{ name: string }>`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'S'`.execute(t.ctx.db);
    const isSequence = new Set(sequences.rows.map((row) => row.name));
    expect(Object.keys(backup.rows).sort()).toEqual(Object.keys(source).filter((name) => name !== "schema_migrations" && !isSequence.has(name)));

    const target = await blankDatabase();
    const restored = await restoreDatabase(target, file);
    expect(restored).toMatchObject({ source: { database: kind }, rows: backup.rows, migrated: [] });
    await expectSameContents(target.db, source);
    expect(await constraintsAndTriggers(target.db)).toEqual(await constraintsAndTriggers(t.ctx.db));

    // The restored database serves: sessions, password hashes and cases came along.
    const ctx = createContext(target.db, t.ctx.config);
    await ctx.grids.load(ctx.db);
    const app = await buildApp(ctx);
    try {
      const read = await app.inject({ method: "GET", url: `/api/v1/cases/${created[1].id}`, headers: { cookie: seat } });
      expect(read.statusCode, read.body).toBe(200);
      expect(read.json().case.number).toBe(created[1].number);
    } finally {
      await app.close();
    }
  });

  it("refuses a truncated, altered or foreign file, and writes nothing", async () => {
    const whole = fs.readFileSync(file);
    const truncated = path.join(dir, "truncated.gz");
    fs.writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const altered = rewrite(file, "altered.gz", (lines) => lines.map((text) => text.replace("拓东街道", "拓西街道")), false);
    const foreign = path.join(dir, "foreign.gz");
    fs.writeFileSync(foreign, zlib.gzipSync('{"hello":"world"}\n'));
    const plain = path.join(dir, "plain.txt");
    fs.writeFileSync(plain, "not a backup");
    const target = await blankDatabase();
    for (const damaged of [truncated, altered, foreign, plain]) {
      await expect(checkBackup(damaged), damaged).rejects.toMatchObject({ code: "backup_corrupt" });
      // The altered file loads every row before its checksum fails: the whole restore rolls back.
      await expect(restoreDatabase(target, damaged), damaged).rejects.toMatchObject({ code: "backup_corrupt" });
    }
    await expect(restoreDatabase(target, path.join(dir, "missing.gz"))).rejects.toMatchObject({ code: "backup_not_found" });

    const future = rewrite(
      file,
      "future.gz",
      (lines) => {
        const header = JSON.parse(lines[0]);
        return [JSON.stringify({ ...header, migrations: [...header.migrations, "29991231-0001-future.sql"] }), ...lines.slice(1)];
      },
      true,
    );
    await expect(checkBackup(future)).rejects.toMatchObject({ code: "unknown_migration" });
    await expect(restoreDatabase(target, future)).rejects.toMatchObject({ code: "unknown_migration" });
    // Not even schema_migrations: the migrations ran inside the restore's transaction.
    expect(await countTables(target.db)).toBe(0);
  });

  it("refuses to restore into a database that holds data", async () => {
    const before = await contents(t.ctx.db);
    await expect(restoreDatabase(t.ctx, file)).rejects.toMatchObject({ code: "restore_target_not_empty" });
    await expectSameContents(t.ctx.db, before);
  });

  it("restores a backup taken before later migrations, then applies them", async () => {
    const older = knownMigrations().slice(0, 2);
    const source = await blankDatabase();
    await migrate(source.db, { only: older });
    // Rows in the tables of those migrations, written with their columns.
    await sql`insert into divisions (code, level, name, region_code) values ('530103', 'district', '盘龙区', '530103')`.execute(source.db);
    await sql`insert into audit_log (region_code, id, action, target_type, details)
      values ('530103', '00000000-0000-7000-8000-000000000001', 'test.old', 'test', '{"n": 1}')`.execute(source.db);
    const olderFile = path.join(dir, "older.gz");
    const backup = await backupDatabase({ db: source.db, kind }, olderFile);

    const target = await blankDatabase();
    const restored = await restoreDatabase(target, olderFile);
    expect(restored.migrated).toEqual(knownMigrations().slice(2));
    expect(restored.rows).toEqual(backup.rows);
    const names = await target.db.selectFrom("schema_migrations").select("name").orderBy("name").execute();
    expect(names.map((row) => row.name)).toEqual(knownMigrations());
    expect(await target.db.selectFrom("audit_log").select("action").execute()).toEqual([{ action: "test.old" }]);
  });

  it("leaves a database a newer version migrated alone: no migration runs, nothing is written", async () => {
    const database = await blankDatabase();
    await migrate(database.db, { only: knownMigrations().slice(0, 1) });
    await database.db.insertInto("schema_migrations").values({ name: "29991231-9999-from-the-future.sql" }).execute();
    await expect(migrate(database.db)).rejects.toMatchObject({ code: "unknown_migration" });
    const names = await database.db.selectFrom("schema_migrations").select("name").orderBy("name").execute();
    expect(names.map((row) => row.name)).toEqual([knownMigrations()[0], "29991231-9999-from-the-future.sql"]);
  });

  // From PostgreSQL when it is the test database: the format carries a district between the two kinds.
  it(`moves a district from ${kind} to an in-memory PGlite and back`, async () => {
    const source = await contents(t.ctx.db);
    const embedded = await openDatabase({ kind: "pglite-memory" });
    disposers.push(() => embedded.close());
    await restoreDatabase(embedded, file);
    await expectSameContents(embedded.db, source);

    const embeddedFile = path.join(dir, "from-pglite.gz");
    expect((await backupDatabase(embedded, embeddedFile)).database).toBe("pglite");
    const target = await blankDatabase();
    await restoreDatabase(target, embeddedFile);
    await expectSameContents(target.db, source);
  });
});

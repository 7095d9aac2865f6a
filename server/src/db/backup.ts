import crypto from "node:crypto";
import { once } from "node:events";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { StringDecoder } from "node:string_decoder";
import zlib from "node:zlib";
import { CompiledQuery, sql, type Kysely } from "kysely";
import { AppError } from "../errors.ts";
import type { Database } from "./database.ts";
import { knownMigrations, migrateWithin } from "./migrate.ts";
import type { DB } from "./schema.ts";

/**
 * Logical backups, the same for PGlite and PostgreSQL: gzip'd JSON lines.
 *
 *   {"format":"gridgov-backup","version":1,…,"migrations":[…],"tables":[{name,columns}],"sequences":[…]}
 *   {"table":"divisions"}            then one line per row: ["530103", null, …] (every value as
 *   {"end":"divisions","rows":4546}   PostgreSQL's text form, so every type round-trips exactly)
 *   …                                 tables in foreign-key order, then
 *   {"sequence":"…","lastValue":"…","isCalled":true}
 *   {"trailer":{"sha256":"…","rows":N}}   sha256 of every line before the trailer
 */
export const BACKUP_FORMAT = "gridgov-backup";
export const BACKUP_FORMAT_VERSION = 1;

const GRIDGOV_VERSION: string = JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;
// Rows per FETCH while dumping, and the bounds of one INSERT while restoring.
const PAGE_ROWS = 1000;
const BATCH_PARAMS = 20_000;
const BATCH_CHARS = 4 * 1024 * 1024;

type Column = { name: string; type: string };
type Table = { name: string; columns: Column[] };
type CatalogTable = Table & { partitioned: boolean };
type Value = string | null;

export type BackupHeader = {
  format: typeof BACKUP_FORMAT;
  version: number;
  gridgov: string;
  /** The snapshot's time (the dump transaction's start). */
  createdAt: string;
  database: Database["kind"];
  postgres: string;
  migrations: string[];
  tables: Table[];
  sequences: string[];
};

export type BackupSummary = {
  file: string;
  database: Database["kind"];
  createdAt: string;
  tables: number;
  rows: Record<string, number>;
  bytes: number;
  durationMs: number;
};

export type RestoreSummary = {
  file: string;
  /** Where and when the backup was taken. */
  source: { database: Database["kind"]; gridgov: string; createdAt: string };
  tables: number;
  rows: Record<string, number>;
  bytes: number;
  durationMs: number;
  /** This code's migrations that are later than the backup, applied after loading. */
  migrated: string[];
};

const corrupt = (message: string) => new AppError(400, "backup_corrupt", `The backup is damaged or not a gridgov backup: ${message}`);
const mismatch = (message: string, details?: unknown) =>
  new AppError(409, "backup_schema_mismatch", `The backup does not fit the database its migrations make: ${message}`, details);
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const line = (value: unknown) => `${JSON.stringify(value)}\n`;

/**
 * Writes a consistent snapshot of every table of the public schema to `file`: one repeatable-read,
 * read-only transaction, so writers go on meanwhile (on PGlite they queue behind its one
 * connection). The file appears under its name only when complete and synced.
 */
export async function backupDatabase(database: Pick<Database, "db" | "kind">, file: string): Promise<BackupSummary> {
  const started = performance.now();
  const target = path.resolve(file);
  const partial = `${target}.partial`;
  await fsp.rm(partial, { force: true });
  // A backup holds password hashes and phone numbers: readable by its owner only.
  const out = (await fsp.open(partial, "wx", 0o600)).createWriteStream();
  const gzip = zlib.createGzip();
  const written = pipeline(gzip, out);
  written.catch(() => {}); // awaited below, and by every write that waits (a full disk ends the dump)
  const hash = crypto.createHash("sha256");
  const write = async (text: string) => {
    hash.update(text);
    if (!gzip.write(text)) await Promise.race([once(gzip, "drain"), written]);
  };
  try {
    const { header, rows } = await database.db
      .transaction()
      .setIsolationLevel("repeatable read")
      .setAccessMode("read only")
      .execute(async (trx) => {
        await useTextFormats(trx);
        const tables = loadOrder(await catalogTables(trx), await catalogForeignKeys(trx));
        const snapshot = (await sql<{ now: Date; version: string }>`select now() as now, current_setting('server_version') as version`.execute(trx)).rows[0];
        const header: BackupHeader = {
          format: BACKUP_FORMAT,
          version: BACKUP_FORMAT_VERSION,
          gridgov: GRIDGOV_VERSION,
          createdAt: snapshot.now.toISOString(),
          database: database.kind,
          postgres: snapshot.version,
          migrations: await appliedMigrations(trx),
          tables: tables.map(({ name, columns }) => ({ name, columns })),
          sequences: await catalogSequences(trx),
        };
        await write(line(header));
        const rows: Record<string, number> = {};
        for (const [i, table] of tables.entries()) {
          await write(line({ table: table.name }));
          rows[table.name] = await dumpRows(trx, table, `backup_${i}`, write);
          await write(line({ end: table.name, rows: rows[table.name] }));
        }
        for (const name of header.sequences) {
          const state = (
            await sql.raw<{ lastValue: string; isCalled: boolean }>(`select last_value::text as "lastValue", is_called as "isCalled" from public.${quote(name)}`).execute(trx)
          ).rows[0];
          await write(line({ sequence: name, ...state }));
        }
        return { header, rows };
      });
    const total = Object.values(rows).reduce((sum, count) => sum + count, 0);
    gzip.end(line({ trailer: { sha256: hash.digest("hex"), rows: total } }));
    await written;
    await syncPath(partial, "r+");
    await fsp.rename(partial, target);
    await syncPath(path.dirname(target), "r");
    return {
      file: target,
      database: header.database,
      createdAt: header.createdAt,
      tables: header.tables.length,
      rows,
      bytes: (await fsp.stat(target)).size,
      durationMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    gzip.destroy();
    out.destroy();
    await fsp.rm(partial, { force: true });
    throw error;
  }
}

async function dumpRows(trx: Kysely<DB>, table: CatalogTable, cursor: string, write: (text: string) => Promise<void>): Promise<number> {
  // A cursor pages through big tables without holding them in memory; ::text is the exact form.
  const select = table.columns.map((column, i) => `${quote(column.name)}::text as c${i}`).join(", ");
  // A partitioned table is read through its parent, a plain one without inheritance children.
  const from = `${table.partitioned ? "" : "only "}public.${quote(table.name)}`;
  // Each table its own cursor, closed with the transaction.
  await sql.raw(`declare ${cursor} no scroll cursor for select ${select} from ${from}`).execute(trx);
  let count = 0;
  for (;;) {
    const { rows } = await sql.raw<Record<string, Value>>(`fetch forward ${PAGE_ROWS} from ${cursor}`).execute(trx);
    let text = "";
    for (const row of rows) text += line(table.columns.map((_, i) => row[`c${i}`]));
    if (text) await write(text);
    count += rows.length;
    if (rows.length < PAGE_ROWS) break;
  }
  return count;
}

/** Reads a backup through and checks it whole (structure, counts, checksum) and restorable by this code. */
export async function checkBackup(file: string): Promise<{ header: BackupHeader; rows: Record<string, number>; bytes: number }> {
  const reader = await BackupReader.open(file);
  try {
    refuseUnknownMigrations(reader.header);
    const rows = await reader.readBody({});
    return { header: reader.header, rows, bytes: reader.bytes };
  } finally {
    reader.close();
  }
}

/**
 * Restores a backup into an empty database in one transaction: migrates it to exactly the backup's
 * migrations, loads every table in foreign-key order, checks the checksum, then applies this code's
 * later migrations. Any failure (damaged file, non-empty target) leaves the database as it was.
 */
export async function restoreDatabase(database: Pick<Database, "db">, file: string): Promise<RestoreSummary> {
  const started = performance.now();
  const reader = await BackupReader.open(file);
  try {
    const { header } = reader;
    refuseUnknownMigrations(header);
    const { rows, migrated } = await database.db.transaction().execute(async (trx) => {
      await useTextFormats(trx);
      await refuseUnlessEmpty(trx, header);
      await migrateWithin(trx, { only: header.migrations });
      const columns = await checkSchema(trx, header);
      const position = new Map(header.tables.map((table, i) => [table.name, i]));
      // Rows of a self-referencing table (divisions) may come child first: such constraints, and
      // any pointing at a table loaded later, are dropped for the load and added back (checked) after.
      const deferred = (await catalogForeignKeys(trx)).filter((fk) => position.get(fk.references)! >= position.get(fk.table)!);
      for (const fk of deferred) await sql.raw(`alter table public.${quote(fk.table)} drop constraint ${quote(fk.name)}`).execute(trx);
      // The rows already passed the triggers when they were first written; running them again would
      // refuse or rewrite what the backup holds.
      const triggered = await tablesWithTriggers(trx);
      for (const table of triggered) await sql.raw(`alter table public.${quote(table)} disable trigger user`).execute(trx);
      const rows = await reader.readBody({
        rows: (table, batch) => insertRows(trx, table, columns.get(table)!, batch),
        sequence: async (name, lastValue, isCalled) => {
          if (!header.sequences.includes(name)) throw corrupt(`the sequence ${name} is not in the header`);
          await sql`select setval(${`public.${quote(name)}`}::regclass, ${lastValue}::bigint, ${isCalled})`.execute(trx);
        },
      });
      for (const table of triggered) await sql.raw(`alter table public.${quote(table)} enable trigger user`).execute(trx);
      for (const fk of deferred) await sql.raw(`alter table public.${quote(fk.table)} add constraint ${quote(fk.name)} ${fk.definition}`).execute(trx);
      return { rows, migrated: await migrateWithin(trx) };
    });
    return {
      file: reader.file,
      source: { database: header.database, gridgov: header.gridgov, createdAt: header.createdAt },
      tables: header.tables.length,
      rows,
      bytes: reader.bytes,
      durationMs: Math.round(performance.now() - started),
      migrated,
    };
  } finally {
    reader.close();
  }
}

function refuseUnknownMigrations(header: BackupHeader): void {
  const known = new Set(knownMigrations());
  const unknown = header.migrations.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new AppError(409, "unknown_migration", `The backup was taken after migrations this version of gridgov does not know: ${unknown.join(", ")}; restore with a newer one`, {
      unknown,
    });
  }
}

async function refuseUnlessEmpty(trx: Kysely<DB>, header: BackupHeader): Promise<void> {
  for (const table of await catalogTables(trx)) {
    const { rows } = await sql.raw<{ found: boolean }>(`select exists (select from public.${quote(table.name)}) as found`).execute(trx);
    if (rows[0].found) {
      throw new AppError(409, "restore_target_not_empty", `The target database holds data (table ${table.name}); restore into a new database or data directory`, {
        table: table.name,
      });
    }
  }
  const ahead = (await appliedMigrations(trx)).filter((name) => !header.migrations.includes(name));
  if (ahead.length > 0) {
    throw new AppError(409, "restore_target_not_empty", `The target database has migrations the backup lacks (${ahead.join(", ")}); restore into a new database or data directory`, {
      migrations: ahead,
    });
  }
}

/** The target's insertable columns per table, after checking that they are the backup's. */
async function checkSchema(trx: Kysely<DB>, header: BackupHeader): Promise<Map<string, Column[]>> {
  const target = new Map((await catalogTables(trx)).map((table) => [table.name, table.columns]));
  const missing = header.tables.filter((table) => !target.has(table.name)).map((table) => table.name);
  const extra = [...target.keys()].filter((name) => !header.tables.some((table) => table.name === name));
  if (missing.length > 0 || extra.length > 0) throw mismatch(`tables differ`, { missing, extra });
  for (const table of header.tables) {
    const columns = target.get(table.name)!;
    const same =
      columns.length === table.columns.length &&
      table.columns.every((column) => columns.some((other) => other.name === column.name && other.type === column.type));
    if (!same) throw mismatch(`the columns of ${table.name} differ`, { table: table.name, backup: table.columns, database: columns });
  }
  const sequences = await catalogSequences(trx);
  const unknownSequences = header.sequences.filter((name) => !sequences.includes(name));
  if (unknownSequences.length > 0) throw mismatch(`sequences differ`, { missing: unknownSequences });
  return new Map(header.tables.map((table) => [table.name, table.columns]));
}

async function insertRows(trx: Kysely<DB>, table: string, columns: Column[], rows: Value[][]): Promise<void> {
  if (columns.length === 0) {
    await sql.raw(`insert into public.${quote(table)} select from generate_series(1, ${rows.length})`).execute(trx);
    return;
  }
  // Parameters are text; PostgreSQL parses each with its column's type, as COPY would.
  const params: Value[] = [];
  const tuples = rows.map((row) => `(${row.map((value) => (params.push(value), `$${params.length}`)).join(", ")})`);
  const names = columns.map((column) => quote(column.name)).join(", ");
  // OVERRIDING SYSTEM VALUE keeps the ids of identity columns, should a table have one.
  await trx.executeQuery(
    CompiledQuery.raw(`insert into public.${quote(table)} (${names}) overriding system value values ${tuples.join(", ")}`, params),
  );
}

// Text forms that do not depend on the session (time zone, date order, float digits).
async function useTextFormats(trx: Kysely<DB>): Promise<void> {
  await sql`set local timezone = 'UTC'`.execute(trx);
  await sql`set local datestyle = 'ISO, YMD'`.execute(trx);
  await sql`set local intervalstyle = 'postgres'`.execute(trx);
  await sql`set local extra_float_digits = 1`.execute(trx);
  await sql`set local bytea_output = 'hex'`.execute(trx);
}

async function appliedMigrations(trx: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ exists: boolean }>`select to_regclass('public.schema_migrations') is not null as exists`.execute(trx);
  if (!rows[0].exists) return [];
  return (await trx.selectFrom("schema_migrations").select("name").orderBy("name").execute()).map((row) => row.name);
}

// Every table of the public schema from the catalog (so new tables are included), but not those
// of extensions, not partitions (read through their parent), and not schema_migrations, which
// the header records.
async function catalogTables(trx: Kysely<DB>): Promise<CatalogTable[]> {
  const { rows } = await sql<{ name: string; partitioned: boolean; columns: Column[] | null }>`
    select c.relname as name, c.relkind = 'p' as partitioned,
      (select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) order by a.attnum)
         from pg_attribute a
        where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = '') as columns
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> 'schema_migrations'
      and not exists (select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
    order by c.relname`.execute(trx);
  return rows.map((row) => ({ name: row.name, partitioned: row.partitioned, columns: row.columns ?? [] }));
}

type ForeignKey = { name: string; table: string; references: string; definition: string };

async function catalogForeignKeys(trx: Kysely<DB>): Promise<ForeignKey[]> {
  const { rows } = await sql<ForeignKey>`
    select con.conname as name, c.relname as table, p.relname as references, pg_get_constraintdef(con.oid) as definition
    from pg_constraint con
    join pg_class c on c.oid = con.conrelid
    join pg_class p on p.oid = con.confrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_namespace pn on pn.oid = p.relnamespace
    where con.contype = 'f' and con.conparentid = 0 and n.nspname = 'public' and pn.nspname = 'public'
    order by c.relname, con.conname`.execute(trx);
  return rows;
}

async function catalogSequences(trx: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'S'
      and not exists (select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
    order by c.relname`.execute(trx);
  return rows.map((row) => row.name);
}

async function tablesWithTriggers(trx: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select distinct c.relname as name from pg_trigger t
    join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and not t.tgisinternal and c.relname <> 'schema_migrations'
    order by c.relname`.execute(trx);
  return rows.map((row) => row.name);
}

/** Referenced tables before the tables that refer to them; tables in a cycle (none today) last, by name. */
export function loadOrder<T extends { name: string }>(tables: T[], foreignKeys: { table: string; references: string }[]): T[] {
  const parents = new Map(tables.map((table) => [table.name, new Set<string>()]));
  for (const fk of foreignKeys) {
    if (fk.table !== fk.references && parents.has(fk.references)) parents.get(fk.table)?.add(fk.references);
  }
  const placed = new Set<string>();
  const order: T[] = [];
  for (let progress = true; progress; ) {
    progress = false;
    for (const table of tables) {
      if (placed.has(table.name) || ![...parents.get(table.name)!].every((parent) => placed.has(parent))) continue;
      order.push(table);
      placed.add(table.name);
      progress = true;
    }
  }
  return [...order, ...tables.filter((table) => !placed.has(table.name))];
}

async function syncPath(target: string, flags: "r" | "r+"): Promise<void> {
  // Directories cannot be opened for syncing on Windows.
  if (flags === "r" && process.platform === "win32") return;
  const handle = await fsp.open(target, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

type BodyHandlers = {
  rows?(table: string, rows: Value[][]): Promise<void>;
  sequence?(name: string, lastValue: string, isCalled: boolean): Promise<void>;
};

/** Reads a backup line by line, checking its grammar as it goes and its checksum at the end. */
class BackupReader {
  private readonly hash = crypto.createHash("sha256");

  private constructor(
    readonly file: string,
    readonly bytes: number,
    readonly header: BackupHeader,
    private readonly lines: AsyncGenerator<string>,
  ) {}

  static async open(file: string): Promise<BackupReader> {
    const target = path.resolve(file);
    let bytes: number;
    try {
      bytes = (await fsp.stat(target)).size;
    } catch {
      throw new AppError(404, "backup_not_found", `No backup file ${target}`);
    }
    const lines = readLines(target);
    try {
      const first = (await lines.next()).value;
      const header = parse(first) as BackupHeader | undefined;
      if (header?.format !== BACKUP_FORMAT) throw corrupt("no gridgov backup header");
      if (header.version !== BACKUP_FORMAT_VERSION) {
        throw new AppError(409, "backup_version_unsupported", `This gridgov reads backup format ${BACKUP_FORMAT_VERSION}, not ${header.version}`);
      }
      if (!wellFormed(header)) throw corrupt("a malformed header");
      const reader = new BackupReader(target, bytes, header, lines);
      reader.hash.update(`${first}\n`);
      return reader;
    } catch (error) {
      await lines.return(undefined);
      throw error;
    }
  }

  /** Reads the tables and sequences after the header, in batches; returns the rows per table. */
  async readBody(handlers: BodyHandlers): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const table of this.header.tables) {
      if (this.object(await this.next())?.table !== table.name) throw corrupt(`the table ${table.name} does not start where expected`);
      let batch: Value[][] = [];
      let chars = 0;
      let count = 0;
      const flush = async () => {
        if (batch.length > 0) await handlers.rows?.(table.name, batch);
        batch = [];
        chars = 0;
      };
      for (;;) {
        const text = await this.next();
        if (!text.startsWith("[")) {
          const end = this.object(text);
          if (end?.end !== table.name || end.rows !== count) throw corrupt(`the rows of ${table.name} end unexpectedly`);
          break;
        }
        const row = parse(text);
        if (!Array.isArray(row) || row.length !== table.columns.length || !row.every((value) => value === null || typeof value === "string")) {
          throw corrupt(`a malformed row in ${table.name}`);
        }
        batch.push(row);
        count++;
        chars += text.length;
        if ((batch.length + 1) * Math.max(1, table.columns.length) > BATCH_PARAMS || chars > BATCH_CHARS) await flush();
      }
      await flush();
      counts[table.name] = count;
    }
    for (;;) {
      const text = await this.next(false);
      const entry = this.object(text);
      if (entry && "trailer" in entry) {
        const trailer = entry.trailer as { sha256?: unknown; rows?: unknown } | null;
        const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
        if (trailer?.sha256 !== this.hash.digest("hex")) throw corrupt("the checksum does not match");
        if (trailer.rows !== total) throw corrupt("the row count does not match");
        if (!(await this.lines.next()).done) throw corrupt("data after the trailer");
        return counts;
      }
      this.hash.update(`${text}\n`);
      if (typeof entry?.sequence !== "string" || typeof entry.lastValue !== "string" || typeof entry.isCalled !== "boolean") {
        throw corrupt("an unexpected line after the tables");
      }
      await handlers.sequence?.(entry.sequence, entry.lastValue, entry.isCalled);
    }
  }

  close(): void {
    void this.lines.return(undefined);
  }

  private async next(hashed = true): Promise<string> {
    const { value, done } = await this.lines.next();
    if (done) throw corrupt("it ends early (truncated?)");
    if (hashed) this.hash.update(`${value}\n`);
    return value;
  }

  private object(text: string): Record<string, unknown> | undefined {
    const value = parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  }
}

// Names from the file reach SQL only quoted and after they matched the target's catalog.
function wellFormed(header: BackupHeader): boolean {
  const strings = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === "string");
  const tables = Array.isArray(header.tables) ? header.tables : [];
  return (
    strings(header.migrations) &&
    strings(header.sequences) &&
    Array.isArray(header.tables) &&
    new Set(tables.map((table) => table?.name)).size === tables.length &&
    tables.every(
      (table) =>
        typeof table?.name === "string" &&
        Array.isArray(table.columns) &&
        table.columns.every((column) => typeof column?.name === "string" && typeof column.type === "string"),
    )
  );
}

function parse(text: string | undefined): unknown {
  if (text === undefined) throw corrupt("it is empty");
  try {
    return JSON.parse(text);
  } catch {
    throw corrupt("a line is not JSON");
  }
}

async function* readLines(file: string): AsyncGenerator<string> {
  const source = fs.createReadStream(file);
  const gunzip = zlib.createGunzip();
  const piped = pipeline(source, gunzip);
  piped.catch(() => {}); // the same failure ends the loop below
  const decoder = new StringDecoder("utf8");
  let rest = "";
  try {
    for await (const chunk of gunzip) {
      rest += decoder.write(chunk as Buffer);
      let start = 0;
      for (let newline = rest.indexOf("\n"); newline !== -1; newline = rest.indexOf("\n", start)) {
        yield rest.slice(start, newline);
        start = newline + 1;
      }
      rest = rest.slice(start);
    }
    rest += decoder.end();
    if (rest) yield rest;
  } catch (error) {
    // zlib's refusals (not gzip, cut short) mean a damaged file; anything else is reported as it is.
    if (String((error as NodeJS.ErrnoException).code).startsWith("Z_")) throw corrupt((error as Error).message);
    throw error;
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}

import crypto from "node:crypto";
import { sql, type Kysely } from "kysely";
import type pg from "pg";
import { copyIn, CopyRows, copyText } from "../../db/copy-in.ts";
import type { Database } from "../../db/database.ts";
import type { DB, GeoJsonPolygon } from "../../db/schema.ts";
import { AppError } from "../../errors.ts";
import { writeAudit } from "../audit/audit.repository.ts";
import { calendarFor } from "../cases/calendars.ts";
import { responseHours } from "../cases/cases.repository.ts";
import { nearDueLimit } from "../cases/deadlines.ts";
import type { ClosureLevel } from "../cases/workflow.ts";
import { generateCaseHistories, type GeneratedCase, type GeneratorWorld } from "./case-generator.ts";
import { DEMO_DISTRICT } from "./demo.seed.ts";

export type SeedCasesOptions = {
  cases: number;
  /** The same seed on the same district gives the same cases; a random one by default. */
  seed?: number;
  /** The end of the period the cases are spread over; now by default. */
  now?: Date;
  /** The whole years before `now` the cases are spread over; one by default. */
  years?: number;
  /** The days before `now` the cases are spread over, instead of years (a demo's quarter). */
  days?: number;
  /**
   * A running server shares the database (the control socket): every chunk is its own short
   * transaction with the indexes kept, never one long load that holds the case tables.
   */
  shared?: boolean;
  /** One transaction with the indexes built at the end; by default from `BULK_FROM` cases into a region holding no more. */
  bulk?: boolean;
  /** Cases per transaction. */
  chunkSize?: number;
  onProgress?: (progress: { done: number; total: number; elapsedMs: number }) => void;
};

export type SeedCasesSummary = {
  cases: number;
  events: number;
  seed: number;
  region: string;
  from: string;
  to: string;
  durationMs: number;
  casesPerSecond: number;
  /** Loaded in one transaction with the case tables' indexes built afterwards (`BULK_FROM`). */
  bulk: boolean;
  /**
   * Where the time went, in milliseconds: generating the histories (which overlaps with loading the
   * previous chunk), loading the cases (with the rollups' count of them) and their events, dropping
   * and building the indexes of a bulk load and rewriting its rollup tables, and the rest of each
   * chunk's transaction (numbers, status counts, audit, commit).
   */
  timeMs: { generating: number; cases: number; events: number; indexes: number; rest: number };
  /** Up to 100 of the cases, spread over the run, with their tracking tokens (for benches and checks). */
  samples: { id: string; number: string; status: string; trackingToken: string }[];
};

const DEFAULT_CHUNK = 10_000;
const YEAR_DAYS = 365;
export const MAX_YEARS = 10;
/**
 * From this many cases, when the region holds no more than that already, a load is one transaction
 * that builds the case tables' indexes at the end rather than row by row (`prepareBulkLoad`): two
 * to three times faster, but it holds the case tables until it commits.
 */
export const BULK_FROM = 50_000;
const SAMPLES = 100;

type Column = [name: string, type: string];
const CASE_COLUMNS: Column[] = [
  ["region_code", "text"], ["id", "uuid"], ["number", "text"], ["version", "int"], ["status", "text"], ["level", "text"],
  ["source", "text"], ["category_code", "text"], ["suggested_category_code", "text"], ["department_code", "text"], ["urgency", "text"],
  ["title", "text"], ["description", "text"], ["search_text", "text"], ["lat", "float8"], ["lng", "float8"], ["grid_code", "text"],
  ["community_code", "text"], ["street_code", "text"], ["reporter_user_id", "uuid"], ["reporter_name", "text"], ["reporter_phone", "text"],
  ["tracking_token_hash", "text"], ["assignment", "jsonb"], ["suspended_from", "text"], ["suspended_at", "timestamptz"],
  ["pending_extension_days", "int"], ["extension_requested_by", "uuid"], ["rework_count", "int"], ["reopen_count", "int"], ["satisfaction", "text"], ["merged_into", "uuid"],
  ["accept_by", "timestamptz"], ["dispatch_by", "timestamptz"], ["feedback_by", "timestamptz"], ["handle_by", "timestamptz"],
  ["created_at", "timestamptz"], ["updated_at", "timestamptz"], ["closed_at", "timestamptz"], ["deadline_state", "text"],
  ["co_handlers", "jsonb"], ["return_request", "jsonb"], ["resolved", "boolean"],
  ["registered_at", "timestamptz"], ["dispatched_at", "timestamptz"], ["acknowledged_at", "timestamptz"], ["responded_on_time", "boolean"],
  ["handled_at", "timestamptz"], ["handled_by", "uuid"], ["handling_minutes", "int"], ["extension_count", "int"],
];
const EVENT_COLUMNS: Column[] = [
  ["region_code", "text"], ["id", "uuid"], ["case_id", "uuid"], ["at", "timestamptz"], ["actor_id", "uuid"], ["action", "text"],
  ["from_status", "text"], ["to_status", "text"], ["level", "text"], ["note", "text"], ["public_note", "boolean"], ["details", "jsonb"],
];
type Value = string | number | boolean | null;

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function caseValues(region: string, c: GeneratedCase, number: string): Value[] {
  return [
    region, c.id, number, c.version, c.status, c.level, c.source, c.categoryCode, c.suggestedCategoryCode, c.departmentCode, c.urgency,
    c.title, c.description, c.searchText, c.lat, c.lng, c.gridCode, c.communityCode, c.streetCode, c.reporterUserId, c.reporterName,
    c.reporterPhone, c.trackingTokenHash, c.assignment ? JSON.stringify(c.assignment) : null, c.suspendedFrom, iso(c.suspendedAt),
    c.pendingExtensionDays, c.extensionRequestedBy, c.reworkCount, c.reopenCount, c.satisfaction, c.mergedInto, iso(c.acceptBy), iso(c.dispatchBy),
    iso(c.feedbackBy), iso(c.handleBy), iso(c.createdAt), iso(c.updatedAt), iso(c.closedAt), c.deadlineState,
    JSON.stringify(c.coHandlers), c.returnRequest ? JSON.stringify(c.returnRequest) : null, c.resolved,
    iso(c.moments.registered_at), iso(c.moments.dispatched_at), iso(c.moments.acknowledged_at), c.moments.responded_on_time,
    iso(c.moments.handled_at), c.moments.handled_by, c.moments.handling_minutes, c.moments.extension_count,
  ];
}

function* eventValues(region: string, c: GeneratedCase): Generator<Value[]> {
  for (const e of c.events) {
    yield [region, e.id, c.id, iso(e.at), e.actorId, e.action, e.from, e.to, e.level, e.note, e.publicNote, JSON.stringify(e.details)];
  }
}

/**
 * The events of a chunk in COPY's text format, in `EVENT_COLUMNS` order: a line each, built in one
 * template (events are most of the rows, so no array per row). Codes, ids and instants hold no tab,
 * newline or backslash; the note and the details are escaped.
 */
function eventPieces(region: string, chunk: GeneratedCase[]): Buffer[] {
  const out = new CopyRows();
  for (const c of chunk) {
    for (const e of c.events) {
      out.row(
        `${region}\t${e.id}\t${c.id}\t${e.at.toISOString()}\t${e.actorId ?? NULL}\t${e.action}\t${e.from ?? NULL}\t${e.to}\t${e.level}\t${copyText(e.note)}\t${e.publicNote ? "t" : "f"}\t${copyText(JSON.stringify(e.details))}\n`,
      );
    }
  }
  return out.take();
}
const NULL = "\\N";

/** Column types whose text never holds a tab, newline or backslash: written without escaping. */
const PLAIN = new Set(["uuid", "int", "float8", "timestamptz", "boolean"]);

/** Rows in COPY's text format, written into buffers as they come. */
function copyPieces(columns: Column[], rows: Iterable<Value[]>): Buffer[] {
  const plain = columns.map(([, type]) => PLAIN.has(type));
  const out = new CopyRows();
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      const value = row[i];
      if (value === null || typeof value === "number") out.raw(value);
      else if (typeof value === "boolean") out.bool(value);
      else if (plain[i]) out.raw(value);
      else out.text(value);
    }
    out.endRow();
  }
  return out.take();
}

/**
 * Where COPY is not spoken (PGlite's socket): one INSERT … SELECT per batch from a JSON array of
 * rows, read as jsonb, which is parsed once and then indexed by position (json would parse each row
 * again for every column taken out of it: four times slower, measured on PGlite).
 */
async function insertJson(db: Kysely<DB>, table: "cases" | "case_events", columns: Column[], rows: Value[][]): Promise<void> {
  const names = columns.map(([name]) => name).join(", ");
  const casts = columns.map(([, type], i) => `(r->>${i})::${type}`).join(", ");
  for (let start = 0; start < rows.length; start += 5000) {
    const batch = rows.slice(start, start + 5000);
    await sql`${sql.raw(`insert into ${table} (${names}) select ${casts} from jsonb_array_elements(`)}${JSON.stringify(batch)}${sql.raw("::jsonb) as r")}`.execute(db);
  }
}

/** The demo district as the generator sees it: its grids, names, categories, departments and staff. */
export async function loadWorld(db: Kysely<DB>, regionCode = DEMO_DISTRICT): Promise<GeneratorWorld> {
  // One after the other: the loader runs on one connection.
  const grids = await db.selectFrom("grids").select(["code", "community_code", "geometry"]).where("region_code", "=", regionCode).orderBy("code").execute();
  const divisions = await db.selectFrom("divisions").select(["code", "name"]).where("region_code", "=", regionCode).where("level", "in", ["street", "community"]).execute();
  const categories = await db.selectFrom("categories").selectAll().where("active", "=", true).orderBy("code").execute();
  const departments = await db.selectFrom("departments").select(["id", "code"]).orderBy("code").execute();
  const people = await db
    .selectFrom("users")
    .select(["id", "username", "roles", "scope_code", "department_id"])
    .where("disabled_at", "is", null)
    .where((eb) => eb.or([eb("scope_code", "like", `${regionCode}%`), eb("scope_code", "is", null)]))
    .orderBy("username")
    .execute();
  if (grids.length === 0 || !people.some((p) => p.roles.includes("dispatcher") && p.scope_code === regionCode)) {
    throw new AppError(409, "no_demo_district", `The database holds no district ${regionCode} with grids and staff: run gridgov seed --demo first`);
  }
  return {
    regionCode,
    calendar: calendarFor(regionCode),
    grids: grids.map((grid) => ({ code: grid.code, communityCode: grid.community_code, geometry: grid.geometry as GeoJsonPolygon })),
    divisionNames: new Map(divisions.map((division) => [division.code, division.name])),
    categories: categories.map((c) => ({
      code: c.code,
      name: c.name,
      parentCode: c.parent_code,
      departmentCode: c.department_code,
      closureLevel: c.closure_level as ClosureLevel,
      deadlinePolicy: c.deadline_policy,
      photoRequired: c.photo_required,
      keywords: c.keywords,
    })),
    departments,
    people: people.map((p) => ({ id: p.id, roles: p.roles, scopeCode: p.scope_code, departmentId: p.department_id })),
    responseHours: await responseHours(db, regionCode),
  };
}

/**
 * Generates `options.cases` cases on the demo district and loads them in chunks: COPY on
 * PostgreSQL, INSERT … SELECT from JSON on PGlite. Each chunk draws its case numbers from the day
 * counters, adds its cases to the status rollup and records itself in the audit chain, so the
 * engine goes on as if the cases had come in one by one.
 *
 * A large load into a database no server shares (`bulkLoad`) is one transaction that drops the
 * case tables' indexes and keys, loads every chunk, builds them again (which checks every key and
 * reference, as the rows' own inserts would have). Either way the rollups' triggers count each
 * chunk as it goes in. Otherwise each chunk is its own transaction with the indexes kept, so that a
 * running server's requests go between chunks.
 */
export async function generateCases(database: Pick<Database, "kind" | "withClient">, options: SeedCasesOptions): Promise<SeedCasesSummary> {
  if (!Number.isSafeInteger(options.cases) || options.cases < 1) throw new AppError(400, "invalid_case_count", "The number of cases is a positive integer");
  if (options.seed !== undefined && !(Number.isInteger(options.seed) && options.seed >= 0 && options.seed < 2 ** 32)) {
    throw new AppError(400, "invalid_seed", "A seed is a whole number from 0 to 4294967295");
  }
  if (options.years !== undefined && !(Number.isInteger(options.years) && options.years >= 1 && options.years <= MAX_YEARS)) {
    throw new AppError(400, "invalid_years", `Cases are spread over 1 to ${MAX_YEARS} whole years`);
  }
  const started = performance.now();
  const seed = options.seed ?? crypto.randomInt(0, 2 ** 31);
  const now = options.now ?? new Date();
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  const days = options.days ?? (options.years ?? 1) * YEAR_DAYS;
  const world = await database.withClient((_client, db) => loadWorld(db));
  const region = world.regionCode;
  const histories = generateCaseHistories(world, { cases: options.cases, seed, now, days });
  const summary: SeedCasesSummary = {
    cases: 0, events: 0, seed, region, from: "", to: "", durationMs: 0, casesPerSecond: 0,
    bulk: false,
    timeMs: { generating: 0, cases: 0, events: 0, indexes: 0, rest: 0 },
    samples: [],
  };
  const sampleEvery = Math.max(1, Math.floor(options.cases / SAMPLES));
  const refuseSeeded = async (db: Kysely<DB>, first: GeneratedCase) => {
    const taken = await db.selectFrom("cases").select("id").where("region_code", "=", region).where("id", "=", first.id).executeTakeFirst();
    if (taken) throw new AppError(409, "already_seeded", `The cases of seed ${seed} are already in the database; choose another --seed`);
  };
  const loaded = (chunk: GeneratedCase[], numbers: string[]) => {
    chunk.forEach((c, i) => {
      const index = summary.cases + i;
      if (index % sampleEvery === 0 && summary.samples.length < SAMPLES) {
        summary.samples.push({ id: c.id, number: numbers[i], status: c.status, trackingToken: c.trackingToken });
      }
      summary.events += c.events.length;
    });
    summary.from ||= numbers[0];
    summary.to = numbers[numbers.length - 1];
    summary.cases += chunk.length;
    options.onProgress?.({ done: summary.cases, total: options.cases, elapsedMs: performance.now() - started });
  };
  // While the database loads one chunk, the next is generated, in slices that let the load go on.
  const generate = async () => {
    const generating = performance.now();
    const next = await nextChunk(histories, chunkSize);
    summary.timeMs.generating += performance.now() - generating;
    return next;
  };
  const pipeline = async (load: (chunk: GeneratedCase[]) => Promise<void>) => {
    let chunk = await generate();
    while (chunk.length > 0) {
      const loading = load(chunk);
      let next: GeneratedCase[];
      try {
        next = await generate();
      } finally {
        await loading;
      }
      chunk = next;
    }
  };
  const timed = async <T>(work: () => Promise<T>) => {
    const loading = performance.now();
    const result = await work();
    summary.timeMs.rest += performance.now() - loading;
    return result;
  };

  summary.bulk = options.shared
    ? false
    : (options.bulk ?? (options.cases >= BULK_FROM && (await database.withClient((_client, db) => casesIn(db, region))) <= options.cases));
  if (summary.bulk) {
    let rebuild: string[] = [];
    await database.withClient((client, db) =>
      db.transaction().execute(async (trx) => {
        await pipeline(async (chunk) => {
          if (summary.cases === 0) {
            await refuseSeeded(trx, chunk[0]);
            rebuild = await timed(() => prepareBulkLoad(database.kind, trx, summary.timeMs));
          }
          loaded(chunk, await timed(() => loadChunk(database.kind, client, trx, region, chunk, seed, summary.timeMs)));
        });
        await timed(() => rebuildIndexes(trx, rebuild, summary.timeMs));
      }),
    );
    await timed(() => database.withClient((_client, db) => compactRollups(db, summary.timeMs)));
  } else {
    await pipeline(async (chunk) => {
      // The connection is taken per chunk: on PGlite a running server's requests go between chunks.
      const numbers = await database.withClient(async (client, db) => {
        if (summary.cases === 0) await refuseSeeded(db, chunk[0]);
        return timed(() => db.transaction().execute((trx) => loadChunk(database.kind, client, trx, region, chunk, seed, summary.timeMs)));
      });
      loaded(chunk, numbers);
    });
  }
  const { timeMs } = summary;
  timeMs.rest -= timeMs.cases + timeMs.events + timeMs.indexes;
  for (const phase of ["generating", "cases", "events", "indexes", "rest"] as const) timeMs[phase] = Math.round(timeMs[phase]);
  summary.durationMs = Math.round(performance.now() - started);
  summary.casesPerSecond = Math.round((summary.cases * 1000) / Math.max(1, summary.durationMs));
  return summary;
}

/** How many cases the region holds. */
async function casesIn(db: Kysely<DB>, region: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from cases where region_code = ${region}`.execute(db);
  return rows[0].n;
}

/**
 * Drops every index, key and reference of the case tables (and references to them) in the load's
 * transaction, keeping the statements that build them again. Building an index over a million rows
 * at once costs a fraction of keeping it up to date row by row, and adding a key or a reference
 * back checks every row against it, so nothing loaded escapes a check.
 */
async function prepareBulkLoad(kind: Database["kind"], trx: Kysely<DB>, timeMs: SeedCasesSummary["timeMs"]): Promise<string[]> {
  const started = performance.now();
  await sql`set local gridgov.case_event_log = 'off'`.execute(trx);
  // Room to sort a million keys in memory while building; PGlite keeps its small default.
  if (kind === "postgres") await sql`set local maintenance_work_mem = '256MB'`.execute(trx);
  const { rows } = await sql<{ dropping: string; building: string; step: number }>`
    select format('alter table %s drop constraint %I', c.conrelid::regclass, c.conname) as dropping,
      format('alter table %s add constraint %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) as building,
      case c.contype when 'f' then 3 else 1 end as step
    from pg_constraint c
    where (c.contype in ('p', 'u', 'x', 'f') and c.conrelid in ('cases'::regclass, 'case_events'::regclass))
      or (c.contype = 'f' and c.confrelid in ('cases'::regclass, 'case_events'::regclass))
    union all
    select format('drop index %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid), 2
    from pg_index i
    where i.indrelid in ('cases'::regclass, 'case_events'::regclass)
      and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.contype in ('p', 'u', 'x'))
    order by step, building`.execute(trx);
  // References go first, then what they lean on; they come back in the opposite order.
  for (const row of [...rows].reverse()) await sql.raw(row.dropping).execute(trx);
  timeMs.indexes += performance.now() - started;
  return rows.map((row) => row.building);
}

/** Runs the statements `prepareBulkLoad` kept, in order. */
async function rebuildIndexes(trx: Kysely<DB>, statements: string[], timeMs: SeedCasesSummary["timeMs"]): Promise<void> {
  const started = performance.now();
  for (const statement of statements) await sql.raw(statement).execute(trx);
  timeMs.indexes += performance.now() - started;
}

/**
 * Rewrites the rollup tables after a bulk load. Each chunk's count updates the rows of the days it
 * touches, and in one transaction every old version stays until the end: at 10,000,000 cases
 * `case_counts` held 9.3 GB for 8.4 million rows, and the grid workers' half month read 2,233
 * index pages for 4,917 entries. Rewritten, the tables hold each row once, as a running server's
 * vacuumed tables would.
 */
async function compactRollups(db: Kysely<DB>, timeMs: SeedCasesSummary["timeMs"]): Promise<void> {
  const started = performance.now();
  await sql`vacuum (full, analyze) case_counts, case_half_counts, case_late_counts, case_late_half_counts`.execute(db);
  timeMs.indexes += performance.now() - started;
}

/** Up to `size` cases, yielding to the event loop every few hundred. */
async function nextChunk(histories: Iterator<GeneratedCase>, size: number): Promise<GeneratedCase[]> {
  const chunk: GeneratedCase[] = [];
  while (chunk.length < size) {
    const next = histories.next();
    if (next.done) break;
    chunk.push(next.value);
    if (chunk.length % 250 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return chunk;
}

async function loadChunk(
  kind: Database["kind"],
  client: pg.PoolClient,
  trx: Kysely<DB>,
  region: string,
  chunk: GeneratedCase[],
  seed: number,
  timeMs: SeedCasesSummary["timeMs"],
): Promise<string[]> {
  // Generated history is not news: it stays out of the case event log that live readers follow.
  await sql`set local gridgov.case_event_log = 'off'`.execute(trx);
  // Numbers: each day's counter advances once for the chunk, as intake's batches do.
  const perDay = new Map<string, number>();
  for (const c of chunk) perDay.set(c.day, (perDay.get(c.day) ?? 0) + 1);
  const counters = await trx
    .insertInto("case_number_counters")
    .values([...perDay.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, count]) => ({ region_code: region, day, last_value: count })))
    .onConflict((conflict) => conflict.columns(["region_code", "day"]).doUpdateSet({ last_value: sql`case_number_counters.last_value + excluded.last_value` }))
    .returning(["day", "last_value"])
    .execute();
  const nextOfDay = new Map(counters.map((counter) => [counter.day, counter.last_value - (perDay.get(counter.day) ?? 0)]));
  const numbers = chunk.map((c) => {
    const n = (nextOfDay.get(c.day) ?? 0) + 1;
    nextOfDay.set(c.day, n);
    return `${region}-${c.day}-${String(n).padStart(5, "0")}`;
  });

  let started = performance.now();
  if (kind === "postgres") {
    await copyIn(client, `copy cases (${CASE_COLUMNS.map(([name]) => name).join(", ")}) from stdin`, copyPieces(CASE_COLUMNS, chunk.map((c, i) => caseValues(region, c, numbers[i]))));
  } else {
    await insertJson(trx, "cases", CASE_COLUMNS, chunk.map((c, i) => caseValues(region, c, numbers[i])));
  }
  timeMs.cases += performance.now() - started;
  started = performance.now();
  if (kind === "postgres") {
    await copyIn(client, `copy case_events (${EVENT_COLUMNS.map(([name]) => name).join(", ")}) from stdin`, eventPieces(region, chunk));
  } else {
    await insertJson(trx, "case_events", EVENT_COLUMNS, [...allEvents(region, chunk)]);
  }
  timeMs.events += performance.now() - started;

  const counts = new Map<string, { region_code: string; community_code: string; status: string; cases: number }>();
  for (const c of chunk) {
    const key = `${c.communityCode}-${c.status}`;
    const count = counts.get(key) ?? { region_code: region, community_code: c.communityCode, status: c.status, cases: 0 };
    count.cases++;
    counts.set(key, count);
  }
  await trx
    .insertInto("case_status_counts")
    .values([...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, count]) => count))
    .onConflict((conflict) => conflict.columns(["region_code", "community_code", "status"]).doUpdateSet({ cases: sql`case_status_counts.cases + excluded.cases` }))
    .execute();
  const returns = returnCounts(region, chunk);
  if (returns.length > 0) {
    await trx
      .insertInto("case_return_counts")
      .values(returns)
      .onConflict((conflict) =>
        conflict.columns(["region_code", "community_code", "department_code"]).doUpdateSet({
          requested: sql`case_return_counts.requested + excluded.requested`,
          approved: sql`case_return_counts.approved + excluded.approved`,
        }),
      )
      .execute();
  }
  await writeAudit(trx, {
    regionCode: region,
    actorId: null,
    action: "demo.seed_cases",
    targetType: "division",
    targetId: region,
    details: { seed, cases: chunk.length, events: chunk.reduce((sum, c) => sum + c.events.length, 0), from: numbers[0], to: numbers[numbers.length - 1] },
  });
  return numbers;
}

/** The return requests and approvals of generated histories, per community and department, as transitions count them. */
function returnCounts(region: string, chunk: GeneratedCase[]) {
  const counts = new Map<string, { region_code: string; community_code: string; department_code: string; requested: number; approved: number }>();
  for (const c of chunk) {
    for (const event of c.events) {
      const department = event.details.department;
      if ((event.action !== "return" && event.action !== "approve_return") || typeof department !== "string") continue;
      const key = `${c.communityCode}-${department}`;
      const count = counts.get(key) ?? { region_code: region, community_code: c.communityCode, department_code: department, requested: 0, approved: 0 };
      if (event.action === "return") count.requested++;
      else count.approved++;
      counts.set(key, count);
    }
  }
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, count]) => count);
}

function* allEvents(region: string, chunk: GeneratedCase[]): Generator<Value[]> {
  for (const c of chunk) yield* eventValues(region, c);
}

/**
 * Moves the handling deadline of a few of the newest cases being handled into the next working
 * hours, so that a demo's near-due queue has work the moment it starts (generated histories leave
 * it empty most of the time: four working hours is a narrow window). The sweep then marks and urges
 * them as it would any case falling near due.
 */
export async function bringSomeNearDue(db: Kysely<DB>, count: number, now = new Date(), regionCode = DEMO_DISTRICT): Promise<number> {
  const limit = nearDueLimit(now, calendarFor(regionCode)).getTime();
  const picked = await db
    .selectFrom("cases")
    .select(["id", "feedback_by"])
    .where("region_code", "=", regionCode)
    .where("status", "in", ["dispatched", "in_progress"])
    .where("handle_by", ">", new Date(limit))
    .orderBy("created_at", "desc")
    .limit(count)
    .execute();
  for (const [k, row] of picked.entries()) {
    // Spread between a fifth and nine tenths of the way to the near-due limit.
    const handleBy = new Date(now.getTime() + ((limit - now.getTime()) * (0.2 + (0.7 * k) / Math.max(1, count - 1))));
    await db
      .updateTable("cases")
      .set({ handle_by: handleBy, feedback_by: row.feedback_by < handleBy ? row.feedback_by : handleBy })
      .where("region_code", "=", regionCode)
      .where("id", "=", row.id)
      .execute();
  }
  return picked.length;
}

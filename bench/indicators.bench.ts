// npm run bench indicators: the indicator queries a district's leaders wait for (GET /api/v1/indicators
// as the district leader), read from the rollups, each beside the same figures counted by scanning
// the case table in the same run, and whether the two agree. Each size of --cases (default 100000;
// e.g. --cases 100000,1000000; 10000000 on PostgreSQL only when asked) is generated into a fresh
// database (--years, default 1): PGlite up to --pglite-max (default 100000), and PostgreSQL with
// DATABASE_URL or --postgres <url>. --runs sets the timed requests per query (default 20).
// --seeded <url> measures a PostgreSQL database seeded before (a 10M seed takes over an hour) as it
// is, instead of any size: nothing seeded, nothing dropped. --scan-runs sets the scans per query
// (default 3).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { sql, type Kysely } from "kysely";
import type { FastifyInstance } from "fastify";
import { loadConfig } from "../server/src/config.ts";
import { buildApp } from "../server/src/app.ts";
import { createContext } from "../server/src/create-context.ts";
import { openDatabase, type Database, type DatabaseTarget } from "../server/src/db/database.ts";
import type { DB } from "../server/src/db/schema.ts";
import { migrate } from "../server/src/db/migrate.ts";
import { ensureCategories } from "../server/src/modules/cases/categories.service.ts";
import { COUNTED_INDICATORS, type CountedIndicator } from "../server/src/modules/cases/counted-cases.ts";
import { generateCases } from "../server/src/modules/demo/case-seed.ts";
import { DEMO_DISTRICT, holdsNoDivisions, seedDemoDistrict } from "../server/src/modules/demo/demo.seed.ts";
import { addDays, bucketsOf, periodOf, REPORTER_INDICATORS, type Figures, type Grouping } from "../server/src/modules/evaluation/indicators.ts";
import { scanCounts, suspendedDueIn } from "../server/src/modules/evaluation/indicators.repository.ts";
import { today } from "../server/src/modules/evaluation/indicators.service.ts";
import { cookieOf } from "../server/test/test-app.ts";
import { fmt, percentile, withFreshPostgres } from "./lib.ts";

const option = (name: string) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};
const sizes = (value: string | undefined, fallback: number[]) =>
  value === undefined ? fallback : value.split(",").map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);

/** p95 aims in ms: PGlite at 1M, PostgreSQL at 10M; and how many times faster than the scan. */
const AIM_P95: Record<string, { ms: number; at: number }> = { PGlite: { ms: 100, at: 1_000_000 }, PostgreSQL: { ms: 50, at: 10_000_000 } };
const AIM_RATIO = 50;
const WARM_UPS = 2;
/** Scans per query, `--scan-runs` (at 10M a year's scan takes minutes). */
const SCAN_RUNS = Math.max(1, Number(option("--scan-runs") ?? 3));

type Query = { name: string; groupBy?: Grouping; from: string; to: string };
type Row = { database: string; cases: number; query: string; p50: number; p95: number; scanP50: number; same: boolean; mismatch?: string };
type Answer = { rows: { key: string; figures: Figures }[]; total: Figures };

/** The queries, over the periods a leader opens: this month so far, last month, its second half, the last twelve months. */
function queries(): Query[] {
  const now = today();
  const thisMonth = `${now.slice(0, 7)}-01`;
  const lastMonth = periodOf(addDays(thisMonth, -1).slice(0, 7))!;
  const halfMonth = periodOf(`${lastMonth.code}-H2`)!;
  let yearFrom = thisMonth;
  for (let k = 0; k < 11; k++) yearFrom = `${addDays(yearFrom, -1).slice(0, 7)}-01`;
  return [
    { name: "district total, this month", from: thisMonth, to: now },
    { name: `streets × month (${lastMonth.code})`, groupBy: "street", from: lastMonth.from, to: lastMonth.to },
    { name: `communities × month (${lastMonth.code})`, groupBy: "community", from: lastMonth.from, to: lastMonth.to },
    { name: `grid workers × half month (${halfMonth.code})`, groupBy: "reporter", from: halfMonth.from, to: halfMonth.to },
    { name: "year by month (12 months)", groupBy: "month", from: yearFrom, to: now },
  ];
}

async function timed(times: number, operation: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let k = 0; k < times; k++) {
    const started = performance.now();
    await operation();
    samples.push(performance.now() - started);
  }
  return samples;
}

/** The first count that differs between the API's figures and the scan's, or undefined when all agree. */
function firstDifference(query: Query, answer: Answer, scanned: { bucket: string; group: string; counts: Record<CountedIndicator, number> }[]): string | undefined {
  const byTime = query.groupBy === "month";
  const fromApi = new Map<string, Figures>(query.groupBy === undefined ? [["", answer.total]] : answer.rows.map((row) => [row.key, row.figures]));
  const fromScan = new Map(scanned.map((row) => [byTime ? row.bucket : row.group, row.counts]));
  // The scan of grid workers counts what their figures show: reports and cases handled on the spot.
  const indicators: readonly CountedIndicator[] = query.groupBy === "reporter" ? REPORTER_INDICATORS : COUNTED_INDICATORS;
  for (const key of new Set([...fromApi.keys(), ...fromScan.keys()])) {
    for (const indicator of indicators) {
      const api = fromApi.get(key)?.[indicator] ?? 0;
      const scan = fromScan.get(key)?.[indicator] ?? 0;
      if (api !== scan) return `${indicator} of '${key}': rollups ${api}, scan ${scan}`;
    }
  }
  return undefined;
}

const rollupRows = async (db: Kysely<DB>) => {
  const { rows } = await sql<{ days: number; halves: number; late: number; late_halves: number }>`select (select count(*) from case_counts)::int as days,
    (select count(*) from case_half_counts)::int as halves, (select count(*) from case_late_counts)::int as late,
    (select count(*) from case_late_half_counts)::int as late_halves`.execute(db);
  return `${fmt(rows[0].days, 0)} by day, ${fmt(rows[0].halves, 0)} by half month, ${fmt(rows[0].late, 0)} late by day and ${fmt(rows[0].late_halves, 0)} by half month`;
};

/** The demo district's cases in a database seeded before (`--seeded`). */
async function heldCases(database: string, db: Kysely<DB>): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from cases where region_code = ${DEMO_DISTRICT}`.execute(db);
  console.log(`\n${database}: ${fmt(rows[0].n, 0)} cases seeded before, measured as they are`);
  return rows[0].n;
}

/** Generates `cases` cases, vacuums and analyses, and prints the seeding rate. */
async function seed(database: string, opened: Database, cases: number, years: number): Promise<number> {
  const started = performance.now();
  const summary = await generateCases(opened, { cases, seed: cases, years });
  const seeding = (performance.now() - started) / 1000;
  // Vacuumed here rather than by an autovacuum worker that would still hold the database when it is dropped.
  await sql`vacuum analyze`.execute(opened.db);
  console.log(
    `\n${database}: ${fmt(summary.cases, 0)} cases${summary.bulk ? " (bulk)" : ""} seeded in ${fmt(seeding, 1)} s (${fmt(summary.cases / seeding, 0)} cases/s); vacuumed and analysed`,
  );
  return summary.cases;
}

/** Times the queries on `target`: seeded with `cases` first, or, with `cases` null, as it is (`--seeded`). */
async function measure(database: string, target: DatabaseTarget, cases: number | null, years: number, runs: number): Promise<Row[]> {
  const config = {
    ...loadConfig({ LOG_LEVEL: "warn", STAFF_REQUESTS_PER_MINUTE: "1000000", PUBLIC_REQUESTS_PER_MINUTE: "1000000" }),
    database: target,
  };
  const opened = await openDatabase(target);
  let app: FastifyInstance | undefined;
  try {
    await migrate(opened.db);
    await ensureCategories(opened.db);
    const ctx = createContext(opened.db, config);
    if (await holdsNoDivisions(ctx)) await seedDemoDistrict(ctx, config.demoPassword);
    const held = cases === null ? await heldCases(database, opened.db) : await seed(database, opened, cases, years);

    await ctx.grids.load(ctx.db);
    app = await buildApp(ctx);
    const login = await app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username: "leader", password: config.demoPassword } });
    if (login.statusCode !== 200) throw new Error(`login leader: ${login.statusCode} ${login.body}`);
    const cookie = cookieOf(login);
    const suspendedDue = await suspendedDueIn(ctx.db, DEMO_DISTRICT);
    const scope = { regionCode: DEMO_DISTRICT, division: DEMO_DISTRICT };

    // Every query is timed before any scan: a scan reads the case table through the caches the
    // rollups' reads keep warm on a running server, which a query timed after it would not find.
    const timedQueries: { query: Query; answer: Answer; samples: number[] }[] = [];
    for (const query of queries()) {
      const url = `/api/v1/indicators?division=${DEMO_DISTRICT}&from=${query.from}&to=${query.to}${query.groupBy ? `&groupBy=${query.groupBy}` : ""}`;
      let answer: Answer | undefined;
      const ask = async () => {
        const response = await app!.inject({ method: "GET", url, headers: { cookie } });
        if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
        answer = response.json<Answer>();
      };
      await timed(WARM_UPS, ask);
      const samples = await timed(runs, ask);
      timedQueries.push({ query, answer: answer!, samples });
    }
    const rows: Row[] = [];
    for (const { query, answer, samples } of timedQueries) {
      const buckets = bucketsOf(query, query.groupBy);
      let scanned: Awaited<ReturnType<typeof scanCounts>> = [];
      const scans = await timed(SCAN_RUNS, async () => {
        scanned = await scanCounts(ctx.db, scope, query.groupBy, buckets, suspendedDue);
      });
      const mismatch = firstDifference(query, answer, scanned);
      const row = { database, cases: held, query: query.name, p50: percentile(samples, 50), p95: percentile(samples, 95), scanP50: percentile(scans, 50), same: !mismatch, mismatch };
      rows.push(row);
      print([row], false);
      if (query.groupBy === "month") {
        const t = answer.total;
        console.log(
          `  (the year: accepted ${fmt(t.accepted, 0)}, registered ${fmt(t.registered, 0)}, dispatched ${fmt(t.dispatched, 0)}, due to close ${fmt(t.dueToClose, 0)}, ` +
            `closed ${fmt(t.closed, 0)}, on time ${fmt(t.closedOnTime, 0)}, rated ${fmt(t.rated, 0)}; rollup rows: ${await rollupRows(ctx.db)})`,
        );
      }
    }
    return rows;
  } finally {
    await app?.close();
    await opened.close();
  }
}

function print(rows: Row[], header = true): void {
  if (header) {
    console.log("\n| database | cases | query | p50 ms | p95 ms | scan p50 ms | scan / rollups | same figures | aim p95 | | aim ≥ 50× | |");
    console.log("|---|---:|---|---:|---:|---:|---:|---|---|---|---|---|");
  }
  for (const r of rows) {
    const aim = AIM_P95[r.database];
    const ratio = r.scanP50 / r.p50;
    const aimText = `≤ ${aim.ms} ms at ${fmt(aim.at / 1_000_000, 0)}M`;
    // The aims are set at one size; below it the mark is shown in brackets.
    const mark = (ok: boolean) => (r.cases >= aim.at ? (ok ? "✓" : "✗") : ok ? "(✓)" : "(✗)");
    const p95Mark = mark(r.p95 <= aim.ms);
    console.log(
      `| ${r.database} | ${fmt(r.cases, 0)} | ${r.query} | ${fmt(r.p50, 2)} | ${fmt(r.p95, 2)} | ${fmt(r.scanP50, 1)} | ${fmt(ratio, 1)}× | ${r.same ? "✓" : `✗ ${r.mismatch}`} | ${aimText} | ${p95Mark} | ≥ ${AIM_RATIO}× | ${mark(ratio >= AIM_RATIO)} |`,
    );
  }
}

export async function run(): Promise<void> {
  const years = Number(option("--years") ?? 1);
  const runs = Math.max(20, Number(option("--runs") ?? 20));
  const all = sizes(option("--cases"), [100_000]);
  const pgliteMax = Number(option("--pglite-max") ?? 100_000);
  const rows: Row[] = [];
  const seeded = option("--seeded");
  for (const cases of seeded ? [] : all.filter((n) => n <= pgliteMax && n < 10_000_000)) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-indicators-"));
    try {
      rows.push(...(await measure("PGlite", { kind: "pglite", dataDir }, cases, years, runs)));
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const url = option("--postgres") ?? process.env.DATABASE_URL?.trim();
  if (seeded) {
    rows.push(...(await measure("PostgreSQL", { kind: "postgres", url: seeded }, null, years, runs)));
  } else if (url) {
    for (const cases of all) {
      await withFreshPostgres(url, async (fresh) => {
        rows.push(...(await measure("PostgreSQL", { kind: "postgres", url: fresh }, cases, years, runs)));
      });
    }
  } else {
    console.log("PostgreSQL: skipped (set DATABASE_URL or --postgres <url> to measure it too)");
  }
  console.log("\n### all");
  print(rows);
  console.log(
    `\nms per GET /api/v1/indicators as the district leader (${runs} runs after ${WARM_UPS} warm-ups), the scan's p50 of ${SCAN_RUNS} counting the same figures from the case table; ` +
      "a mark in brackets: the aims are set at a larger size. Timings on a shared machine vary from run to run.",
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();

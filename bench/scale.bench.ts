// Case reads at scale: lookups, tracking, search, queues, stats, export and the deadline sweep over
// generated cases, at each size of --cases (default 100000; e.g. --cases 100000,1000000), on PGlite
// and, with DATABASE_URL or --postgres <url>, on PostgreSQL in the same run. The data grows from one
// size to the next. --pglite-max <n> leaves PGlite out above n cases. Beside each latency, the CPU a
// request cost the server process and the database's backends, which a busy machine does not skew.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { sql } from "kysely";
import pg from "pg";
import { loadConfig } from "../server/src/config.ts";
import { createContext } from "../server/src/create-context.ts";
import { openDatabase, type DatabaseTarget } from "../server/src/db/database.ts";
import { migrate } from "../server/src/db/migrate.ts";
import { ensureCategories } from "../server/src/modules/cases/categories.service.ts";
import { sweepDeadlines } from "../server/src/modules/cases/deadline-sweep.ts";
import { generateCases } from "../server/src/modules/demo/case-seed.ts";
import { holdsNoDivisions, seedDemoDistrict } from "../server/src/modules/demo/demo.seed.ts";
import { startServer, type RunningServer } from "../server/test/cli.ts";
import { Client, drive, fmt, percentile, withFreshPostgres } from "./lib.ts";

type Sample = { id: string; number: string; trackingToken: string };
type Row = { name: string; p50: number; p95: number; extra?: string; cpu?: string; aim?: { p95?: number; note?: string; ok?: boolean } };

const option = (name: string) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};
const SEARCHES = ["井盖", "路灯不亮", "垃圾", "噪音扰民", "占道经营", "消防通道", "漏水", "违章停车", "树木", "广告牌"];
const QUEUES = ["mine", "centre", "near_due", "overdue", ""];
/**
 * Requests of each kind before any is timed: a server that has run for a while. The server's CPU
 * per case read fell from 3.4 ms over its first thousand to 1.0 ms after three thousand, as V8
 * optimised the hot paths (1M cases, PostgreSQL); after 500 it was still about 2 ms.
 */
const WARM_UPS = 3_000;

/** Milliseconds per call of `operation`, `times` calls one after another. */
async function timed(times: number, operation: (k: number) => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let k = 0; k < times; k++) {
    const started = performance.now();
    await operation(k);
    samples.push(performance.now() - started);
  }
  return samples;
}
const row = (name: string, samples: number[], aim?: Row["aim"], extra?: string): Row => {
  const p95 = percentile(samples, 95);
  return { name, p50: percentile(samples, 50), p95, extra, aim: aim && { ...aim, ok: aim.ok ?? (aim.p95 === undefined || p95 <= aim.p95) } };
};

function print(title: string, rows: Row[]): void {
  console.log(`\n### ${title}`);
  console.log("| measure | p50 ms | p95 ms | aim at 1M | | CPU ms per request: server + database |");
  console.log("|---|---:|---:|---|---|---|");
  for (const r of rows) {
    const aim = r.aim ? (r.aim.note ?? `p95 ≤ ${r.aim.p95} ms`) : "";
    console.log(`| ${r.name}${r.extra ? ` (${r.extra})` : ""} | ${fmt(r.p50, 2)} | ${fmt(r.p95, 2)} | ${aim} | ${r.aim ? (r.aim.ok ? "✓" : "✗") : ""} | ${r.cpu ?? ""} |`);
  }
}

/** Milliseconds of CPU a process has used (user and system), from /proc. */
function cpuMs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0; // a backend that ended meanwhile
  }
}
const CLOCK_TICKS = 100;

/**
 * The CPU the server and its database spend per request, beside the latencies: on a machine shared
 * with other work, latencies follow the load, while the CPU a request costs does not. On PostgreSQL,
 * the backends of the bench's database; PGlite runs inside the server process.
 */
function cpuMeter(server: RunningServer, databaseUrl: string | null) {
  const backends = async () => {
    if (!databaseUrl) return [];
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number }>("select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()");
      return rows.map((row) => row.pid);
    } finally {
      await client.end();
    }
  };
  // Per backend: one that ends between the marks (the pool closing an idle connection) drops out
  // with what it used, one that starts counts from zero.
  const now = async () => ({ server: cpuMs(server.child.pid ?? 0), database: new Map((await backends()).map((pid) => [pid, cpuMs(pid)])) });
  let mark = { server: 0, database: new Map<number, number>() };
  return {
    async start() {
      mark = await now();
    },
    async per(requests: number): Promise<string> {
      const at = await now();
      const server = (at.server - mark.server) / requests;
      let database = 0;
      for (const [pid, used] of at.database) database += used - (mark.database.get(pid) ?? 0);
      return databaseUrl ? `${fmt(server, 2)} + ${fmt(database / requests, 2)}` : `${fmt(server, 2)} (database inside)`;
    },
  };
}

/** The resident set of a process, in MB. */
function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * Brings the database to `total` generated cases, every table vacuumed and analysed, and times the
 * deadline sweep when nothing is due (a first sweep catches up with the generated cases).
 */
async function grow(target: DatabaseTarget, total: number, have: number, samples: Sample[]): Promise<{ sweep: number[]; seconds: number; exportFrom: string }> {
  const config = { ...loadConfig({ LOG_LEVEL: "warn" }), database: target };
  const database = await openDatabase(target);
  try {
    await migrate(database.db);
    await ensureCategories(database.db);
    const ctx = createContext(database.db, config);
    if (await holdsNoDivisions(ctx)) await seedDemoDistrict(ctx, config.demoPassword);
    const started = performance.now();
    const summary = await generateCases(database, { cases: total - have, seed: total });
    const seconds = (performance.now() - started) / 1000;
    samples.push(...summary.samples);
    // Every table: otherwise autovacuum catches up with the load's events and rollups while the
    // requests are timed.
    await sql`vacuum analyze`.execute(database.db);
    // Catch up with whatever fell due since the cases were generated, a batch at a time.
    for (let k = 0; k < 1_000; k++) {
      const swept = await sweepDeadlines(ctx);
      if (swept.nearDue + swept.overdue === 0) break;
    }
    const sweep = await timed(20, async () => void (await sweepDeadlines(ctx)));
    // The first day (China Standard Time) from which an export holds at most 50,000 cases.
    const { rows } = await sql<{ day: string }>`
      select to_char(min(created_at) at time zone 'Asia/Shanghai' + interval '1 day', 'YYYY-MM-DD') as day
      from (select created_at from cases order by created_at desc limit 50000) newest`.execute(database.db);
    return { sweep, seconds, exportFrom: rows[0].day };
  } finally {
    await database.close();
  }
}

async function measure(server: RunningServer, size: number, samples: Sample[], exportFrom: string, databaseUrl: string | null): Promise<Row[]> {
  const cpu = cpuMeter(server, databaseUrl);
  /** `times` calls one after another, with the CPU they cost the server and the database. */
  const costed = async (times: number, operation: (k: number) => Promise<void>) => {
    await cpu.start();
    const samples = await timed(times, operation);
    return { samples, cpu: await cpu.per(times) };
  };
  const costedRow = (name: string, { samples, cpu }: { samples: number[]; cpu: string }, aim?: Row["aim"], extra?: string): Row => ({ ...row(name, samples, aim, extra), cpu });
  const client = new Client(server.url);
  const password = loadConfig({}).demoPassword;
  const district = await client.login("dispatcher", password);
  const street = await client.login("leader-001", password);
  const get = async (url: string, cookie?: string, status = 200) => {
    const answer = await client.get(url, cookie ? { cookie } : {});
    if (answer.status !== status) throw new Error(`${url}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
  };
  const rows: Row[] = [];
  const byId = (k: number) => get(`/api/v1/cases/${samples[k % samples.length].id}`, district);
  const track = (k: number) => {
    const sample = samples[k % samples.length];
    return get(`/api/v1/public/cases/${sample.number}?token=${sample.trackingToken}`);
  };
  // Its statements prepared on the pool's connections, its code optimised (WARM_UPS).
  await timed(WARM_UPS, byId);
  await timed(WARM_UPS, track);
  for (const queue of QUEUES) await timed(WARM_UPS / 30, () => get(`/api/v1/cases${queue ? `?queue=${queue}` : ""}`, district));
  rows.push(costedRow("case by id", await costed(300, byId), { p95: 3 }));
  rows.push(costedRow("public tracking", await costed(300, track), { p95: 3 }));
  const search = (k: number) => get(`/api/v1/cases?q=${encodeURIComponent(SEARCHES[k % SEARCHES.length])}`, district);
  // Eight at once, so that every connection the timed runs use has prepared a search's statements.
  let k8 = 0;
  await drive(3, 8, () => search(k8++));
  rows.push(costedRow("search, district", await costed(100, search), { p95: 50 }));
  rows.push(costedRow("search, street", await costed(100, (k) => get(`/api/v1/cases?q=${encodeURIComponent(SEARCHES[k % SEARCHES.length])}`, street)), { p95: 50 }));
  await cpu.start();
  const eight = await drive(5, 8, () => search(k8++));
  rows.push({ ...row("search, 8 concurrent", eight.latencies, { p95: 50 }, `${eight.errors} errors`), cpu: await cpu.per(eight.latencies.length) });
  for (const queue of QUEUES) {
    const url = `/api/v1/cases${queue ? `?queue=${queue}` : ""}`;
    const name = queue || "all cases";
    const districtRun = await costed(100, () => get(url, district));
    const streetRun = await costed(100, () => get(url, street));
    const [districtSamples, streetSamples] = [districtRun.samples, streetRun.samples];
    const ratio = percentile(streetSamples, 95) / percentile(districtSamples, 95);
    rows.push(costedRow(`queue ${name}, district dispatcher`, districtRun, { p95: 10 }));
    rows.push(
      costedRow(`queue ${name}, street leader`, streetRun, { note: "p95 ≤ 10 ms, ≤ 1.5× district", ok: percentile(streetSamples, 95) <= 10 && ratio <= 1.5 }, `${fmt(ratio, 2)}× district`),
    );
  }
  rows.push(costedRow("stats, district", await costed(100, () => get("/api/v1/cases/stats", district))));
  rows.push(costedRow("stats, street", await costed(100, () => get("/api/v1/cases/stats", street))));
  if (size > 50_000) rows.push(row("export unfiltered, refused with 422", await timed(5, () => get("/api/v1/cases/export", district, 422))));

  // Export of the newest 50,000 cases (the most one export holds): time and the server's memory.
  const pid = server.child.pid ?? 0;
  const before = rssMb(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);
  const exportUrl = `/api/v1/cases/export?from=${exportFrom}`;
  let lines = 0;
  const exported = await timed(1, async () => {
    const answer = await client.get(exportUrl, { cookie: district });
    if (answer.status !== 200) throw new Error(`export: ${answer.status}`);
    lines = String(answer.body).split("\r\n").length - 2;
  });
  clearInterval(sampler);
  rows.push(row(`export of ${fmt(lines, 0)} cases`, exported, { note: "memory growth ≤ 100 MB", ok: peak - before <= 100 }, `server RSS +${fmt(peak - before, 0)} MB, peak ${fmt(peak, 0)} MB`));

  // A light request alone, then while three exports run (downloaded and dropped, not decoded here).
  const idle = await drive(4, 1, () => byId(Math.floor(Math.random() * samples.length)));
  let exporting = true;
  const exports = Promise.all(
    Array.from({ length: 3 }, async () => {
      while (exporting) {
        const status = await client.drain(exportUrl, { cookie: district });
        if (status !== 200) throw new Error(`export: ${status}`);
      }
    }),
  );
  const busy = await drive(6, 1, () => byId(Math.floor(Math.random() * samples.length)));
  exporting = false;
  await exports;
  const idleP99 = percentile(idle.latencies, 99);
  const busyP99 = percentile(busy.latencies, 99);
  rows.push({
    name: "case by id during 3 exports (p50, p99)",
    p50: percentile(busy.latencies, 50),
    p95: busyP99,
    extra: `idle p99 ${fmt(idleP99, 2)} ms, ${fmt(busyP99 / idleP99, 2)}×`,
    aim: { note: "p99 ≤ 2× idle", ok: busyP99 <= 2 * idleP99 },
  });
  return rows;
}

async function benchDatabase(label: string, target: DatabaseTarget, env: Record<string, string>, sizes: number[]): Promise<void> {
  const samples: Sample[] = [];
  let have = 0;
  for (const size of sizes) {
    const rssBefore = process.memoryUsage().rss / 1e6;
    const { sweep, seconds, exportFrom } = await grow(target, size, have, samples);
    console.log(`\n${label}: ${fmt(size, 0)} cases (${fmt(size - have, 0)} generated in ${fmt(seconds, 0)} s; bench process RSS ${fmt(rssBefore, 0)} → ${fmt(process.memoryUsage().rss / 1e6, 0)} MB)`);
    have = size;
    const server = await startServer({ ...env, PUBLIC_REQUESTS_PER_MINUTE: "1000000" });
    try {
      const rows = await measure(server, size, samples, exportFrom, target.kind === "postgres" ? target.url : null);
      rows.push(row("deadline sweep, nothing due", sweep, { p95: 10 }));
      print(`${label}, ${fmt(size, 0)} cases`, rows);
    } finally {
      await server.stop();
    }
  }
}

export async function run(): Promise<void> {
  const sizes = (option("--cases") ?? "100000").split(",").map(Number);
  if (!sizes.every((n) => Number.isInteger(n) && n > 0)) throw new Error("--cases takes sizes such as 100000,1000000");
  sizes.sort((a, b) => a - b);
  const pgliteMax = Number(option("--pglite-max") ?? Infinity);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-scale-"));
  try {
    const pgliteSizes = sizes.filter((n) => n <= pgliteMax);
    if (pgliteSizes.length) {
      const dataDir = path.join(scratch, "data");
      await benchDatabase("PGlite", { kind: "pglite", dataDir }, { DATA_DIR: dataDir, DATABASE_URL: "" }, pgliteSizes);
    }
    if (pgliteSizes.length < sizes.length) console.log(`\nPGlite: left out above ${fmt(pgliteMax, 0)} cases (--pglite-max)`);
    const url = option("--postgres") ?? process.env.DATABASE_URL?.trim();
    if (url) {
      await withFreshPostgres(url, (fresh) => benchDatabase("PostgreSQL", { kind: "postgres", url: fresh }, { DATABASE_URL: fresh, DATA_DIR: "" }, sizes));
    } else {
      console.log("PostgreSQL: skipped (set DATABASE_URL or --postgres <url> to measure it too)");
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();

// Case reads at scale: lookups, tracking, search, queues, stats, export and the deadline sweep over
// generated cases, at each size of --cases (default 100000; e.g. --cases 100000,1000000), on PGlite
// and, with DATABASE_URL or --postgres <url>, on PostgreSQL in the same run. The data grows from one
// size to the next. --pglite-max <n> leaves PGlite out above n cases.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { sql } from "kysely";
import { loadConfig } from "../server/src/config.ts";
import { createContext } from "../server/src/app.ts";
import { openDatabase, type DatabaseTarget } from "../server/src/db/database.ts";
import { migrate } from "../server/src/db/migrate.ts";
import { ensureCategories } from "../server/src/modules/cases/categories.service.ts";
import { sweepDeadlines } from "../server/src/modules/cases/deadline-sweep.ts";
import { generateCases } from "../server/src/modules/demo/case-seed.ts";
import { holdsNoDivisions, seedDemoDistrict } from "../server/src/modules/demo/demo.seed.ts";
import { startServer, type RunningServer } from "../server/test/cli.ts";
import { Client, drive, fmt, percentile, withFreshPostgres } from "./lib.ts";

type Sample = { id: string; number: string; trackingToken: string };
type Row = { name: string; p50: number; p95: number; extra?: string; aim?: { p95?: number; note?: string; ok?: boolean } };

const option = (name: string) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};
const SEARCHES = ["井盖", "路灯不亮", "垃圾", "噪音扰民", "占道经营", "消防通道", "漏水", "违章停车", "树木", "广告牌"];
const QUEUES = ["mine", "centre", "near_due", "overdue", ""];

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
  console.log("| measure | p50 ms | p95 ms | aim at 1M | |");
  console.log("|---|---:|---:|---|---|");
  for (const r of rows) {
    const aim = r.aim ? (r.aim.note ?? `p95 ≤ ${r.aim.p95} ms`) : "";
    console.log(`| ${r.name}${r.extra ? ` (${r.extra})` : ""} | ${fmt(r.p50, 2)} | ${fmt(r.p95, 2)} | ${aim} | ${r.aim ? (r.aim.ok ? "✓" : "✗") : ""} |`);
  }
}

/** The resident set of a process, in MB. */
function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/**
 * Brings the database to `total` generated cases, vacuumed and analysed, and times the deadline
 * sweep when nothing is due (a first sweep catches up with the generated cases).
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
    await sql`vacuum analyze cases`.execute(database.db);
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

async function measure(server: RunningServer, size: number, samples: Sample[], exportFrom: string): Promise<Row[]> {
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
  await timed(20, byId);
  rows.push(row("case by id", await timed(300, byId), { p95: 3 }));
  const track = (k: number) => {
    const sample = samples[k % samples.length];
    return get(`/api/v1/public/cases/${sample.number}?token=${sample.trackingToken}`);
  };
  rows.push(row("public tracking", await timed(300, track), { p95: 3 }));
  const search = (k: number) => get(`/api/v1/cases?q=${encodeURIComponent(SEARCHES[k % SEARCHES.length])}`, district);
  rows.push(row("search, district", await timed(100, search), { p95: 50 }));
  rows.push(row("search, street", await timed(100, (k) => get(`/api/v1/cases?q=${encodeURIComponent(SEARCHES[k % SEARCHES.length])}`, street)), { p95: 50 }));
  let k8 = 0;
  const eight = await drive(5, 8, () => search(k8++));
  rows.push(row("search, 8 concurrent", eight.latencies, { p95: 50 }, `${eight.errors} errors`));
  for (const queue of QUEUES) {
    const url = `/api/v1/cases${queue ? `?queue=${queue}` : ""}`;
    const name = queue || "all cases";
    const districtSamples = await timed(100, () => get(url, district));
    const streetSamples = await timed(100, () => get(url, street));
    const ratio = percentile(streetSamples, 95) / percentile(districtSamples, 95);
    rows.push(row(`queue ${name}, district dispatcher`, districtSamples, { p95: 10 }));
    rows.push(
      row(`queue ${name}, street leader`, streetSamples, { note: "p95 ≤ 10 ms, ≤ 1.5× district", ok: percentile(streetSamples, 95) <= 10 && ratio <= 1.5 }, `${fmt(ratio, 2)}× district`),
    );
  }
  rows.push(row("stats, district", await timed(100, () => get("/api/v1/cases/stats", district))));
  rows.push(row("stats, street", await timed(100, () => get("/api/v1/cases/stats", street))));
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

  // A light request alone, then while three exports run.
  const idle = await drive(4, 1, () => byId(Math.floor(Math.random() * samples.length)));
  let exporting = true;
  const exports = Promise.all(
    Array.from({ length: 3 }, async () => {
      while (exporting) await get(exportUrl, district);
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
      const rows = await measure(server, size, samples, exportFrom);
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

// npm run bench seed: the case generator's rate (gridgov seed --cases N), in cases per second, each
// size into a fresh database: PGlite at 100,000 and PostgreSQL (DATABASE_URL or --postgres <url>)
// at 100,000 and 1,000,000, with where the time went. --cases 100000,1000000 sets the PostgreSQL
// sizes, --pglite-cases 100000 PGlite's (0 leaves it out), --years Y the period.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadConfig } from "../server/src/config.ts";
import { createContext } from "../server/src/create-context.ts";
import { openDatabase, type DatabaseTarget } from "../server/src/db/database.ts";
import { migrate } from "../server/src/db/migrate.ts";
import { ensureCategories } from "../server/src/modules/cases/categories.service.ts";
import { generateCases, type SeedCasesSummary } from "../server/src/modules/demo/case-seed.ts";
import { holdsNoDivisions, seedDemoDistrict } from "../server/src/modules/demo/demo.seed.ts";
import { fmt, withFreshPostgres } from "./lib.ts";

/** The aims on PostgreSQL, in cases/s: 20,000 for a million-case test bed, 50,000 for a city's years. PGlite: as fast as it goes. */
const AIMS: Record<string, number[]> = { PostgreSQL: [20_000, 50_000], PGlite: [] };

const option = (name: string) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};
const sizes = (value: string | undefined, fallback: number[]) =>
  value === undefined ? fallback : value.split(",").map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);

type Row = { database: string; summary: SeedCasesSummary; cpuMs: number };

/**
 * Generates `cases` into a fresh database after seeding the demo district; with the CPU time this
 * process spent generating and sending them (on a busy machine the rate says little without it).
 */
async function seedInto(target: DatabaseTarget, cases: number, years: number): Promise<{ summary: SeedCasesSummary; cpuMs: number }> {
  const config = { ...loadConfig({ LOG_LEVEL: "warn" }), database: target };
  const database = await openDatabase(target);
  try {
    await migrate(database.db);
    await ensureCategories(database.db);
    const ctx = createContext(database.db, config);
    if (await holdsNoDivisions(ctx)) await seedDemoDistrict(ctx, config.demoPassword);
    const cpu = process.cpuUsage();
    const summary = await generateCases(database, { cases, seed: cases, years });
    const used = process.cpuUsage(cpu);
    return { summary, cpuMs: (used.user + used.system) / 1000 };
  } finally {
    await database.close();
  }
}

function print(rows: Row[]): void {
  console.log("\n| database | cases | events | seconds | cases/s | aim | | generating | cases | events | indexes, rollups rewritten | rest | Node CPU | µs/case |");
  console.log("|---|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|");
  const s = (ms: number) => fmt(ms / 1000, 1);
  for (const { database, summary, cpuMs } of rows) {
    const aims = AIMS[database] ?? [];
    const aimText = aims.length ? aims.map((aim) => `≥ ${fmt(aim, 0)}`).join(", ") : "as fast as it goes";
    const ok = aims.map((aim) => (summary.casesPerSecond >= aim ? "✓" : "✗")).join(" ");
    const t = summary.timeMs;
    console.log(
      `| ${database}${summary.bulk ? " (bulk)" : ""} | ${fmt(summary.cases, 0)} | ${fmt(summary.events, 0)} | ${s(summary.durationMs)} | ${fmt(summary.casesPerSecond, 0)} | ${aimText} | ${ok} | ${s(t.generating)} | ${s(t.cases)} | ${s(t.events)} | ${s(t.indexes)} | ${s(t.rest)} | ${s(cpuMs)} | ${fmt((cpuMs * 1000) / summary.cases, 0)} |`,
    );
  }
  console.log("\nSeconds. Generating overlaps with loading; the load columns are the database's share of the time; Node CPU is this process's.");
}

export async function run(): Promise<void> {
  const years = Number(option("--years") ?? 1);
  const postgresSizes = sizes(option("--cases"), [100_000, 1_000_000]);
  const pgliteSizes = sizes(option("--pglite-cases"), [100_000]);
  const rows: Row[] = [];
  for (const cases of pgliteSizes) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-seed-"));
    try {
      // PGlite runs in a worker thread of this process: its CPU is in the column too.
      rows.push({ database: "PGlite", ...(await seedInto({ kind: "pglite", dataDir }, cases, years)) });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    print(rows.slice(-1));
  }
  const url = option("--postgres") ?? process.env.DATABASE_URL?.trim();
  if (url) {
    for (const cases of postgresSizes) {
      await withFreshPostgres(url, async (fresh) => {
        rows.push({ database: "PostgreSQL", ...(await seedInto({ kind: "postgres", url: fresh }, cases, years)) });
      });
      print(rows.slice(-1));
    }
  } else {
    console.log("PostgreSQL: skipped (set DATABASE_URL or --postgres <url> to measure it too)");
  }
  console.log("\n### all");
  print(rows);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();

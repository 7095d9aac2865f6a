import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { DEFAULT_DEMO_CASES } from "../server/src/config.ts";
import { fmt, startAndTimeReady } from "./lib.ts";

/**
 * `npm start` to /readyz: on an empty data directory (the demo district and its generated cases
 * seeded first, as `npm start` does) and on an existing one.
 */
export async function run(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-start-"));
  const cases = Number(process.env.DEMO_CASES ?? DEFAULT_DEMO_CASES);
  const env = { DATA_DIR: dataDir, DATABASE_URL: "", DEMO_CASES: String(cases) };
  try {
    const empty = await startAndTimeReady(env);
    await empty.server.stop();
    const warm: number[] = [];
    for (let i = 0; i < 3; i++) {
      const existing = await startAndTimeReady(env);
      warm.push(existing.ms);
      await existing.server.stop();
    }
    const best = Math.min(...warm);
    console.log("start to /readyz (PGlite)");
    console.log(`  empty data directory, demo district and ${cases} cases seeded: ${fmt(empty.ms / 1000, 2)} s (aim ≤ 15 s)`);
    console.log(`  existing data directory: ${fmt(best / 1000, 2)} s best of 3, runs ${warm.map((ms) => fmt(ms / 1000, 2)).join(" / ")} s (aim ≤ 3 s)`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();

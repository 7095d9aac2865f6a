import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { fmt, startAndTimeReady } from "./lib.ts";

/** `npm start` to /readyz: on an empty data directory (demo seeding included) and on an existing one. */
export async function run(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-start-"));
  const env = { DATA_DIR: dataDir, DATABASE_URL: "" };
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
    console.log(`  empty data directory, demo seeding included: ${fmt(empty.ms / 1000, 2)} s (aim ≤ 20 s)`);
    console.log(`  existing data directory: ${fmt(best / 1000, 2)} s best of 3, runs ${warm.map((ms) => fmt(ms / 1000, 2)).join(" / ")} s (aim ≤ 3 s)`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();

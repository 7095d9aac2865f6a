import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import Fastify from "fastify";
import { sql } from "kysely";
import { loadConfig } from "../server/src/config.ts";
import { prepare } from "../server/src/server.ts";
import { fmt, percentile } from "./lib.ts";

const SECONDS = 8;
const CONCURRENCY = 4;
// A query that keeps PGlite busy for about half a second (a large report).
const HEAVY = "select count(*) from generate_series(1, 1000000) as n where md5(n::text) like 'a%'";

/** Latencies of requests sent CONCURRENCY at a time for SECONDS (bounded in time, not count). */
async function latencies(url: string, seconds = SECONDS): Promise<number[]> {
  const samples: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        const response = await fetch(url);
        await response.arrayBuffer();
        samples.push(performance.now() - started);
      }
    }),
  );
  return samples;
}

/** Measures /healthz while `heavy` keeps the database busy the whole time. */
async function underLoad(url: string, heavy: () => Promise<unknown>): Promise<{ samples: number[]; heavyQueries: number }> {
  let running = true;
  let heavyQueries = 0;
  const load = (async () => {
    while (running) {
      await heavy();
      heavyQueries++;
      // Let I/O in between queries, as requests arriving one after another would.
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const samples = await latencies(url);
  running = false;
  await load;
  return { samples, heavyQueries };
}

const line = (label: string, samples: number[]) =>
  `  ${label}: ${samples.length} requests, p50 ${fmt(percentile(samples, 50), 2)} ms, p99 ${fmt(percentile(samples, 99), 2)} ms, max ${fmt(Math.max(...samples), 1)} ms`;

/**
 * p99 of GET /healthz on an idle server and while a heavy query runs on the embedded database, for
 * gridgov (PGlite in a worker thread) and, for contrast, PGlite on the server's own thread.
 */
export async function run(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-loop-"));
  const config = { ...loadConfig({ LOG_LEVEL: "warn" }), database: { kind: "pglite" as const, dataDir } };
  const running = await prepare(config, { demo: true });
  try {
    await running.app.listen({ port: 0, host: "127.0.0.1" });
    const address = running.app.server.address();
    const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/healthz`;
    await latencies(url, 1); // warm-up
    const idle = await latencies(url);
    const busy = await underLoad(url, () => sql.raw(HEAVY).execute(running.ctx.db));

    const naiveDb = await PGlite.create();
    const naive = Fastify();
    naive.get("/healthz", async () => ({ status: "ok" }));
    await naive.listen({ port: 0, host: "127.0.0.1" });
    const naiveAddress = naive.server.address();
    const naiveUrl = `http://127.0.0.1:${typeof naiveAddress === "object" && naiveAddress ? naiveAddress.port : 0}/healthz`;
    const naiveBusy = await underLoad(naiveUrl, () => naiveDb.query(HEAVY));
    await naive.close();
    await naiveDb.close();

    const ratio = percentile(busy.samples, 99) / percentile(idle, 99);
    console.log(`GET /healthz for ${SECONDS} s per case, ${CONCURRENCY} requests at a time`);
    console.log(line("idle server", idle));
    console.log(line(`gridgov, heavy queries running on PGlite (worker thread, ${busy.heavyQueries} done)`, busy.samples));
    console.log(line(`PGlite on the server thread, heavy queries running (${naiveBusy.heavyQueries} done)`, naiveBusy.samples));
    console.log(`  p99 busy / p99 idle: ${fmt(ratio, 2)}× for gridgov (aim ≤ 2×), ${fmt(percentile(naiveBusy.samples, 99) / percentile(idle, 99), 1)}× on the server thread`);
  } finally {
    await running.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();

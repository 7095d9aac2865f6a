import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { monitorEventLoopDelay, type ELDHistogram } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { loadConfig, type Config } from "../server/src/config.ts";
import type { DatabaseTarget } from "../server/src/db/database.ts";
import { prepare } from "../server/src/server.ts";
import type { ClientsInput, ClientsResult } from "./events-clients.ts";
import { Client, fmt, withFreshPostgres } from "./lib.ts";

const CLIENTS = 500;
const EVENTS_PER_SECOND = 100;
const IDLE_SECONDS = 5;
const AIM_LOOP_RATIO = 2;

/** `--seconds N` (default 20) and `--postgres` from the command line. */
function options(): { seconds: number; postgres: boolean } {
  const args = process.argv.slice(2);
  const at = args.indexOf("--seconds");
  const seconds = at === -1 ? 20 : Number(args[at + 1]);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 120) throw new Error("--seconds takes 1 to 120");
  return { seconds, postgres: args.includes("--postgres") };
}

const ms = (nanoseconds: number) => nanoseconds / 1e6;

/** The server's event-loop delay p99 (ms) over `seconds`, or until `until` settles. */
async function loopDelay(histogram: ELDHistogram, until: Promise<unknown> | number): Promise<{ p50: number; p99: number }> {
  histogram.reset();
  await (typeof until === "number" ? new Promise((resolve) => setTimeout(resolve, until * 1000)) : until);
  return { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)) };
}

/** The clients in a worker thread (TypeScript through tsx, as in the main thread). */
function startClients(input: ClientsInput): Worker {
  const tsx = import.meta.resolve("tsx/esm/api");
  const target = new URL("./events-clients.ts", import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(target)}); })`, {
    eval: true,
    workerData: input,
  });
}

function nextMessage<T>(worker: Worker, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string } & T) => {
      if (message.type !== type) return;
      worker.off("message", onMessage);
      resolve(message);
    };
    worker.on("message", onMessage);
    worker.once("error", reject);
  });
}

async function benchDatabase(label: string, target: DatabaseTarget, scratch: string, seconds: number): Promise<void> {
  const config: Config = {
    ...loadConfig({
      LOG_LEVEL: "warn",
      ATTACHMENTS_DIR: path.join(scratch, "attachments"),
      STAFF_REQUESTS_PER_MINUTE: "1000000",
      PUBLIC_REQUESTS_PER_MINUTE: "1000000",
      // A few accounts stand for many people's browsers.
      EVENT_STREAMS_PER_USER: "100",
    }),
    database: target,
  };
  const running = await prepare(config, { demo: true });
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let worker: Worker | undefined;
  try {
    await running.app.listen({ port: 0, host: "127.0.0.1" });
    const address = running.app.server.address();
    const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const client = new Client(base);
    // Accounts of every kind of scope: communities, streets, the district, departments.
    const accounts = await running.ctx.db
      .selectFrom("users")
      .select(["username", "scope_code"])
      .where((eb) =>
        eb.or([
          eb("username", "like", "community-%"),
          eb("username", "like", "dispatcher-%-1"),
          eb("username", "=", "dispatcher"),
          eb("username", "like", "handler-%-1"),
        ]),
      )
      .orderBy("username")
      .execute();
    const cookies = new Map<string, string>();
    for (const account of accounts) cookies.set(account.username, await client.login(account.username, config.demoPassword));
    const streams = Array.from({ length: CLIENTS }, (_, i) => {
      const account = accounts[i % accounts.length];
      return { cookie: cookies.get(account.username) ?? "", scope: account.scope_code ?? "" };
    });
    const grids = await running.ctx.db.selectFrom("grids").select(["code", "community_code"]).orderBy("code").execute();
    const communityCookies = Object.fromEntries(
      accounts.filter((account) => account.username.startsWith("community-")).map((account) => [account.scope_code ?? "", cookies.get(account.username) ?? ""]),
    );
    const places = grids.filter((grid) => communityCookies[grid.community_code]).map((grid) => ({ gridCode: grid.code, communityCode: grid.community_code }));
    const kinds = {
      communities: accounts.filter((account) => account.scope_code?.length === 12).length,
      streets: accounts.filter((account) => account.scope_code?.length === 9).length,
      district: accounts.filter((account) => account.username === "dispatcher").length,
      departments: accounts.filter((account) => account.username.startsWith("handler-")).length,
    };
    const idleAlone = await loopDelay(histogram, IDLE_SECONDS);

    worker = startClients({ base, streams, places, communityCookies, seatCookie: await client.login("seat-01", config.demoPassword), seconds, eventsPerSecond: EVENTS_PER_SECOND });
    const connected = await nextMessage<{ connected: number }>(worker, "connected");
    const idle = await loopDelay(histogram, IDLE_SECONDS);
    const done = nextMessage<{ result: ClientsResult }>(worker, "done");
    worker.postMessage({ type: "drive" });
    const loaded = await loopDelay(histogram, done);
    const { result } = await done;

    const ratio = loaded.p99 / idle.p99;
    console.log(
      `${label}: ${connected.connected} streams of ${accounts.length} accounts (${kinds.communities} communities, ${kinds.streets} streets, ` +
        `${kinds.district} district, ${kinds.departments} departments); ${fmt(seconds, 0)} s of ${EVENTS_PER_SECOND} case changes/s (reports and acceptances)`,
    );
    console.log(
      `  changes: ${result.changes} made, ${result.changeErrors} failed${result.firstError ? ` (first: ${result.firstError})` : ""}; ` +
        `deliveries: ${result.deliveries} of ${result.expectedDeliveries} expected, ${result.outOfScope} out of scope, ${result.dropped} streams dropped`,
    );
    console.log(`  delivery latency, commit to receipt: p50 ${fmt(result.latency.p50, 0)} ms, p99 ${fmt(result.latency.p99, 0)} ms, max ${fmt(result.latency.max, 0)} ms`);
    console.log(
      `  server event-loop delay p99: ${fmt(idleAlone.p99, 1)} ms idle without streams, ${fmt(idle.p99, 1)} ms idle with ${connected.connected} streams, ` +
        `${fmt(loaded.p99, 1)} ms under load: ${fmt(ratio, 2)}× idle (aim ≤ ${AIM_LOOP_RATIO}×: ${ratio <= AIM_LOOP_RATIO ? "✓" : "✗"})`,
    );
  } finally {
    await worker?.terminate();
    histogram.disable();
    await running.stop();
  }
}

/**
 * Fan-out of live case events: CLIENTS SSE streams in different scopes on one server while real
 * case changes are made at EVENTS_PER_SECOND; prints delivery latency (the entry's commit time to
 * its receipt) and the server's event-loop delay against idle, on PGlite and, with DATABASE_URL or
 * --postgres, on PostgreSQL.
 */
export async function run(): Promise<void> {
  const { seconds, postgres } = options();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-events-"));
  try {
    await benchDatabase("PGlite", { kind: "pglite", dataDir: path.join(scratch, "data") }, scratch, seconds);
    const url = process.env.DATABASE_URL?.trim();
    if (url) await withFreshPostgres(url, (fresh) => benchDatabase("PostgreSQL", { kind: "postgres", url: fresh }, scratch, seconds));
    else console.log(`PostgreSQL: skipped (set DATABASE_URL to measure it too${postgres ? "; --postgres needs it" : ""})`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();

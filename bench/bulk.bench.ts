// npm run bench bulk: one bulk urge over 1,000 cases, its total time, and the p99 of light requests
// sent meanwhile against the same requests on the idle server; PGlite, and PostgreSQL with
// DATABASE_URL or --postgres <url>.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { startServer } from "../server/test/cli.ts";
import { Client, drive, errorNote, fmt, percentile, withFreshPostgres, type Load } from "./lib.ts";

const CASES = 1_000;
const IDLE_SECONDS = 4;
/** Reports sent at a time while the cases are created. */
const INTAKE_CONCURRENCY = 32;
// A grid of 尚义社区 (street 530103001), in the district dispatcher's scope.
const GRID = "530103001001001";
const PASSWORD = "bench-pass-123";
const AIM_RATIO = 2;

function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  const k = args.indexOf(name);
  return k >= 0 ? args[k + 1] : undefined;
}

type Light = { name: string; request: () => Promise<void> };

/** Runs the light requests (one at a time each) until `until` settles; returns their loads. */
async function meanwhile(lights: Light[], until: Promise<unknown>): Promise<Load[]> {
  let running = true;
  void until.finally(() => (running = false));
  return Promise.all(
    lights.map(async ({ request }) => {
      const load: Load = { done: 0, errors: 0, latencies: [], seconds: 0, firstError: null };
      const started = performance.now();
      while (running) {
        const begun = performance.now();
        try {
          await request();
          load.latencies.push(performance.now() - begun);
          load.done++;
        } catch (error) {
          load.errors++;
          load.firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
      load.seconds = (performance.now() - started) / 1000;
      return load;
    }),
  );
}

async function benchDatabase(label: string, env: Record<string, string>): Promise<void> {
  const server = await startServer({ ...env, GRIDGOV_DEMO_PASSWORD: PASSWORD }, ["--demo"]);
  try {
    const client = new Client(server.url);
    const cookie = await client.login("dispatcher", PASSWORD);
    // The cases to urge, reported through the API (the reports are written in batches).
    const ids: string[] = [];
    const intakeStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: INTAKE_CONCURRENCY }, async () => {
        while (next < CASES) {
          const k = next++;
          const answer = await client.post("/api/v1/cases", { description: `批量测试案件 ${k}：道路破损需要修补`, gridCode: GRID, source: "hotline" }, { cookie });
          const created = answer.body as { case?: { id: string } };
          if (answer.status !== 201 || !created.case) throw new Error(`intake: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
          ids.push(created.case.id);
        }
      }),
    );
    const intakeSeconds = (performance.now() - intakeStarted) / 1000;

    const get = (url: string) => async () => {
      const answer = await client.get(url, { cookie });
      if (answer.status !== 200) throw new Error(`${url}: ${answer.status}`);
    };
    let k = 0;
    const lights: Light[] = [
      { name: "GET /auth/me", request: get("/api/v1/auth/me") },
      { name: "GET /cases/{id}", request: () => get(`/api/v1/cases/${ids[k++ % ids.length]}`)() },
    ];
    // Warm up, then the idle figures.
    await drive(1, 1, lights[1].request);
    const idle = await Promise.all(lights.map((light) => drive(IDLE_SECONDS, 1, light.request)));

    const started = performance.now();
    let bulkSeconds = 0;
    const bulk = client
      .post("/api/v1/cases/bulk", { action: "urge", cases: ids.map((id) => ({ id })), note: "批量督办测试" }, { cookie, "idempotency-key": `bench-${Date.now()}` })
      .then((answer) => {
        bulkSeconds = (performance.now() - started) / 1000;
        return answer;
      });
    const busy = await meanwhile(lights, bulk);
    const answer = await bulk;
    const result = answer.body as { succeeded?: number; refused?: number };
    if (answer.status !== 200 || result.succeeded !== CASES) throw new Error(`bulk: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);

    console.log(`\n${label}: ${fmt(CASES, 0)} cases reported in ${fmt(intakeSeconds, 1)} s`);
    console.log(`  bulk urge of ${fmt(CASES, 0)} cases: ${fmt(bulkSeconds, 2)} s (${fmt(CASES / bulkSeconds, 0)} cases/s), ${result.succeeded} done, ${result.refused} refused`);
    lights.forEach((light, i) => {
      const idleP99 = percentile(idle[i].latencies, 99);
      const busyP99 = percentile(busy[i].latencies, 99);
      const ratio = busyP99 / idleP99;
      console.log(
        `  ${light.name.padEnd(16)} idle p50 ${fmt(percentile(idle[i].latencies, 50), 2)} ms, p99 ${fmt(idleP99, 2)} ms; ` +
          `during the bulk p50 ${fmt(percentile(busy[i].latencies, 50), 2)} ms, p99 ${fmt(busyP99, 2)} ms (${busy[i].done} requests, ${errorNote(busy[i])}): ` +
          `${fmt(ratio, 2)}× idle (aim ≤ ${AIM_RATIO}×: ${ratio <= AIM_RATIO ? "✓" : "✗"})`,
      );
    });
  } finally {
    await server.stop();
  }
}

/** A bulk urge of 1,000 cases on PGlite and, with DATABASE_URL or --postgres <url>, on PostgreSQL. */
export async function run(): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-bulk-"));
  try {
    await benchDatabase("PGlite", { DATA_DIR: path.join(scratch, "data"), DATABASE_URL: "" });
    const url = option("--postgres") ?? process.env.DATABASE_URL?.trim();
    if (url) await withFreshPostgres(url, (fresh) => benchDatabase("PostgreSQL", { DATABASE_URL: fresh, DATA_DIR: "" }));
    else console.log("PostgreSQL: skipped (set DATABASE_URL or --postgres <url> to measure it too)");
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();

// npm run bench webhooks: deliveries per second from the webhook outbox to a receiver on loopback,
// and what one subscription adds to a transition (the outbox trigger), on PGlite and, when
// DATABASE_URL is set, on a fresh PostgreSQL database beside it.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { buildApp } from "../server/src/app.ts";
import { createContext } from "../server/src/create-context.ts";
import { loadConfig, type Config } from "../server/src/config.ts";
import { openDatabase } from "../server/src/db/database.ts";
import { migrate } from "../server/src/db/migrate.ts";
import { ensureCategories } from "../server/src/modules/cases/categories.service.ts";
import { generateCases } from "../server/src/modules/demo/case-seed.ts";
import { seedDemoDistrict } from "../server/src/modules/demo/demo.seed.ts";
import { enqueueReplay } from "../server/src/modules/webhooks/webhooks.repository.ts";
import { fmt, percentile, withFreshPostgres } from "./lib.ts";

const GENERATED_CASES = Number(process.env.WEBHOOK_BENCH_CASES ?? 1000);
const TRANSITIONS = Number(process.env.WEBHOOK_BENCH_TRANSITIONS ?? 200);
const GRID = "530103001001001";

async function receiver() {
  let received = 0;
  const server = http.createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      received++;
      response.writeHead(204).end();
    });
  });
  // Hundreds of connections open at once: a backlog that holds them, as a real receiver's would.
  await new Promise<void>((resolve) => server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received: () => received, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function bench(label: string, target: Config["database"]): Promise<void> {
  const config: Config = { ...loadConfig({ LOG_LEVEL: "warn", OUTBOUND_ALLOWED_NETWORKS: "127.0.0.1/32", STAFF_REQUESTS_PER_MINUTE: "1000000" }), database: target };
  const database = await openDatabase(target);
  const hook = await receiver();
  try {
    await migrate(database.db);
    await ensureCategories(database.db);
    const ctx = createContext(database.db, config);
    await seedDemoDistrict(ctx, config.demoPassword);
    await ctx.grids.load(ctx.db);
    const app = await buildApp(ctx);
    const login = async (username: string) => {
      const answer = await app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username, password: config.demoPassword } });
      return String(answer.headers["set-cookie"]).split(";")[0];
    };
    const seat = await login("seat-01");
    const community = await login("community-530103001001");
    const admin = await login("admin");

    // The transition: an urge (督办) on one of a few cases, timed through the API, without and then with one subscription.
    const cases: string[] = [];
    for (let k = 0; k < 20; k++) {
      const answer = await app.inject({ method: "POST", url: "/api/v1/cases", headers: { cookie: seat }, payload: { description: `井盖松动 ${k}`, gridCode: GRID } });
      cases.push(answer.json().case.id);
    }
    const etags = new Map<string, string>();
    const urge = async (k: number) => {
      const id = cases[k % cases.length];
      const started = performance.now();
      const answer = await app.inject({ method: "POST", url: `/api/v1/cases/${id}/transitions`, headers: { cookie: community, ...(etags.has(id) ? { "if-match": etags.get(id) } : {}) }, payload: { action: "urge", note: "催办" } });
      const ms = performance.now() - started;
      if (answer.statusCode === 412 || answer.statusCode === 428) {
        etags.set(id, String((await app.inject({ method: "GET", url: `/api/v1/cases/${id}`, headers: { cookie: community } })).headers.etag));
        return urge(k);
      }
      if (answer.statusCode !== 200) throw new Error(`urge: ${answer.statusCode} ${answer.body}`);
      etags.set(id, String(answer.headers.etag));
      return ms;
    };
    // Samples alternate between the subscription disabled and enabled, so that both see the same load.
    const created = await app.inject({ method: "POST", url: "/api/v1/webhooks", headers: { cookie: admin }, payload: { url: hook.url } });
    if (created.statusCode !== 201) throw new Error(`subscribe: ${created.body}`);
    const subscriptionId: string = created.json().subscription.id;
    const setActive = (active: boolean) => database.db.updateTable("webhook_subscriptions").set({ active }).where("id", "=", subscriptionId).execute();
    const without: number[] = [];
    const withOne: number[] = [];
    for (let k = 0; k < 20; k++) await urge(k); // warm up
    for (let k = 0; k < TRANSITIONS; k++) {
      await setActive(false);
      without.push(await urge(2 * k));
      await setActive(true);
      withOne.push(await urge(2 * k + 1));
    }
    const p50 = (samples: number[]) => percentile(samples, 50);
    console.log(
      `${label}: a transition through the API, p50 ${fmt(p50(without), 2)} ms without a subscription, ${fmt(p50(withOne), 2)} ms with one: ` +
        `+${fmt(p50(withOne) - p50(without), 2)} ms (aim ≤ 1 ms); p99 ${fmt(percentile(without, 99), 2)} → ${fmt(percentile(withOne, 99), 2)} ms`,
    );
    // The transitions' own deliveries are not part of the throughput figure.
    await ctx.webhooks.deliverDue();

    // Throughput: the generated histories queued by a replay, then delivered as fast as the receiver acknowledges.
    await generateCases(database, { cases: GENERATED_CASES, seed: 11 });
    await enqueueReplay(database.db, subscriptionId, new Date(0), null);
    const queued = await database.db.selectFrom("webhook_outbox").select((eb) => eb.fn.countAll<number>().as("n")).where("status", "=", "pending").executeTakeFirstOrThrow();
    console.log(`${label}: generated ${GENERATED_CASES} case histories; delivering them`);
    const before = hook.received();
    const started = performance.now();
    const delivered = await ctx.webhooks.deliverDue();
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `${label}: ${fmt(Number(queued.n), 0)} queued deliveries (${GENERATED_CASES} cases, in order per case) delivered in ${fmt(seconds, 2)} s = ` +
        `${fmt(delivered / seconds, 0)} deliveries/s (aim ≥ 1,000); the receiver acknowledged ${fmt(hook.received() - before, 0)}`,
    );
    await app.close();
  } finally {
    await hook.close();
    await database.close();
  }
}

export async function run(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-webhooks-"));
  try {
    await bench("PGlite", { kind: "pglite", dataDir });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const url = process.env.DATABASE_URL;
  if (url) await withFreshPostgres(url, (fresh) => bench("PostgreSQL", { kind: "postgres", url: fresh }));
}

if (import.meta.url === `file://${process.argv[1]}`) await run();

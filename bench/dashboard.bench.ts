import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../server/src/config.ts";
import { prepare } from "../server/src/server.ts";
import { fmt, percentile } from "./lib.ts";

const SECONDS = 10;
const DASHBOARDS = 20;
const PASSWORD = "bench-pass-123";

/** Today and this month's first day in China Standard Time. */
function period(): { today: string; first: string } {
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  return { today, first: `${today.slice(0, 7)}-01` };
}

/** The API calls of one dashboard refresh (DashboardPage.tsx): totals, groupings, ranking, overdue. */
function refreshUrls(base: string): string[] {
  const { today, first } = period();
  const indicators = (from: string, groupBy?: string) => `${base}/api/v1/indicators?division=530103&from=${from}&to=${today}${groupBy ? `&groupBy=${groupBy}` : ""}`;
  return [
    indicators(today),
    indicators(first),
    ...["day", "category", "source", "level", "grid"].map((groupBy) => indicators(first, groupBy)),
    `${base}/api/v1/rankings?kind=street&period=${today.slice(0, 7)}`,
    `${base}/api/v1/overdue-cases`,
  ];
}

async function get(url: string, cookie: string): Promise<void> {
  const response = await fetch(url, { headers: { cookie } });
  await response.arrayBuffer();
}

/** Latencies of GET /auth/me, one request after another, for SECONDS. */
async function meLatencies(base: string, cookie: string): Promise<number[]> {
  const samples: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  while (performance.now() < deadline) {
    const started = performance.now();
    await get(`${base}/api/v1/auth/me`, cookie);
    samples.push(performance.now() - started);
  }
  return samples;
}

/** The live refresh's bound per dashboard (useLiveRefresh.ts). */
const REFRESH_MS = 10_000;

/** Runs `measure` while DASHBOARDS dashboards refresh, each every `everyMs` (staggered), or back to back at 0. */
async function underDashboards(urls: string[], cookie: string, measure: () => Promise<number[]>, everyMs: number): Promise<{ samples: number[]; refreshes: number }> {
  let on = true;
  let refreshes = 0;
  const dashboards = Array.from({ length: DASHBOARDS }, async (_, k) => {
    if (everyMs > 0) await new Promise((resolve) => setTimeout(resolve, (k * everyMs) / DASHBOARDS / 2));
    while (on) {
      const started = performance.now();
      await Promise.all(urls.map((url) => get(url, cookie)));
      refreshes++;
      const wait = everyMs - (performance.now() - started);
      if (everyMs > 0 && wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  });
  const samples = await measure();
  on = false;
  await Promise.all(dashboards);
  return { samples, refreshes };
}

const line = (label: string, samples: number[]) =>
  `  ${label}: ${samples.length} requests, p50 ${fmt(percentile(samples, 50), 2)} ms, p99 ${fmt(percentile(samples, 99), 2)} ms`;

/**
 * p99 of a light request (GET /api/v1/auth/me) on an idle server, while 20 dashboards refresh at the
 * live refresh's bound (each every 10 s, staggered; a refresh is the dashboard's set of API calls, in
 * parallel), the aim being within 2× of idle, and, as the worst case, back to back without pause.
 */
export async function run(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-dashboard-"));
  const config = { ...loadConfig({ LOG_LEVEL: "warn", STAFF_REQUESTS_PER_MINUTE: "1000000", GRIDGOV_DEMO_PASSWORD: PASSWORD }), database: { kind: "pglite" as const, dataDir } };
  const running = await prepare(config, { demo: true });
  try {
    await running.app.listen({ port: 0, host: "127.0.0.1" });
    const address = running.app.server.address();
    const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const login = await fetch(`${base}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "leader", password: PASSWORD }) });
    if (login.status !== 200) throw new Error(`sign-in: ${login.status} ${await login.text()}`);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
    const urls = refreshUrls(base);
    await Promise.all(urls.map((url) => get(url, cookie))); // warm-up
    const idle = await meLatencies(base, cookie);

    const atCadence = await underDashboards(urls, cookie, () => meLatencies(base, cookie), REFRESH_MS);
    const backToBack = await underDashboards(urls, cookie, () => meLatencies(base, cookie), 0);
    console.log("p99 of GET /api/v1/auth/me, PGlite, demo district (a shared machine: figures vary from run to run)");
    console.log(line("idle", idle));
    console.log(line(`${DASHBOARDS} dashboards at the live cadence, each every ${REFRESH_MS / 1000} s, staggered (${fmt(atCadence.refreshes / SECONDS, 1)} refreshes/s, ${urls.length} calls each)`, atCadence.samples));
    console.log(line(`${DASHBOARDS} dashboards refreshing back to back, no pause (${fmt(backToBack.refreshes / SECONDS, 1)} refreshes/s)`, backToBack.samples));
    const ratio = percentile(atCadence.samples, 99) / percentile(idle, 99);
    console.log(`  p99 at the live cadence / idle: ${fmt(ratio, 2)}× (aim ≤ 2×): ${ratio <= 2 ? "within the aim" : "over the aim"}; back to back: ${fmt(percentile(backToBack.samples, 99) / percentile(idle, 99), 1)}×`);
  } finally {
    await running.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

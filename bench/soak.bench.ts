import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Client, drive, errorNote, fmt, latency, startAndTimeReady, withFreshPostgres, type Load } from "./lib.ts";

/** Ten minutes unless SOAK_SECONDS says otherwise (a shorter run for trying the bench out). */
const SECONDS = Number(process.env.SOAK_SECONDS || 600);
const WARM_UP_SECONDS = Math.min(30, Math.max(5, SECONDS / 10));
const CLIENTS = 8;
/** The same community's staff works the cases its grid reports, so that transitions have work. */
const COMMUNITY = "530103001001";
const MAX_MEMORY_GROWTH = 0.1;

type Kind = "intake" | "queue" | "transition" | "dashboard";
/** The mix: how many of every 20 requests are of each kind. */
const MIX: [Kind, number][] = [
  ["intake", 6],
  ["queue", 6],
  ["transition", 5],
  ["dashboard", 3],
];

/** The server process's resident memory, from /proc. */
function residentMegabytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kilobytes = Number(status.match(/^VmRSS:\s+(\d+)\s+kB/m)?.[1] ?? Number.NaN);
  return kilobytes / 1024;
}

/**
 * A mixed load on a real `gridgov serve` process over loopback: reports, queue reads, workflow
 * transitions and dashboard reads, from CLIENTS loops for SECONDS. Prints errors, latencies per kind
 * and the server's memory after the warm-up and at the end.
 */
async function soak(label: string, env: Record<string, string>, password: string): Promise<void> {
  // One seat operator's session stands for a whole call centre: the per-user limit is lifted.
  const { server } = await startAndTimeReady({ ...env, GRIDGOV_DEMO_PASSWORD: password, STAFF_REQUESTS_PER_MINUTE: "1000000" });
  try {
    const client = new Client(server.url);
    const seat = await client.login("seat-01", password);
    const community = await client.login(`community-${COMMUNITY}`, password);
    const dispatcher = await client.login("dispatcher-001-1", password);
    const leader = await client.login("leader", password);
    const grids = await client.get(`/api/v1/grids?division=530103`, { cookie: leader });
    const gridCodes = (grids.body as { features: { properties: { code: string } }[] }).features.map((feature) => feature.properties.code);
    const ownGrids = gridCodes.filter((code) => code.startsWith(COMMUNITY));
    const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];
    /** Cases of the community still being worked on, with their ETags. */
    const open = new Map<string, string>();
    const kinds = MIX.flatMap(([kind, weight]) => Array<Kind>(weight).fill(kind));
    const byKind = new Map<Kind, Load>(MIX.map(([kind]) => [kind, { done: 0, errors: 0, latencies: [], seconds: 0, firstError: null }]));

    const expect = (ok: boolean, what: string, answer: { status: number; body: unknown }) => {
      if (!ok) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
    };
    const operations: Record<Kind, () => Promise<void>> = {
      async intake() {
        const own = Math.random() < 0.5;
        const answer = await client.post(
          "/api/v1/cases",
          { description: pick(["井盖松动，晚上路过很危险", "垃圾桶满了好几天没人清理", "路灯坏了，晚上一片漆黑", "早餐摊占道经营"]), gridCode: pick(own ? ownGrids : gridCodes) },
          { cookie: seat },
        );
        expect(answer.status === 201, "intake", answer);
        const created = (answer.body as { case: { id: string; communityCode: string } }).case;
        if (created.communityCode === COMMUNITY && answer.etag && open.size < 500) open.set(created.id, answer.etag);
      },
      async queue() {
        const query = pick(["queue=centre", "queue=overdue", "status=reported&limit=20", "q=井盖&limit=20"]);
        const answer = await client.get(`/api/v1/cases?${query}`, { cookie: pick([community, dispatcher]) });
        expect(answer.status === 200, `queue ${query}`, answer);
      },
      async transition() {
        const [id, etag] = [...open.entries()][Math.floor(Math.random() * open.size)] ?? [];
        if (!id || !etag) return operations.queue();
        open.delete(id); // one client at a time works a case
        const read = await client.get(`/api/v1/cases/${id}`, { cookie: community });
        expect(read.status === 200, "read case", read);
        const actions = (read.body as { case: { actions: string[] } }).case.actions;
        const action = ["accept", "register", "dispatch", "acknowledge", "handle"].find((candidate) => actions.includes(candidate));
        if (!action) return;
        const body: Record<string, unknown> = { action, note: "已处理" };
        if (action === "dispatch") body.to = { divisionCode: COMMUNITY };
        const answer = await client.post(`/api/v1/cases/${id}/transitions`, body, { cookie: community, "if-match": read.etag ?? "" });
        expect(answer.status === 200, action, answer);
        if (answer.etag && action !== "handle") open.set(id, answer.etag);
      },
      async dashboard() {
        const division = pick(["530103", "530103001", "530103002"]);
        const answer = await client.get(`/api/v1/cases/stats?division=${division}`, { cookie: leader });
        expect(answer.status === 200, "dashboard", answer);
      },
    };
    const mixed = async () => {
      const kind = pick(kinds);
      const load = byKind.get(kind);
      const begun = performance.now();
      try {
        await operations[kind]();
        load?.latencies.push(performance.now() - begun);
        if (load) load.done++;
      } catch (error) {
        if (load) {
          load.errors++;
          load.firstError ??= error instanceof Error ? error.message : String(error);
        }
        throw error;
      }
    };

    await drive(WARM_UP_SECONDS, CLIENTS, mixed);
    for (const load of byKind.values()) Object.assign(load, { done: 0, errors: 0, latencies: [], firstError: null });
    const pid = server.child.pid ?? 0;
    const startMemory = residentMegabytes(pid);
    let peakMemory = startMemory;
    const sampler = setInterval(() => (peakMemory = Math.max(peakMemory, residentMegabytes(pid))), 5_000);
    const total = await drive(SECONDS, CLIENTS, mixed).finally(() => clearInterval(sampler));
    const endMemory = residentMegabytes(pid);
    const growth = (endMemory - startMemory) / startMemory;

    console.log(`${label}: ${fmt(SECONDS, 0)} s of mixed load after ${fmt(WARM_UP_SECONDS, 0)} s warm-up, ${CLIENTS} clients on loopback`);
    console.log(`  all: ${total.done} requests, ${fmt(total.done / total.seconds)} /s, ${latency(total.latencies)}, ${errorNote(total)} (aim: 0 errors)`);
    for (const [kind, load] of byKind) console.log(`  ${kind}: ${load.done} requests, ${latency(load.latencies)}, ${errorNote(load)}`);
    console.log(
      `  server memory (RSS): ${fmt(startMemory)} MB after warm-up, ${fmt(endMemory)} MB at the end (peak ${fmt(peakMemory)} MB): ` +
        `${growth >= 0 ? "+" : ""}${fmt(growth * 100)}% (aim ≤ +${MAX_MEMORY_GROWTH * 100}%: ${growth <= MAX_MEMORY_GROWTH ? "met" : "missed"})`,
    );
  } finally {
    await server.stop();
  }
}

/** The soak on the database the environment names: PostgreSQL with DATABASE_URL, PGlite otherwise. */
export async function run(): Promise<void> {
  const password = "soak-pass-123";
  const url = process.env.DATABASE_URL?.trim();
  if (url) {
    await withFreshPostgres(url, (fresh) => soak("PostgreSQL", { DATABASE_URL: fresh, DATA_DIR: "" }, password));
    return;
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-soak-"));
  try {
    await soak("PGlite", { DATA_DIR: dataDir, DATABASE_URL: "" }, password);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();

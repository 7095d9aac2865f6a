import { afterAll, describe, expect, it } from "vitest";
import { copyTemplate, DEMO_PASSWORD, usePostgres } from "./databases.ts";
import { openDatabase } from "../src/db/database.ts";
import { exited, gridgov, startServer } from "./cli.ts";

const disposers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const dispose of disposers) await dispose();
});

async function signIn(url: string, username: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  expect(response.status).toBe(200);
  return (response.headers.get("set-cookie") ?? "").split(";")[0];
}

const GRID = "530103001001001";
const reportBody = (key: string) => ({ description: `崩溃测试 ${key}：井盖松动`, gridCode: GRID });

type Answer = { status: number; body: { case?: { id: string; number: string; version: number } }; etag: string | null };

async function post(url: string, body: unknown, headers: Record<string, string>): Promise<Answer | undefined> {
  try {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
    return { status: response.status, body: await response.json(), etag: response.headers.get("etag") };
  } catch {
    return undefined; // the server died before answering
  }
}

describe("crash safety", () => {
  // Three server processes start and are killed in turn: beside the browser tests, at the lowest
  // priority (.ci/run), that has taken over three minutes on a busy machine.
  it("keeps every acknowledged case and transition through kill -9, and retries of unanswered reports make one case each", async () => {
    const copy = await copyTemplate("demo");
    disposers.push(copy.dispose);
    const cases = new Map<string, { number: string; version: number; etag: string }>();
    const keys = new Map<string, string | null>(); // Idempotency-Key → acknowledged case id, or null while unanswered
    let serial = 0;
    for (let round = 0; round < 3; round++) {
      const server = await startServer(copy.env);
      const seat = await signIn(server.url, "seat-01");
      const community = await signIn(server.url, "community-530103001001");
      // Reports (with and without a key) and acceptances keep flowing while the process is killed;
      // only answered ones count.
      const worker = async () => {
        for (;;) {
          const step = serial++ % 3;
          if (step === 2 && cases.size > 0) {
            const [id, known] = [...cases.entries()][Math.floor(Math.random() * cases.size)];
            const answer = await post(`${server.url}/api/v1/cases/${id}/transitions`, { action: known.version === 1 ? "accept" : "urge", note: "催办" }, { cookie: community, "if-match": known.etag });
            if (!answer) return;
            if (answer.status === 200 && answer.body.case && answer.etag) cases.set(id, { ...known, version: answer.body.case.version, etag: answer.etag });
            continue;
          }
          const key = step === 0 ? `crash-${round}-${serial}` : undefined;
          if (key) keys.set(key, null);
          const answer = await post(`${server.url}/api/v1/cases`, reportBody(key ?? `plain-${serial}`), { cookie: seat, ...(key ? { "idempotency-key": key } : {}) });
          if (!answer) return;
          if (answer.status === 201 && answer.body.case && answer.etag) {
            cases.set(answer.body.case.id, { number: answer.body.case.number, version: answer.body.case.version, etag: answer.etag });
            if (key) keys.set(key, answer.body.case.id);
          }
        }
      };
      const workers = Promise.all([worker(), worker(), worker()]);
      // Killed once this round has answered a few reports (however busy the machine), at a random moment after.
      const enough = cases.size + 5;
      while (cases.size < enough) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 1000));
      server.child.kill("SIGKILL");
      await exited(server.child);
      await workers;
    }
    expect(cases.size).toBeGreaterThan(10);
    expect([...cases.values()].filter((known) => known.version > 1).length).toBeGreaterThan(0);

    // The next start recovers (on PGlite: clears the stale lock); a retry of every keyed report
    // answers with the first case, or makes it if the first attempt never committed.
    const server = await startServer(copy.env);
    const seat = await signIn(server.url, "seat-01");
    for (const [key, acknowledged] of keys) {
      const answer = await post(`${server.url}/api/v1/cases`, reportBody(key), { cookie: seat, "idempotency-key": key });
      expect(answer?.status, key).toBe(201);
      if (acknowledged) expect(answer?.body.case?.id, key).toBe(acknowledged);
    }
    const admin = await signIn(server.url, "admin");
    const stats = await (await fetch(`${server.url}/api/v1/cases/stats`, { headers: { cookie: admin } })).json();
    await server.stop();

    const database = await openDatabase(copy.env.DATABASE_URL ? { kind: "postgres", url: copy.env.DATABASE_URL } : { kind: "pglite", dataDir: copy.env.DATA_DIR });
    try {
      const db = database.db;
      const stored = new Map((await db.selectFrom("cases").select(["id", "number", "version", "status", "description"]).execute()).map((row) => [row.id, row]));
      for (const [id, known] of cases) {
        expect(stored.get(id)?.number, id).toBe(known.number);
        expect(stored.get(id)?.version, id).toBeGreaterThanOrEqual(known.version);
      }
      for (const key of keys.keys()) {
        expect([...stored.values()].filter((row) => row.description.includes(` ${key}：`)), key).toHaveLength(1);
      }
      // Nothing half-written: each case's events explain it (one per version, from the report on),
      // and no idempotency claim is left without its answer.
      const events = await db.selectFrom("case_events").select(["case_id", "action", "to_status", "details"]).orderBy("at").orderBy("id").execute();
      const timelines = new Map<string, typeof events>();
      for (const event of events) timelines.set(event.case_id, [...(timelines.get(event.case_id) ?? []), event]);
      for (const row of stored.values()) {
        const timeline = timelines.get(row.id) ?? [];
        expect(timeline[0]?.action, row.number).toBe("report");
        expect(timeline.filter((event) => !(event.details as { automatic?: boolean }).automatic), row.number).toHaveLength(row.version);
        expect(timeline.at(-1)?.to_status, row.number).toBe(row.status);
      }
      expect(await db.selectFrom("idempotency_keys").select("status_code").where("status_code", "=", 0).execute()).toEqual([]);
      // The day counters are ahead of every number they drew.
      const counters = await db.selectFrom("case_number_counters").selectAll().execute();
      for (const row of stored.values()) {
        const [region, day, drawn] = row.number.split("-");
        const counter = counters.find((c) => c.region_code === region && c.day === day);
        expect(counter?.last_value, row.number).toBeGreaterThanOrEqual(Number(drawn));
      }
      // The dashboard's counts are the ones the timelines give.
      const byStatus: Record<string, number> = {};
      for (const row of stored.values()) byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
      expect(stats.byStatus).toEqual(byStatus);
      expect(stats.total).toBe(stored.size);
    } finally {
      await database.close();
    }
  }, 300_000);

  it("refuses a second live process on the same data directory, while servers share PostgreSQL", async () => {
    const copy = await copyTemplate("demo");
    disposers.push(copy.dispose);
    const server = await startServer(copy.env);
    try {
      if (usePostgres()) {
        // Several app servers on one PostgreSQL database is the way to scale out.
        const second = await startServer(copy.env);
        expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
        await second.stop();
      } else {
        const second = await gridgov(["users", "list", "--json"], copy.env);
        expect(second.code).toBe(1);
        expect(second.stderr).toContain(`is in use by another gridgov process (pid ${server.child.pid})`);
      }
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      server.child.kill("SIGTERM");
      expect(await exited(server.child)).toBe(0);
    }
  });
});

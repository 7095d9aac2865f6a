import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.ts";
import { createContext } from "../src/create-context.ts";
import { openDatabase } from "../src/db/database.ts";
import { SseClient } from "./sse-client.ts";
import { cookieOf, createTestApp, type TestApp } from "./test-app.ts";

// Several connections committing in another order than they began: only a PostgreSQL server has them.
type CaseEvent = { caseId: string; action: string; status: string };

describe("the case event log on PostgreSQL", () => {
  let t: TestApp;
  let url: string;
  let base: string;
  beforeAll(async () => {
    t = await createTestApp("demo");
    const { database } = t.ctx.config;
    if (database.kind !== "postgres") throw new Error("a PostgreSQL test app knows its URL");
    url = database.url;
    for (const gridCode of ["530103001001001", "530103002001001"]) {
      const created = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: { description: "垃圾桶满了没人清理", gridCode } });
      expect(created.statusCode, created.body).toBe(201);
    }
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  /** A case event written by hand in a transaction of its own connection, left open. */
  async function openTransactionWithEvent(caseRow: { region_code: string; id: string }): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query("begin");
    await client.query(
      `insert into case_events (region_code, id, case_id, action, to_status, level) values ($1, gen_random_uuid(), $2, 'urge', 'reported', 'community')`,
      [caseRow.region_code, caseRow.id],
    );
    return client;
  }
  const entriesAfter = async (position: number) =>
    (await t.ctx.db.selectFrom("case_event_log").select(["position", "event_id"]).where("region_code", "=", "530103").where("position", ">", position).orderBy("position").execute()).map(
      (row) => row.position,
    );
  const head = async () => (await t.ctx.db.selectFrom("case_event_log_heads").select("position").where("region_code", "=", "530103").executeTakeFirst())?.position ?? 0;

  it("orders positions by commit: of two transactions committed out of order, the later commit has the later position", async () => {
    const [a, b] = await t.ctx.db.selectFrom("cases").select(["region_code", "id"]).where("region_code", "=", "530103").limit(2).execute();
    const start = await head();
    const first = await openTransactionWithEvent(a);
    const second = await openTransactionWithEvent(b);
    // Begun first, committed last.
    await second.query("commit");
    await first.query("commit");
    await Promise.all([first.end(), second.end()]);
    const rows = await t.ctx.db
      .selectFrom("case_event_log")
      .select(["position", "case_id"])
      .where("region_code", "=", "530103")
      .where("position", ">", start)
      .orderBy("position")
      .execute();
    expect(rows.map((row) => row.case_id)).toEqual([b.id, a.id]);
  });

  it("never lets a reader see a position while a lower one is still uncommitted", async () => {
    const [a, b] = await t.ctx.db.selectFrom("cases").select(["region_code", "id"]).where("region_code", "=", "530103").limit(2).execute();
    const start = await head();
    const first = await openTransactionWithEvent(a);
    // The trigger runs now instead of at commit: the first takes the next position and holds the head.
    await first.query("set constraints case_events_logged immediate");
    const second = await openTransactionWithEvent(b);
    const secondCommit = second.query("commit");
    // The second's commit waits for the head; until the first commits, a reader sees neither.
    await waitUntil(async () => (await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`.execute(t.ctx.db)).rows[0].n > 0);
    expect(await entriesAfter(start)).toEqual([]);
    await first.query("commit");
    await secondCommit;
    await Promise.all([first.end(), second.end()]);
    expect(await entriesAfter(start)).toEqual([start + 1, start + 2]);
  });

  it("delivers an event committed through a second server to a stream of the first", async () => {
    const cookie = await t.login("dispatcher-001-1");
    const client = await SseClient.open(`${base}/api/v1/events`, { cookie });
    await client.nextOf("ready");
    const database = await openDatabase({ kind: "postgres", url });
    const ctx = createContext(database.db, t.ctx.config);
    await ctx.grids.load(ctx.db);
    const second = await buildApp(ctx);
    try {
      const created = await second.inject({ method: "POST", url: "/api/v1/cases", payload: { description: "井盖松动，有安全隐患", gridCode: "530103001001001" } });
      expect(created.statusCode, created.body).toBe(201);
      expect((await client.nextOf<CaseEvent>("case")).caseId).toBe(created.json().case.id);
      const login = await second.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username: "community-530103001001", password: "demo-pass-123" } });
      const id = created.json().case.id;
      const read = await second.inject({ method: "GET", url: `/api/v1/cases/${id}`, headers: { cookie: cookieOf(login) } });
      const accepted = await second.inject({
        method: "POST",
        url: `/api/v1/cases/${id}/transitions`,
        payload: { action: "accept" },
        headers: { cookie: cookieOf(login), "if-match": String(read.headers.etag) },
      });
      expect(accepted.statusCode, accepted.body).toBe(200);
      expect(await client.nextOf<CaseEvent>("case")).toMatchObject({ caseId: id, action: "accept", status: "accepted" });
    } finally {
      client.close();
      await second.close();
      await database.close();
    }
  });
});

/** Polls a condition of the database until it holds (a state, not a duration: no time limit of its own). */
async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

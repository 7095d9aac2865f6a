import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caseInScope } from "../src/modules/cases/cases.repository.ts";
import { generateCases } from "../src/modules/demo/case-seed.ts";
import type { Actor } from "../src/modules/auth/actor.ts";
import { entryInScope } from "../src/modules/events/event-scope.ts";
import { purgeExpired } from "../src/modules/system/housekeeping.ts";
import { SseClient } from "./sse-client.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

type CaseEvent = { position: number; caseId: string; number: string; action: string; status: string; level: string; streetCode: string; communityCode: string; departmentCode: string | null };

const USERS = ["dispatcher", "dispatcher-001-1", "dispatcher-002-1", "community-530103001001", "handler-cgj-1", "resident"];

describe("GET /api/v1/events: live case events in the caller's scope", () => {
  let t: TestApp;
  let base: string;
  const cookies: Record<string, string> = {};
  /** A grid in each of two streets' communities. */
  const GRID_001 = "530103001001001";
  const GRID_002 = "530103002001001";

  beforeAll(async () => {
    t = await createTestApp("demo");
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    for (const username of USERS) cookies[username] = await t.login(username);
  });
  afterAll(() => t.close());

  const stream = (who: string, headers: Record<string, string> = {}, query = "") =>
    SseClient.open(`${base}/api/v1/events${query}`, { ...(cookies[who] ? { cookie: cookies[who] } : {}), ...headers });
  const report = async (gridCode: string) => {
    const response = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: { description: "路灯不亮了，晚上很黑", gridCode, reporter: { phone: "13800001234" } } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().case as { id: string; number: string };
  };
  const act = async (who: string, id: string, body: Record<string, unknown>) => {
    const current = await t.app.inject({ method: "GET", url: `/api/v1/cases/${id}`, headers: { cookie: cookies[who] } });
    const response = await t.app.inject({
      method: "POST",
      url: `/api/v1/cases/${id}/transitions`,
      payload: body,
      headers: { cookie: cookies[who], "if-match": String(current.headers.etag) },
    });
    expect(response.statusCode, `${who} ${JSON.stringify(body)}: ${response.body}`).toBe(200);
  };
  const ready = async (client: SseClient) => (await client.nextOf<{ position: number }>("ready")).position;

  it("sends a street's case events to its staff and none of another street's", async () => {
    const street1 = await stream("dispatcher-001-1");
    const street2 = await stream("dispatcher-002-1");
    expect(street1.status).toBe(200);
    expect(street1.headers["content-type"]).toMatch(/^text\/event-stream/);
    expect(street1.headers["content-encoding"]).toBeUndefined();
    await Promise.all([ready(street1), ready(street2)]);

    const first = await report(GRID_001);
    const second = await report(GRID_002);
    const third = await report(GRID_001);

    const seen1 = [await street1.nextOf<CaseEvent>("case"), await street1.nextOf<CaseEvent>("case")];
    expect(seen1.map((event) => [event.caseId, event.action, event.status, event.streetCode])).toEqual([
      [first.id, "report", "reported", "530103001"],
      [third.id, "report", "reported", "530103001"],
    ]);
    expect(seen1[0].number).toBe(first.number);
    expect(Number(seen1[0].id)).toBe(seen1[0].position);
    expect(seen1[1].position).toBeGreaterThan(seen1[0].position);
    // The first event street 2 receives is its own case, though street 1's came before it.
    const seen2 = await street2.nextOf<CaseEvent>("case");
    expect([seen2.caseId, seen2.communityCode]).toEqual([second.id, "530103002001"]);
    street1.close();
    street2.close();
  });

  it("sends a department's handlers the cases dispatched to it", async () => {
    const handler = await stream("handler-cgj-1");
    await ready(handler);
    const created = await report(GRID_001);
    await act("community-530103001001", created.id, { action: "accept" });
    await act("community-530103001001", created.id, { action: "escalate", note: "需要街道处理" });
    await act("dispatcher-001-1", created.id, { action: "register" });
    await act("dispatcher-001-1", created.id, { action: "escalate", note: "需要区级处理" });
    await act("dispatcher", created.id, { action: "dispatch", to: { departmentCode: "cgj" } });
    const dispatched = await handler.nextOf<CaseEvent>("case").then(async function untilDispatch(event): Promise<CaseEvent> {
      return event.action === "dispatch" ? event : untilDispatch(await handler.nextOf<CaseEvent>("case"));
    });
    expect(dispatched).toMatchObject({ caseId: created.id, status: "dispatched", level: "district", departmentCode: "cgj" });
    handler.close();
  });

  it("after a dropped connection, sends exactly the missed events in order, by header or query parameter", async () => {
    const first = await stream("dispatcher-001-1");
    const position = await ready(first);
    first.close();

    const missed = [await report(GRID_001), await report(GRID_002), await report(GRID_001)];
    const inScope = [missed[0].id, missed[2].id];

    const resumes: { headers: Record<string, string>; query: string }[] = [
      { headers: { "last-event-id": String(position) }, query: "" },
      { headers: {}, query: `?lastEventId=${position}` },
    ];
    for (const resume of resumes) {
      const again = await stream("dispatcher-001-1", resume.headers, resume.query);
      const events = [];
      for (let i = 0; i <= inScope.length; i++) events.push(await again.next());
      expect(events.map((event) => event.event)).toEqual([...inScope.map(() => "case"), "ready"]);
      expect(events.slice(0, -1).map((event) => JSON.parse(event.data).caseId)).toEqual(inScope);
      const ids = events.slice(0, -1).map((event) => Number(event.id));
      expect(ids[0]).toBeGreaterThan(position);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      // Live from there: the next change arrives after ready, once.
      const live = await report(GRID_001);
      expect((await again.nextOf<CaseEvent>("case")).caseId).toBe(live.id);
      again.close();
      inScope.push(live.id);
    }
  });

  it("answers a resume it cannot serve with a reset: too old, malformed, ahead of the log", async () => {
    const first = await stream("dispatcher-001-1");
    const position = await ready(first);
    first.close();
    await report(GRID_001);
    // Everything written so far is older than the log keeps; the housekeeping purges it.
    await sql`update case_event_log set at = now() - interval '2 days'`.execute(t.ctx.db);
    expect((await purgeExpired(t.ctx)).eventLogEntries).toBeGreaterThan(0);

    for (const [lastEventId, reason] of [[String(position), "expired"], ["abc", "malformed"], ["999999999", "ahead"]]) {
      const again = await stream("dispatcher-001-1", { "last-event-id": lastEventId });
      const reset = await again.next();
      expect(reset.event).toBe("reset");
      expect(JSON.parse(reset.data)).toMatchObject({ reason });
      // The reset moves the client to the head, from where it goes on.
      expect(Number(reset.id)).toBeGreaterThanOrEqual(position);
      expect((await again.next()).event).toBe("ready");
      again.close();
    }
    // The head itself is no reset, even with nothing kept.
    const head = await stream("dispatcher-001-1", { "last-event-id": String((await t.ctx.db.selectFrom("case_event_log_heads").select("position").where("region_code", "=", "530103").executeTakeFirstOrThrow()).position) });
    expect((await head.next()).event).toBe("ready");
    head.close();
  });

  it("ends the stream when its session ends, and a reconnect is refused", async () => {
    const cookie = await t.login("dispatcher-002-1");
    const client = await SseClient.open(`${base}/api/v1/events`, { cookie });
    await ready(client);
    const other = await stream("dispatcher-002-1");
    await ready(other);
    const logout = await t.app.inject({ method: "POST", url: "/api/v1/auth/logout", headers: { cookie } });
    expect(logout.statusCode).toBe(204);
    expect(await client.nextOf("end")).toMatchObject({ reason: "session_ended" });
    await client.ended;
    const refused = await SseClient.open(`${base}/api/v1/events`, { cookie });
    await refused.ended;
    expect(refused.status).toBe(401);
    // The same user's other session streams on.
    const created = await report(GRID_002);
    expect((await other.nextOf<CaseEvent>("case")).caseId).toBe(created.id);
    other.close();
  });

  it("refuses residents (403) and callers without a session (401), with the error shape", async () => {
    const resident = await stream("resident");
    await resident.ended;
    expect(resident.status).toBe(403);
    expect(JSON.parse(resident.text()).error.code).toBe("forbidden");
    const stranger = await SseClient.open(`${base}/api/v1/events`);
    await stranger.ended;
    expect(stranger.status).toBe(401);
    expect(JSON.parse(stranger.text()).error.code).toBe("authentication_required");
  });

  it("caps the streams one user holds on a server", async () => {
    const cookie = await t.login("dispatcher");
    const open = await Promise.all(Array.from({ length: t.ctx.config.eventStreams.perUser }, () => SseClient.open(`${base}/api/v1/events`, { cookie })));
    await Promise.all(open.map(ready));
    const refused = await SseClient.open(`${base}/api/v1/events`, { cookie });
    await refused.ended;
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text()).error.code).toBe("too_many_streams");
    for (const client of open) client.close();
    await Promise.all(open.map((client) => client.ended));
  });

  it("decides scope in memory exactly as the case list's SQL does, over the demo's generated cases", async () => {
    await generateCases(t.database, { cases: 1500, seed: 17, chunkSize: 750 });
    const cases = await t.ctx.db.selectFrom("cases").select(["id", "region_code", "street_code", "community_code"]).execute();
    expect(cases.length).toBeGreaterThan(1500);
    const divisions = await t.ctx.db.selectFrom("divisions").select("code").where("level", "in", ["district", "street", "community"]).execute();
    const grids = await t.ctx.db.selectFrom("grids").select("code").limit(20).execute();
    // Every district, street and community; grids; and codes of odd lengths, ranges ending in 9 and none at all.
    const scopes = [
      ...divisions.map(({ code }) => code),
      ...grids.map(({ code }) => code),
      ...["5", "53", "5301", "53010", "5301030", "53010300", "5301030010", "53010300100", "530103099", "530103009", "530103001999", "9", "99999999", "530103001001001001"],
    ];
    let compared = 0;
    for (const scope of scopes) {
      const actor = { scopeCode: scope } as Actor;
      const bySql = await t.ctx.db.selectFrom("cases").select("id").where((eb) => caseInScope(eb, actor)).execute();
      const inMemory = cases.filter((row) => entryInScope(scope, { regionCode: row.region_code, streetCode: row.street_code, communityCode: row.community_code }));
      expect(inMemory.map((row) => row.id).sort(), scope).toEqual(bySql.map((row) => row.id).sort());
      compared += cases.length;
    }
    expect(compared).toBeGreaterThan(100_000);
    // Generated history stays out of the log.
    expect(await t.ctx.db.selectFrom("case_event_log").select("position").where("event_id", "in", (eb) => eb.selectFrom("case_events").select("id").where("action", "=", "close")).execute()).toEqual([]);
    expect(entryInScope(null, { regionCode: "530103", streetCode: "530103001", communityCode: "530103001001" })).toBe(false);
  });

  it("logs every case change in its transaction, with the case's codes and no personal data", async () => {
    const created = await report(GRID_001);
    const entries = await t.ctx.db.selectFrom("case_event_log").selectAll().where("case_id", "=", created.id).execute();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ region_code: "530103", action: "report", status: "reported", street_code: "530103001", community_code: "530103001001", grid_code: GRID_001 });
    expect(JSON.stringify(entries[0])).not.toContain("13800001234");
    const events = await t.ctx.db.selectFrom("case_events").select("id").where("case_id", "=", created.id).execute();
    expect(entries[0].event_id).toBe(events[0].id);
  });
});

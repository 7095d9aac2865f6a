import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";

describe("cases through the HTTP API", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  let point: { lat: number; lng: number };
  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of ["gw-530103001001-1", "community-530103001001", "dispatcher-001-1", "dispatcher", "handler-cgj-1", "handler-swj-1", "supervisor-001", "seat-01", "dispatcher-002-1", "admin"]) {
      cookies[username] = await t.login(username);
    }
    // A point inside a grid of 尚义社区 (530103001001).
    const grids = (await t.app.inject({ method: "GET", url: "/api/v1/grids?division=530103001001", headers: { cookie: cookies.admin } })).json();
    const grid = await t.ctx.grids.interiorPoint(grids.features[0].properties.code);
    if (!grid) throw new Error("no grid");
    point = { lng: grid[0], lat: grid[1] };
  });
  afterAll(() => t.close());

  const report = (cookie: string | undefined, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "POST", url: "/api/v1/cases", payload: body, headers: { ...(cookie ? { cookie } : {}), ...headers } });
  const read = (who: string, id: string) => t.app.inject({ method: "GET", url: `/api/v1/cases/${id}`, headers: { cookie: cookies[who] } });
  async function act(who: string, id: string, body: Record<string, unknown>) {
    const current = await read(who, id);
    return t.app.inject({
      method: "POST",
      url: `/api/v1/cases/${id}/transitions`,
      payload: body,
      headers: { cookie: cookies[who], "if-match": String(current.headers.etag) },
    });
  }
  const ok = async (who: string, id: string, body: Record<string, unknown>) => {
    const response = await act(who, id, body);
    expect(response.statusCode, `${who} ${JSON.stringify(body)}: ${response.body}`).toBe(200);
    return response.json();
  };

  it("takes a grid worker's report: grid, community, street, level, suggested category, number, deadlines", async () => {
    const response = await report(cookies["gw-530103001001-1"], {
      description: "小区门口的井盖不见了，晚上很危险",
      location: { ...point, crs: "wgs84" },
      reporter: { name: "李先生", phone: "13812345678" },
    });
    expect(response.statusCode, response.body).toBe(201);
    const { case: created, trackingToken } = response.json();
    expect(created.number).toMatch(/^530103-\d{8}-\d{5}$/);
    expect(created).toMatchObject({ status: "reported", communityCode: "530103001001", streetCode: "530103001", source: "grid_worker" });
    expect(created.suggestedCategoryCode).toMatch(/manhole|cover/);
    expect(created.reporter.phone).toBe("138****5678");
    expect(trackingToken).toBeTruthy();
    expect(new Date(created.deadlines.handleBy).getTime()).toBeGreaterThan(Date.now());
  });

  it("runs the whole loop with escalation, dispatch to a department, rework, extension, suspension and evaluation", async () => {
    const { case: created, trackingToken } = (
      await report(undefined, { description: "菜市场门口有人摆摊占道经营，堵住了人行道", location: point, reporter: { phone: "13900001111" } })
    ).json();
    const id = created.id;
    await ok("community-530103001001", id, { action: "accept" });
    await ok("community-530103001001", id, { action: "escalate", note: "需要街道城管处理" });
    expect((await read("community-530103001001", id)).json().case.actions).not.toContain("register");
    await ok("dispatcher-001-1", id, { action: "register" });
    await ok("dispatcher-001-1", id, { action: "escalate", note: "需要区城管局执法" });
    const atDistrict = await ok("dispatcher", id, { action: "dispatch", to: { departmentCode: "cgj" } });
    expect(atDistrict.case).toMatchObject({ status: "dispatched", level: "district" });
    expect((await act("handler-swj-1", id, { action: "acknowledge" })).statusCode).toBe(403);
    await ok("handler-cgj-1", id, { action: "acknowledge" });
    const requested = await ok("handler-cgj-1", id, { action: "request_extension", days: 3, note: "需要联合执法" });
    const before = requested.case.deadlines.handleBy;
    const approved = await ok("dispatcher", id, { action: "approve_extension" });
    expect(new Date(approved.case.deadlines.handleBy).getTime()).toBeGreaterThan(new Date(before).getTime());
    await ok("dispatcher", id, { action: "suspend", note: "等待节后联合执法" });
    const resumed = await ok("dispatcher", id, { action: "resume" });
    expect(resumed.case.status).toBe("in_progress");
    await ok("handler-cgj-1", id, { action: "handle", note: "已劝离摊贩", publicNote: true });
    await ok("supervisor-001", id, { action: "verify_fail", note: "摊贩又回来了" });
    await ok("handler-cgj-1", id, { action: "handle", note: "已取缔并设置隔离栏", publicNote: true });
    const closed = await ok("supervisor-001", id, { action: "verify_pass" });
    expect(closed.case).toMatchObject({ status: "closed", reworkCount: 1 });
    expect(closed.timeline.map((event: { action: string }) => event.action)).toEqual([
      "report", "accept", "escalate", "register", "escalate", "dispatch", "acknowledge", "request_extension",
      "approve_extension", "suspend", "resume", "handle", "verify_fail", "handle", "verify_pass",
    ]);
    expect(closed.timeline.map((event: { level: string }) => event.level).slice(0, 5)).toEqual(["community", "community", "community", "street", "street"]);

    // The resident follows it with number and token, sees public notes only, and rates it.
    const tracked = await t.app.inject({ method: "GET", url: `/api/v1/public/cases/${created.number}?token=${trackingToken}` });
    expect(tracked.statusCode).toBe(200);
    expect(tracked.body).not.toContain("13900001111");
    expect(tracked.json().timeline.map((event: { note: string | null }) => event.note).filter(Boolean)).toEqual(["已劝离摊贩", "已取缔并设置隔离栏"]);
    const wrong = await t.app.inject({ method: "GET", url: `/api/v1/public/cases/${created.number}?token=not-the-token-at-all` });
    expect(wrong.statusCode).toBe(404);
    const rated = await t.app.inject({
      method: "POST",
      url: `/api/v1/public/cases/${created.number}/evaluation`,
      payload: { token: trackingToken, resolved: true, satisfaction: "satisfied" },
    });
    expect(rated.statusCode, rated.body).toBe(200);
    expect(rated.json()).toMatchObject({ status: "evaluated", satisfaction: "satisfied", resolved: true });
  });

  it("lets exactly one of two handlers acting on the same ETag through", async () => {
    const { case: created } = (await report(cookies["seat-01"], { description: "路灯不亮", location: point })).json();
    await ok("community-530103001001", created.id, { action: "accept" });
    await ok("community-530103001001", created.id, { action: "register" });
    await ok("community-530103001001", created.id, { action: "dispatch", to: { divisionCode: "530103001001" } });
    const etag = String((await read("community-530103001001", created.id)).headers.etag);
    const send = () =>
      t.app.inject({
        method: "POST",
        url: `/api/v1/cases/${created.id}/transitions`,
        payload: { action: "acknowledge" },
        headers: { cookie: cookies["community-530103001001"], "if-match": etag },
      });
    const answers = await Promise.all([send(), send()]);
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 412]);
    const events = await t.ctx.db.selectFrom("case_events").select("action").where("case_id", "=", created.id).where("action", "=", "acknowledge").execute();
    expect(events).toHaveLength(1);
  });

  it("makes ten concurrent retries of one intake with one key into one case", async () => {
    const body = { description: "垃圾桶满了没人清理", location: point };
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => report(cookies["gw-530103001001-1"], body, { "idempotency-key": "retry-key-0001" })),
    );
    expect(new Set(answers.map((answer) => answer.statusCode))).toEqual(new Set([201]));
    expect(new Set(answers.map((answer) => answer.json().case.id)).size).toBe(1);
    const other = await report(cookies["gw-530103001001-1"], { ...body, description: "另一件事" }, { "idempotency-key": "retry-key-0001" });
    expect(other.statusCode).toBe(422);
    expect(other.json().error.code).toBe("idempotency_key_reused");
  });

  it("refuses bad input with a stable code and writes nothing", async () => {
    const count = async () => (await t.ctx.db.selectFrom("cases").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n;
    const before = await count();
    const outside = await report(cookies.admin, { description: "北京的事", location: { lat: 39.9, lng: 116.4 } });
    expect([outside.statusCode, outside.json().error.code]).toEqual([404, "outside_district"]);
    const unknown = await report(cookies.admin, { description: "某事", location: point, categoryCode: "no.such.category" });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([400, "unknown_category"]);
    const noPlace = await report(cookies.admin, { description: "某事" });
    expect([noPlace.statusCode, noPlace.json().error.code]).toEqual([400, "location_required"]);
    expect(await count()).toBe(before);

    const { case: created } = (await report(cookies.admin, { description: "树枝折断挡路", location: point })).json();
    const notNow = await act("community-530103001001", created.id, { action: "verify_pass" });
    expect([notNow.statusCode, notNow.json().error.code]).toEqual([409, "transition_not_allowed"]);
    const missing = await t.app.inject({ method: "POST", url: `/api/v1/cases/${created.id}/transitions`, payload: { action: "accept" }, headers: { cookie: cookies.dispatcher } });
    expect([missing.statusCode, missing.json().error.code]).toEqual([428, "precondition_required"]);
    const stale = await t.app.inject({ method: "POST", url: `/api/v1/cases/${created.id}/transitions`, payload: { action: "accept" }, headers: { cookie: cookies.dispatcher, "if-match": '"99"' } });
    expect([stale.statusCode, stale.json().error.code]).toEqual([412, "version_mismatch"]);
    const otherStreet = await read("dispatcher-002-1", created.id);
    expect([otherStreet.statusCode, otherStreet.json().error.code]).toEqual([404, "case_not_found"]);
    const events = await t.ctx.db.selectFrom("case_events").select("action").where("case_id", "=", created.id).execute();
    expect(events.map((event) => event.action)).toEqual(["report"]);
  });

  it("audits every staff read of a reporter's phone number", async () => {
    const { case: created } = (await report(cookies["seat-01"], { description: "邻居装修噪音太大", location: point, reporter: { phone: "13712345678" } })).json();
    const revealed = await t.app.inject({ method: "POST", url: `/api/v1/cases/${created.id}/reporter-contact`, headers: { cookie: cookies["seat-01"] } });
    expect(revealed.json().phone).toBe("13712345678");
    const audit = await t.ctx.db.selectFrom("audit_log").select("action").where("target_id", "=", created.id).execute();
    expect(audit.map((entry) => entry.action)).toEqual(["case.reveal_contact"]);
  });

  it("lets an administrator edit a category under If-Match", async () => {
    const { categories } = (await t.app.inject({ method: "GET", url: "/api/v1/categories" })).json();
    const category = categories.find((c: { parentCode: string | null }) => c.parentCode !== null);
    const patch = (etag: string) =>
      t.app.inject({ method: "PATCH", url: `/api/v1/categories/${category.code}`, payload: { closureLevel: "district" }, headers: { cookie: cookies.admin, "if-match": etag } });
    const changed = await patch(`"${category.version}"`);
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().category).toMatchObject({ closureLevel: "district", version: category.version + 1 });
    expect((await patch(`"${category.version}"`)).statusCode).toBe(412);
  });
});

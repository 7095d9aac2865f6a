import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followRegion } from "../src/modules/notifications/notification-follower.ts";
import { sendDueMessages } from "../src/modules/notifications/outbound-messages.ts";
import { httpSmsChannel } from "../src/modules/notifications/sms-channel.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

type Listed = { notifications: { id: string; caseId: string; caseNumber: string; title: string; kind: string; read: boolean }[]; unreadCount: number; nextCursor: string | null };

describe("notifications and outbound messages", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  let point: { lat: number; lng: number };
  const users = ["dispatcher", "dispatcher-2", "handler-cgj-1", "handler-cgj-2", "handler-swj-1", "supervisor-001", "community-530103001001", "dispatcher-001-1", "admin", "leader"];
  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of users) cookies[username] = await t.login(username);
    const grids = (await t.app.inject({ method: "GET", url: "/api/v1/grids?division=530103001001", headers: { cookie: cookies.admin } })).json();
    const grid = await t.ctx.grids.interiorPoint(grids.features[0].properties.code);
    if (!grid) throw new Error("no grid");
    point = { lng: grid[0], lat: grid[1] };
  });
  afterAll(() => t.close());

  const read = (who: string, id: string) => t.app.inject({ method: "GET", url: `/api/v1/cases/${id}`, headers: { cookie: cookies[who] } });
  async function ok(who: string, id: string, body: Record<string, unknown>) {
    const current = await read(who, id);
    const response = await t.app.inject({
      method: "POST",
      url: `/api/v1/cases/${id}/transitions`,
      payload: body,
      headers: { cookie: cookies[who], "if-match": String(current.headers.etag) },
    });
    expect(response.statusCode, `${who} ${JSON.stringify(body)}: ${response.body}`).toBe(200);
    return response.json();
  }
  const list = async (who: string, query = ""): Promise<Listed> => {
    // Each write wakes the follower without waiting for it; the test waits for it here.
    await t.ctx.notifications.followAll();
    const response = await t.app.inject({ method: "GET", url: `/api/v1/notifications${query}`, headers: { cookie: cookies[who] } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  /** A case reported by a seat operator's caller and dispatched by the district centre to cgj. */
  async function dispatchedCase(description: string, extra: Record<string, unknown> = {}) {
    const created = await t.app.inject({
      method: "POST",
      url: "/api/v1/cases",
      payload: { description, location: point, reporter: { name: "王先生", phone: "13900002222" }, ...extra },
      headers: { cookie: cookies.dispatcher },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id: string = created.json().case.id;
    await ok("dispatcher", id, { action: "accept" });
    await ok("dispatcher", id, { action: "register", level: "district", categoryCode: "event.street_order.road_occupation" });
    await ok("dispatcher", id, { action: "dispatch", to: { departmentCode: "cgj" } });
    return { id, number: created.json().case.number as string };
  }

  it("tells a department's handlers of a new task, the centre of a return, and each user only their own", async () => {
    const before = (await list("handler-cgj-2")).unreadCount;
    const { id, number } = await dispatchedCase("人行道上有人摆摊卖水果，行人只能走机动车道");
    const handler = await list("handler-cgj-2");
    expect(handler.unreadCount).toBe(before + 1);
    expect(handler.notifications[0]).toMatchObject({ caseId: id, caseNumber: number, kind: "task", read: false });
    expect(handler.notifications[0].title.length).toBeLessThanOrEqual(30);
    // Nothing of the reporter reaches the bell.
    expect(JSON.stringify(handler)).not.toMatch(/王先生|13900002222/);
    // Another department, and the dispatcher who dispatched, are told nothing of it.
    expect((await list("handler-swj-1")).notifications.map((n) => n.caseId)).not.toContain(id);
    expect((await list("dispatcher")).notifications.map((n) => n.caseId)).not.toContain(id);

    await ok("handler-cgj-1", id, { action: "return", reasonCode: "not_our_duty", note: "不属于本部门职责" });
    const centre = await list("dispatcher-2");
    expect(centre.notifications[0]).toMatchObject({ caseId: id, kind: "returned" });
    // A street's dispatchers are not the district centre.
    expect((await list("dispatcher-001-1")).notifications.map((n) => n.caseId)).not.toContain(id);

    // Read marks are per user.
    const mark = await t.app.inject({ method: "POST", url: `/api/v1/notifications/${handler.notifications[0].id}/read`, headers: { cookie: cookies["handler-cgj-2"] } });
    expect(mark.statusCode, mark.body).toBe(204);
    expect((await list("handler-cgj-2")).unreadCount).toBe(before);
    const handlerOne = await list("handler-cgj-1", "?unread=true");
    expect(handlerOne.notifications.map((n) => n.caseId)).toContain(id);
    // Someone else's notification is not found.
    const foreign = await t.app.inject({ method: "POST", url: `/api/v1/notifications/${handler.notifications[0].id}/read`, headers: { cookie: cookies["handler-cgj-1"] } });
    expect([foreign.statusCode, foreign.json().error.code]).toEqual([404, "notification_not_found"]);
    const all = await t.app.inject({ method: "POST", url: "/api/v1/notifications/read-all", headers: { cookie: cookies["handler-cgj-1"] } });
    expect(all.json().marked).toBeGreaterThan(0);
    expect((await list("handler-cgj-1")).unreadCount).toBe(0);
  });

  it("notifies urgings, the sweep's warnings and rework to whoever handles the case", async () => {
    const { id } = await dispatchedCase("街角有流动摊贩占道经营");
    await ok("handler-cgj-1", id, { action: "acknowledge" });
    await ok("leader", id, { action: "urge", note: "请加快处置" });
    await sql`update cases set handle_by = now() - interval '1 day' where id = ${id}`.execute(t.ctx.db);
    const { sweepDeadlines } = await import("../src/modules/cases/deadline-sweep.ts");
    await sweepDeadlines(t.ctx);
    await ok("handler-cgj-1", id, { action: "handle", note: "已清理" });
    await ok("supervisor-001", id, { action: "verify_fail", note: "摊贩又回来了" });
    const kinds = (await list("handler-cgj-2")).notifications.filter((n) => n.caseId === id).map((n) => n.kind);
    expect(kinds).toEqual(["rework", "overdue", "urged", "task"]);
  });

  it("derives each log entry once, also when a pass reads it again after a crash", async () => {
    const { id } = await dispatchedCase("桥下有人占道卖菜");
    await t.ctx.notifications.followAll();
    const count = async () => Number((await sql<{ n: string }>`select count(*) as n from notifications where case_id = ${id}`.execute(t.ctx.db)).rows[0].n);
    const before = await count();
    expect(before).toBeGreaterThan(0);
    // A pass that wrote its rows but died before moving the cursor: the next reads the same entries.
    await sql`update notification_cursors set position = 0`.execute(t.ctx.db);
    await Promise.all([followRegion(t.ctx.db, "530103"), t.ctx.notifications.followAll()]);
    expect(await count()).toBe(before);
  });

  it("refuses a cursor it did not hand out and residents", async () => {
    const bad = await t.app.inject({ method: "GET", url: "/api/v1/notifications?cursor=bm90LWEtdXVpZA", headers: { cookie: cookies.dispatcher } });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, "invalid_cursor"]);
    const page = await list("handler-cgj-1", "?limit=1");
    if (page.nextCursor) {
      const next = await list("handler-cgj-1", `?limit=1&cursor=${page.nextCursor}`);
      expect(next.notifications[0].id < page.notifications[0].id).toBe(true);
    }
  });

  describe("through an SMS gateway", () => {
    let gateway: http.Server;
    let url: string;
    const received: { url: string; auth: string | undefined; body: string }[] = [];
    let failures = 0;
    beforeAll(async () => {
      gateway = http.createServer((request, response) => {
        let body = "";
        request.on("data", (chunk) => (body += chunk));
        request.on("end", () => {
          received.push({ url: request.url ?? "", auth: request.headers.authorization, body });
          if (failures > 0) {
            failures--;
            response.writeHead(500).end("busy");
          } else response.writeHead(200).end("ok");
        });
      });
      await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/send?to={phone}&msg={text}`;
      await sql`update departments set duty_phone = '0871-63101234' where code = 'cgj'`.execute(t.ctx.db);
    });
    afterAll(() => new Promise<void>((resolve) => gateway.close(() => resolve())));

    it("sends an urgent dispatch to the department's duty phone: retried on 500, every attempt logged, once on success", async () => {
      await t.ctx.db.deleteFrom("outbound_messages").execute();
      const { id, number } = await dispatchedCase("路口有人摆摊，占用消防通道", { urgency: "urgent" });
      await t.ctx.notifications.followAll();
      const channel = httpSmsChannel({ url, method: "POST", auth: "Bearer sms-secret" });
      received.length = 0;
      failures = 1;
      const start = new Date();
      expect(await sendDueMessages(t.ctx.db, channel, start)).toEqual({ sent: 0, failed: 1, skipped: 0 });
      // Not again before its time.
      expect(await sendDueMessages(t.ctx.db, channel, new Date(start.getTime() + 1_000))).toEqual({ sent: 0, failed: 0, skipped: 0 });
      expect(await sendDueMessages(t.ctx.db, channel, new Date(start.getTime() + 31_000))).toEqual({ sent: 1, failed: 0, skipped: 0 });
      expect(await sendDueMessages(t.ctx.db, channel, new Date(start.getTime() + 3_600_000))).toEqual({ sent: 0, failed: 0, skipped: 0 });
      expect(received).toHaveLength(2);
      const sent = received[1];
      expect(sent.auth).toBe("Bearer sms-secret");
      expect(decodeURIComponent(sent.url)).toContain("to=0871-63101234");
      expect(JSON.parse(sent.body)).toMatchObject({ phone: "0871-63101234" });
      const text: string = JSON.parse(sent.body).text;
      expect(text).toContain(number);
      expect(text).not.toMatch(/王先生|13900002222|消防通道/);
      const message = await t.ctx.db.selectFrom("outbound_messages").selectAll().where("case_id", "=", id).executeTakeFirstOrThrow();
      expect(message).toMatchObject({ recipient: "department_duty", status: "sent", attempts: 2 });
      const attempts = await t.ctx.db.selectFrom("outbound_message_attempts").selectAll().where("message_id", "=", message.id).orderBy("attempt").execute();
      expect(attempts.map((a) => [a.attempt, a.status, a.phone_masked])).toEqual([
        [1, "failed", "087******234"],
        [2, "sent", "087******234"],
      ]);
      expect(attempts[0].error).toContain("500");
    });

    it("tells the reporter who left a phone that the case is closed, and nobody of a normal dispatch", async () => {
      await t.ctx.db.deleteFrom("outbound_messages").execute();
      const { id, number } = await dispatchedCase("小区门口有人摆摊卖衣服");
      await ok("handler-cgj-1", id, { action: "acknowledge" });
      await ok("handler-cgj-1", id, { action: "handle", note: "已劝离" });
      await ok("supervisor-001", id, { action: "verify_pass" });
      await t.ctx.notifications.followAll();
      const messages = await t.ctx.db.selectFrom("outbound_messages").selectAll().execute();
      expect(messages.map((m) => m.recipient)).toEqual(["reporter"]);
      received.length = 0;
      failures = 0;
      const channel = httpSmsChannel({ url, method: "GET", auth: null });
      expect(await sendDueMessages(t.ctx.db, channel)).toEqual({ sent: 1, failed: 0, skipped: 0 });
      const query = new URL(received[0].url, "http://x").searchParams;
      expect(query.get("to")).toBe("13900002222");
      expect(query.get("msg")).toContain(number);
      expect(query.get("msg")).not.toMatch(/王先生|卖衣服/);
    });
  });
});

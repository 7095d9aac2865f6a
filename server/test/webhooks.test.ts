import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signatureValid } from "../src/modules/webhooks/webhook-signature.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

/** What a receiver saw: every request, with what it answered. */
type Received = { eventId: string; kind: string; caseId: string; timestamp: string; signature: string; body: string; answered: number };

/** A receiver on loopback that answers each event by `answer(eventId, attemptOfThatEvent)`. */
async function receiver(answer: (eventId: string, attempt: number) => number) {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const parsed = JSON.parse(body) as { id: string; kind: string; case: { id: string } };
      const attempt = (attempts.get(parsed.id) ?? 0) + 1;
      attempts.set(parsed.id, attempt);
      const status = answer(parsed.id, attempt);
      received.push({
        eventId: String(request.headers["gridgov-event-id"]),
        kind: parsed.kind,
        caseId: parsed.case.id,
        timestamp: String(request.headers["gridgov-timestamp"]),
        signature: String(request.headers["gridgov-signature"]),
        body,
        answered: status,
      });
      response.writeHead(status, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const GRID = "530103001001001";

describe("webhooks", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  /** How far the deliverer's clock is ahead of the wall clock: retries fall due without waiting. */
  let ahead = 0;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    t = await createTestApp("demo", { OUTBOUND_ALLOWED_NETWORKS: "127.0.0.1/32" });
    t.ctx.webhooks.clock = () => new Date(Date.now() + ahead);
    for (const username of ["admin", "secadmin", "seat-01", "community-530103001001", "dispatcher"]) cookies[username] = await t.login(username);
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await t.close();
  });

  const call = (who: string, method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: { cookie: cookies[who] }, ...(payload === undefined ? {} : { payload: payload as object }) });

  async function subscribe(who: string, body: Record<string, unknown>) {
    const response = await call(who, "POST", "/webhooks", body);
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { subscription: { id: string; enabled: boolean }; secret: string };
  }

  async function report(description: string, gridCode = GRID): Promise<string> {
    const response = await call("seat-01", "POST", "/cases", { description, gridCode, reporter: { name: "王女士", phone: "13712345678" } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().case.id;
  }

  async function act(who: string, id: string, body: Record<string, unknown>) {
    const current = await call(who, "GET", `/cases/${id}`);
    const response = await t.app.inject({
      method: "POST",
      url: `/api/v1/cases/${id}/transitions`,
      payload: body,
      headers: { cookie: cookies[who], "if-match": String(current.headers.etag) },
    });
    expect(response.statusCode, response.body).toBe(200);
  }

  /** Delivers until nothing is due, moving the clock past every retry's wait, `rounds` times at most. */
  async function deliverAll(rounds = 10) {
    for (let round = 0; round < rounds; round++) {
      await t.ctx.webhooks.deliverDue();
      const pending = await t.ctx.db.selectFrom("webhook_outbox").select(sql<number>`count(*)::int`.as("n")).where("status", "=", "pending").executeTakeFirstOrThrow();
      if (Number(pending.n) === 0) return;
      ahead += 3_600_000;
    }
  }

  async function timelineOf(caseIds: string[]) {
    return t.ctx.db.selectFrom("case_events").select(["id", "case_id", "action"]).where("case_id", "in", caseIds).orderBy("at").orderBy("id").execute();
  }

  it("refuses a URL that reaches a private, link-local or loopback address unless the network is allowed", async () => {
    for (const url of ["http://10.0.0.8/hook", "http://169.254.169.254/latest/meta-data", "http://127.0.0.2:8080/hook", "http://[::1]/hook", "http://192.168.1.20/x"]) {
      const response = await call("admin", "POST", "/webhooks", { url });
      expect(response.statusCode, url).toBe(422);
      expect(response.json().error.code, url).toBe("webhook_url_refused");
    }
    for (const url of ["ftp://93.184.215.14/x", "http://user:pw@93.184.215.14/x", "not a url"]) {
      const response = await call("admin", "POST", "/webhooks", { url });
      expect(response.statusCode, url).toBe(422);
      expect(response.json().error.code, url).toBe("webhook_url_invalid");
    }
    // 127.0.0.1/32 is allowed by this server's configuration.
    const allowed = await subscribe("admin", { url: "http://127.0.0.1:9/hook", kinds: ["report"] });
    expect((await call("admin", "DELETE", `/webhooks/${allowed.subscription.id}`)).statusCode).toBe(204);
    const audit = await t.ctx.db.selectFrom("audit_log").select("action").where("target_id", "=", allowed.subscription.id).execute();
    expect(audit.map((row) => row.action).sort()).toEqual(["webhook.create", "webhook.delete"]);
  });

  it("delivers every event once acknowledged, in order per case, signed, through two failures each, without personal data", async () => {
    const hook = await receiver((_id, attempt) => (attempt <= 2 ? 500 : 204));
    closers.push(hook.close);
    const { subscription, secret } = await subscribe("admin", { url: hook.url, description: "区大数据中心" });
    const ids = [await report("井盖松动 webhook-1"), await report("路灯不亮 webhook-2"), await report("垃圾满溢 webhook-3")];
    for (const id of ids) await act("community-530103001001", id, { action: "accept" });
    await act("community-530103001001", ids[0], { action: "urge", note: "请尽快处理" });
    await deliverAll();

    const timeline = await timelineOf(ids);
    expect(timeline.length).toBe(7);
    const acknowledged = hook.received.filter((request) => request.answered < 300);
    // Every event exactly once acknowledged, after two refusals, with the same event id each time.
    expect(acknowledged.map((request) => request.eventId).sort()).toEqual(timeline.map((event) => event.id).sort());
    for (const event of timeline) {
      const attempts = hook.received.filter((request) => request.eventId === event.id);
      expect(attempts.map((request) => request.answered)).toEqual([500, 500, 204]);
    }
    // In order per case: no request for a case's event before the earlier one was acknowledged.
    for (const id of ids) {
      const order = timeline.filter((event) => event.case_id === id).map((event) => event.id);
      const seen = hook.received.filter((request) => request.caseId === id).map((request) => order.indexOf(request.eventId));
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
    }
    for (const request of hook.received) {
      expect(signatureValid(secret, request.timestamp, request.body, request.signature)).toBe(true);
      const body = JSON.parse(request.body);
      expect(body.id).toBe(request.eventId);
      expect(body.case).not.toHaveProperty("reporter");
      expect(request.body).not.toContain("13712345678");
      expect(request.body).not.toContain("王女士");
    }
    const first = JSON.parse(acknowledged.find((request) => request.kind === "report")?.body ?? "{}");
    expect(first).toMatchObject({ kind: "report", case: { status: "reported", gridCode: GRID } });
    expect(new Date(first.occurredAt).toISOString()).toBe(first.occurredAt);

    // The delivery log: three attempts per event, the third delivered.
    const log = (await call("admin", "GET", `/webhooks/${subscription.id}/deliveries?limit=200`)).json();
    expect(log.deliveries).toHaveLength(21);
    expect(log.deliveries.filter((row: { outcome: string }) => row.outcome === "delivered")).toHaveLength(7);
    expect(log.deliveries.find((row: { outcome: string }) => row.outcome === "retry")).toMatchObject({ statusCode: 500, errorCode: "http_500" });
    const listed = (await call("admin", "GET", `/webhooks/${subscription.id}`)).json().subscription;
    expect(listed).toMatchObject({ pending: 0, enabled: true, personalData: false });

    // Nothing is delivered twice once acknowledged.
    const before = hook.received.length;
    await deliverAll();
    expect(hook.received.length).toBe(before);

    // A replay sends past events again with their own ids.
    const replayed = await call("admin", "POST", `/webhooks/${subscription.id}/replay`, { from: new Date(Date.now() - 3_600_000).toISOString() });
    expect(replayed.statusCode, replayed.body).toBe(200);
    expect(replayed.json().enqueued).toBeGreaterThanOrEqual(7);
    await deliverAll();
    const again = hook.received.slice(before).filter((request) => request.answered < 300).map((request) => request.eventId);
    for (const event of timeline) expect(again).toContain(event.id);
    expect((await call("admin", "DELETE", `/webhooks/${subscription.id}`)).statusCode).toBe(204);
  });

  it("keeps a case's order when a replay queues its older events behind newer ones still pending", async () => {
    // The receiver refuses the case's newest event once, so it is still pending when the replay comes.
    let refuseOnce: string | null = null;
    const hook = await receiver((eventId, attempt) => (eventId === refuseOnce && attempt === 1 ? 503 : 204));
    closers.push(hook.close);
    const { subscription } = await subscribe("admin", { url: hook.url, description: "重放顺序" });
    const id = await report("井盖松动 webhook-replay");
    await deliverAll();
    await act("community-530103001001", id, { action: "accept" });
    const [reported, accepted] = await timelineOf([id]);
    refuseOnce = accepted.id;
    await t.ctx.webhooks.deliverDue();
    const pending = await t.ctx.db.selectFrom("webhook_outbox").select("event_id").where("subscription_id", "=", subscription.id).where("status", "=", "pending").execute();
    expect(pending.map((row) => row.event_id)).toEqual([accepted.id]);

    const start = hook.received.length;
    const replayed = await call("admin", "POST", `/webhooks/${subscription.id}/replay`, { from: new Date(Date.now() - 3_600_000).toISOString() });
    expect(replayed.statusCode, replayed.body).toBe(200);
    // The report is queued again; the acceptance, still pending, is not queued twice.
    const queued = await t.ctx.db.selectFrom("webhook_outbox").select("event_id").where("subscription_id", "=", subscription.id).where("status", "=", "pending").where("case_id", "=", id).orderBy("id").execute();
    expect(queued.map((row) => row.event_id)).toEqual([accepted.id, reported.id]);
    await deliverAll();
    const after = hook.received.slice(start).filter((request) => request.caseId === id).map((request) => [request.eventId, request.answered]);
    expect(after).toEqual([
      [reported.id, 204],
      [accepted.id, 204],
    ]);
    expect((await call("admin", "DELETE", `/webhooks/${subscription.id}`)).statusCode).toBe(204);
  });

  it("sends personal data only to a subscription the security administrator granted it", async () => {
    const hook = await receiver(() => 200);
    closers.push(hook.close);
    const refused = await call("admin", "POST", "/webhooks", { url: hook.url, personalData: true });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe("personal_data_not_permitted");
    const plain = await subscribe("admin", { url: hook.url, kinds: ["report"] });
    const grant = await call("admin", "PATCH", `/webhooks/${plain.subscription.id}`, { personalData: true });
    expect(grant.statusCode).toBe(403);
    expect(grant.json().error.code).toBe("personal_data_not_permitted");
    const granted = await subscribe("secadmin", { url: hook.url, kinds: ["report"], personalData: true });
    await report("占道经营 webhook-personal");
    await deliverAll();
    const bySubscription = (secretOf: string) => hook.received.filter((request) => signatureValid(secretOf, request.timestamp, request.body, request.signature));
    const withData = bySubscription(granted.secret).map((request) => JSON.parse(request.body));
    const withoutData = bySubscription(plain.secret).map((request) => JSON.parse(request.body));
    expect(withData).toHaveLength(1);
    expect(withData[0].case.reporter).toEqual({ name: "王女士", phone: "13712345678" });
    expect(withoutData).toHaveLength(1);
    expect(withoutData[0].case).not.toHaveProperty("reporter");
    // Rotating the secret: the new one is shown once and signs from then on.
    const rotated = (await call("admin", "PATCH", `/webhooks/${plain.subscription.id}`, { rotateSecret: true })).json();
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(plain.secret);
    for (const { subscription } of [plain, granted]) await call("admin", "DELETE", `/webhooks/${subscription.id}`);
  });

  it("disables a subscription that fails for a day, tells the administrators, and resumes when enabled", async () => {
    let up = false;
    const hook = await receiver(() => (up ? 200 : 503));
    closers.push(hook.close);
    const { subscription } = await subscribe("admin", { url: hook.url, kinds: ["report"] });
    const id = await report("下水道堵塞 webhook-failing");
    await t.ctx.webhooks.deliverDue();
    // Retries with growing waits, up to the day.
    for (let hour = 0; hour < 25; hour++) {
      ahead += 3_600_000;
      await t.ctx.webhooks.deliverDue();
    }
    const disabled = (await call("admin", "GET", `/webhooks/${subscription.id}`)).json().subscription;
    expect(disabled).toMatchObject({ enabled: false, disabledReason: "failing", pending: 1 });
    const attempts = hook.received.length;
    expect(attempts).toBeGreaterThan(5);
    expect(attempts).toBeLessThan(40);
    const log = (await call("admin", "GET", `/webhooks/${subscription.id}/deliveries`)).json().deliveries;
    expect(log[0]).toMatchObject({ outcome: "disabled", statusCode: 503 });
    const audit = await t.ctx.db.selectFrom("audit_log").select(["action", "actor_id"]).where("target_id", "=", subscription.id).where("action", "=", "webhook.disable").execute();
    expect(audit).toEqual([{ action: "webhook.disable", actor_id: null }]);
    const notices = (await call("admin", "GET", "/notifications")).json().notifications;
    expect(notices.find((notice: { kind: string; caseId: string }) => notice.kind === "webhook_disabled" && notice.caseId === id)).toBeTruthy();
    // Disabled: nothing more is sent.
    ahead += 3_600_000;
    await t.ctx.webhooks.deliverDue();
    expect(hook.received.length).toBe(attempts);
    up = true;
    const enabled = await call("admin", "POST", `/webhooks/${subscription.id}/enable`);
    expect(enabled.json().subscription).toMatchObject({ enabled: true, disabledReason: null });
    await t.ctx.webhooks.deliverDue();
    expect(hook.received.at(-1)).toMatchObject({ answered: 200, caseId: id });
    await call("admin", "DELETE", `/webhooks/${subscription.id}`);
  });

  it("keeps a street administrator to the subscriptions of their street", async () => {
    const created = await call("secadmin", "POST", "/users", {
      username: "street-webhooks",
      displayName: "街道管理员",
      password: "Lantern-river-42",
      roles: ["admin"],
      scopeCode: "530103001",
    });
    expect(created.statusCode, created.body).toBe(201);
    cookies.street = await t.login("street-webhooks", "Lantern-river-42");
    expect((await call("street", "POST", "/auth/password", { currentPassword: "Lantern-river-42", newPassword: "Orchid-window-77" })).statusCode).toBe(204);
    cookies.street = await t.login("street-webhooks", "Orchid-window-77");

    const district = await subscribe("admin", { url: "http://127.0.0.1:9/district", kinds: ["report"] });
    const street = await subscribe("street", { url: "http://127.0.0.1:9/street", kinds: ["report"] });
    expect((await call("street", "GET", `/webhooks/${street.subscription.id}`)).json().subscription.scope.code).toBe("530103001");
    expect((await call("street", "GET", "/webhooks")).json().subscriptions.map((row: { id: string }) => row.id)).toEqual([street.subscription.id]);
    expect((await call("street", "GET", `/webhooks/${district.subscription.id}`)).statusCode).toBe(404);
    expect((await call("street", "PATCH", `/webhooks/${district.subscription.id}`, { enabled: false })).statusCode).toBe(404);
    expect((await call("street", "POST", "/webhooks", { url: "http://127.0.0.1:9/x", scopeCode: "530103" })).statusCode).toBe(404);
    expect((await call("admin", "GET", "/webhooks")).json().subscriptions.map((row: { id: string }) => row.id)).toContain(street.subscription.id);

    // The street's subscription is fed only its street's cases.
    const otherGrid = await t.ctx.db.selectFrom("grids").select("code").where("code", "like", "530103002%").executeTakeFirstOrThrow();
    const inside = await report("井盖 webhook-street-inside");
    const outside = await report("井盖 webhook-street-outside", otherGrid.code);
    const queued = await t.ctx.db.selectFrom("webhook_outbox").select(["subscription_id", "case_id"]).where("case_id", "in", [inside, outside]).execute();
    expect(queued.filter((row) => row.subscription_id === street.subscription.id).map((row) => row.case_id)).toEqual([inside]);
    expect(queued.filter((row) => row.subscription_id === district.subscription.id).map((row) => row.case_id).sort()).toEqual([inside, outside].sort());
    for (const { subscription } of [district, street]) await call("admin", "DELETE", `/webhooks/${subscription.id}`);
  });

  it("answers bad input with stable codes", async () => {
    expect((await call("admin", "POST", "/webhooks", { url: "http://127.0.0.1:9/x", kinds: ["teleport"] })).statusCode).toBe(400);
    expect((await call("admin", "POST", "/webhooks", { url: "http://127.0.0.1:9/x", kinds: [] })).statusCode).toBe(400);
    expect((await call("admin", "PATCH", "/webhooks/0190b2f4-0000-7000-8000-000000000009", {})).statusCode).toBe(400);
    expect((await call("dispatcher", "GET", "/webhooks")).statusCode).toBe(403);
    const { subscription } = await subscribe("admin", { url: "http://127.0.0.1:9/x", kinds: ["report"] });
    const refused = await call("admin", "PATCH", `/webhooks/${subscription.id}`, { url: "http://10.1.2.3/x" });
    expect(refused.statusCode).toBe(422);
    expect((await call("admin", "GET", `/webhooks/${subscription.id}`)).json().subscription.url).toBe("http://127.0.0.1:9/x");
    const period = await call("admin", "POST", `/webhooks/${subscription.id}/replay`, { from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z" });
    expect(period.json().error.code).toBe("invalid_period");
    await call("admin", "DELETE", `/webhooks/${subscription.id}`);
  });
});

import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SseClient } from "./sse-client.ts";
import { cookieOf, createTestApp, type TestApp } from "./test-app.ts";

const STREET_001 = "530103001";
const STREET_002 = "530103002";

describe("screen credentials: a read-only, revocable big screen of one division", () => {
  let t: TestApp;
  let base: string;
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp("demo");
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    for (const username of ["leader", "leader-001", "dispatcher", "admin"]) cookies[username] = await t.login(username);
  });
  afterAll(() => t.close());

  const issue = async (who: string, division: string, name = "指挥大厅") => {
    const response = await t.app.inject({ method: "POST", url: "/api/v1/screen-credentials", headers: { cookie: cookies[who] }, payload: { name, division } });
    return response;
  };
  const asScreen = (token: string, method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: object) =>
    t.app.inject({ method, url, headers: { authorization: `Screen ${token}` }, ...(payload ? { payload } : {}) });

  it("issues a token once, for a division in the issuer's scope, audited, and lists it without the token", async () => {
    const response = await issue("leader-001", STREET_001, "街道大屏");
    expect(response.statusCode, response.body).toBe(201);
    const { credential, token, url } = response.json();
    expect(token).toMatch(/^ggs_/);
    expect(url).toBe(`/screen#key=${token}`);
    expect(credential).toMatchObject({ name: "街道大屏", division: { code: STREET_001 }, revokedAt: null, lastUsedAt: null });

    const listed = await t.app.inject({ method: "GET", url: "/api/v1/screen-credentials", headers: { cookie: cookies["leader-001"] } });
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(token);
    expect(listed.json().credentials.map((c: { id: string }) => c.id)).toContain(credential.id);

    const audit = await t.ctx.db.selectFrom("audit_log").select(["action", "actor_id"]).where("target_id", "=", credential.id).execute();
    expect(audit.map((entry) => entry.action)).toEqual(["screen_credential.create"]);
    const stored = await t.ctx.db.selectFrom("screen_credentials").select("token_hash").where("id", "=", credential.id).executeTakeFirstOrThrow();
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.token_hash).not.toContain(token);
  });

  it("keeps issuing and listing within the issuer's scope, and to leaders and administrators", async () => {
    expect((await issue("leader-001", STREET_002)).statusCode).toBe(404);
    expect((await issue("dispatcher", STREET_001)).statusCode).toBe(403);
    expect((await issue("admin", STREET_002)).statusCode).toBe(201);
    const theirs = await t.app.inject({ method: "GET", url: "/api/v1/screen-credentials", headers: { cookie: cookies["leader-001"] } });
    for (const credential of theirs.json().credentials as { division: { code: string } }[]) expect(credential.division.code.startsWith(STREET_001)).toBe(true);
  });

  it("reads its division's figures, grids and overdue list, and nothing else", async () => {
    const { token } = (await issue("leader-001", STREET_001)).json();
    const indicators = await asScreen(token, "GET", "/api/v1/indicators?groupBy=community");
    expect(indicators.statusCode, indicators.body).toBe(200);
    expect(indicators.json().division.code).toBe(STREET_001);
    expect((await asScreen(token, "GET", `/api/v1/indicators?division=${STREET_002}`)).statusCode).toBe(404);
    expect((await asScreen(token, "GET", `/api/v1/grids?division=${STREET_001}`)).statusCode).toBe(200);
    const overdue = await asScreen(token, "GET", "/api/v1/overdue-cases");
    expect(overdue.statusCode, overdue.body).toBe(200);
    for (const row of overdue.json().cases as { streetCode: string }[]) expect(row.streetCode).toBe(STREET_001);
    expect(overdue.body).not.toMatch(/phone|reporter/i);

    // No case, no person, no change.
    expect((await asScreen(token, "GET", "/api/v1/cases")).statusCode).toBe(403);
    expect((await asScreen(token, "GET", `/api/v1/users?division=${STREET_001}`)).statusCode).toBe(403);
    const writes = [
      await asScreen(token, "POST", "/api/v1/screen-credentials", { name: "x", division: STREET_001 }),
      await asScreen(token, "POST", "/api/v1/auth/logout"),
      await asScreen(token, "POST", "/api/v1/cases", { description: "大屏不能上报案件", gridCode: "530103001001001" }),
      await asScreen(token, "DELETE", "/api/v1/screen-credentials/0190b2f4-0000-7000-8000-000000000000"),
    ];
    for (const write of writes) {
      expect(write.statusCode, write.body).toBe(403);
      expect(write.json().error.code).toBe("read_only_credential");
    }
  });

  it("exchanges the token for an HttpOnly cookie scoped to /api/v1 that the event stream accepts", async () => {
    const { token } = (await issue("leader-001", STREET_001)).json();
    const session = await t.app.inject({ method: "POST", url: "/api/v1/screen-credentials/session", headers: { authorization: `Screen ${token}` } });
    expect(session.statusCode, session.body).toBe(200);
    expect(session.json().division.code).toBe(STREET_001);
    const setCookie = String(session.headers["set-cookie"]);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/Path=\/api\/v1/);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = cookieOf(session);
    expect((await t.app.inject({ method: "GET", url: "/api/v1/indicators", headers: { cookie } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: "POST", url: "/api/v1/screen-credentials/session", headers: { authorization: "Screen ggs_unknown" } })).statusCode).toBe(401);

    const events = await SseClient.open(`${base}/api/v1/events`, { cookie });
    expect(events.status).toBe(200);
    await events.nextOf("ready");
    events.close();
  });

  it("answers 401 at once after revocation, ends the open stream, and revokes only in scope", async () => {
    const { token, credential } = (await issue("leader-001", STREET_001)).json();
    const events = await SseClient.open(`${base}/api/v1/events`, { authorization: `Screen ${token}` });
    expect(events.status).toBe(200);
    await events.nextOf("ready");

    const outside = await t.app.inject({ method: "DELETE", url: `/api/v1/screen-credentials/${credential.id}`, headers: { cookie: (await issueCookieOf("leader-002")) } });
    expect(outside.statusCode).toBe(404);
    const revoked = await t.app.inject({ method: "DELETE", url: `/api/v1/screen-credentials/${credential.id}`, headers: { cookie: cookies["leader-001"] } });
    expect(revoked.statusCode, revoked.body).toBe(204);
    const end = await events.nextOf<{ reason: string }>("end");
    expect(end.reason).toBe("session_ended");
    await events.ended;
    expect((await asScreen(token, "GET", "/api/v1/indicators")).statusCode).toBe(401);
    expect((await t.app.inject({ method: "DELETE", url: `/api/v1/screen-credentials/${credential.id}`, headers: { cookie: cookies["leader-001"] } })).statusCode).toBe(404);
    const audit = await t.ctx.db.selectFrom("audit_log").select("action").where("target_id", "=", credential.id).orderBy("seq").execute();
    expect(audit.map((entry) => entry.action)).toEqual(["screen_credential.create", "screen_credential.revoke"]);
    const listed = await t.app.inject({ method: "GET", url: "/api/v1/screen-credentials", headers: { cookie: cookies["leader-001"] } });
    expect(listed.json().credentials.find((c: { id: string }) => c.id === credential.id).revokedAt).not.toBeNull();
  });

  const issueCookieOf = async (username: string) => (cookies[username] ??= await t.login(username));
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieOf, createTestApp, type TestApp } from "./test-app.ts";
import { DEMO_PASSWORD } from "./databases.ts";

describe("sign-in", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp("demo", { LOGIN_MAX_FAILURES: "3", LOGIN_LOCKOUT_MINUTES: "15" });
  });
  afterAll(() => t.close());

  const login = (username: string, password: string) =>
    t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username, password } });

  it("sets an HttpOnly session cookie and answers with the user, roles, permissions and scope", async () => {
    const response = await login("dispatcher-001-1", DEMO_PASSWORD);
    expect(response.statusCode).toBe(200);
    const setCookie = String(response.headers["set-cookie"]);
    expect(setCookie).toMatch(/^gridgov_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const { user } = response.json();
    expect(user.roles).toEqual(["dispatcher"]);
    expect(user.scope).toEqual({ code: "530103001", name: "拓东街道", level: "street" });
    expect(user.permissions).toContain("grid.read");
    const me = await t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie: cookieOf(response) } });
    expect(me.json().user.username).toBe("dispatcher-001-1");
  });

  it("refuses a wrong password and an unknown user alike", async () => {
    const wrong = await login("leader", "not-the-password");
    const unknown = await login("nobody-here", "not-the-password");
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe("invalid_credentials");
    expect(unknown.json()).toEqual(wrong.json());
  });

  it("locks the account after repeated failures, even for the right password, and audits it", async () => {
    for (let i = 0; i < 3; i++) expect((await login("seat-01", "wrong-password")).statusCode).toBe(401);
    const locked = await login("seat-01", DEMO_PASSWORD);
    expect(locked.statusCode).toBe(423);
    expect(locked.json().error.code).toBe("account_locked");
    const actions = await t.ctx.db
      .selectFrom("audit_log")
      .innerJoin("users", "users.id", "audit_log.actor_id")
      .select("action")
      .where("users.username", "=", "seat-01")
      .orderBy("at")
      .execute();
    expect(actions.map((row) => row.action)).toEqual([
      "auth.login_failed",
      "auth.login_failed",
      "auth.account_locked",
      "auth.login_refused_locked",
    ]);
  });

  it("ends the session on the server at logout: the old cookie no longer works", async () => {
    const cookie = await t.login("leader");
    const logout = await t.app.inject({ method: "POST", url: "/api/v1/auth/logout", headers: { cookie } });
    expect(logout.statusCode).toBe(204);
    const me = await t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie } });
    expect(me.statusCode).toBe(401);
    expect(me.json().error.code).toBe("authentication_required");
  });

  it("expires a session idle for more than 30 minutes", async () => {
    const cookie = await t.login("leader-002");
    await t.ctx.db.updateTable("sessions").set({ last_seen_at: new Date(Date.now() - 31 * 60_000) }).execute();
    const me = await t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie } });
    expect(me.statusCode).toBe(401);
  });

  it("expires a session after 12 hours however active it was", async () => {
    const cookie = await t.login("leader-003");
    await t.ctx.db.updateTable("sessions").set({ expires_at: new Date(Date.now() - 1000) }).execute();
    const me = await t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie } });
    expect(me.statusCode).toBe(401);
  });

  it("accepts an API key for machine clients until it is revoked", async () => {
    const cookie = await t.login("admin");
    const created = await t.app.inject({ method: "POST", url: "/api/v1/api-keys", headers: { cookie }, payload: { name: "camera gateway" } });
    expect(created.statusCode).toBe(201);
    const { key, id } = created.json().apiKey;
    expect(key).toMatch(/^ggk_/);
    const authorization = `Bearer ${key}`;
    const me = await t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { authorization } });
    expect(me.json().user.username).toBe("admin");
    const revoked = await t.app.inject({ method: "DELETE", url: `/api/v1/api-keys/${id}`, headers: { cookie } });
    expect(revoked.statusCode).toBe(204);
    expect((await t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { authorization } })).statusCode).toBe(401);
    const stored = await t.ctx.db.selectFrom("api_keys").select("key_hash").where("id", "=", id).executeTakeFirstOrThrow();
    expect(stored.key_hash).not.toContain(key);
  });

  it("stores Argon2id hashes, never passwords", async () => {
    const row = await t.ctx.db.selectFrom("users").select("password_hash").where("username", "=", "admin").executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});

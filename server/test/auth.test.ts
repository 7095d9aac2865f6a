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

  const loginFrom = (ip: string, username: string, password: string) =>
    t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username, password }, remoteAddress: ip });
  /** Lets the source's growing delay pass, as time would. */
  const waitOut = (username: string) =>
    t.ctx.db.updateTable("login_throttles").set({ last_failed_at: new Date(Date.now() - 60_000) }).where("username", "=", username).where("blocked_until", "is", null).execute();

  it("blocks the source that keeps failing, not the account: the owner still signs in from elsewhere", async () => {
    const attacker = "203.0.113.7";
    for (let i = 1; i <= 3; i++) {
      const failed = await loginFrom(attacker, "seat-01", "wrong-password");
      expect(failed.statusCode, `attempt ${i}`).toBe(401);
      await waitOut("seat-01");
    }
    // Blocked for LOGIN_LOCKOUT_MINUTES from this address, even with the right password: told when to try again.
    const blocked = await loginFrom(attacker, "seat-01", DEMO_PASSWORD);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error.code).toBe("login_throttled");
    const retryAfter = Number(blocked.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThan(14 * 60);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(blocked.json().error.message).toContain("15 min");
    expect(blocked.json().error.details.retryAt).toBe(new Date(Date.parse(blocked.json().error.details.retryAt)).toISOString());
    // The owner, from their own address, is not locked out.
    const owner = await loginFrom("198.51.100.20", "seat-01", DEMO_PASSWORD);
    expect(owner.statusCode, owner.body).toBe(200);
    const actions = await t.ctx.db
      .selectFrom("audit_log")
      .select("action")
      .where("target_id", "=", owner.json().user.id)
      .where("action", "like", "auth.%")
      .orderBy("seq")
      .execute();
    expect(actions.map((row) => row.action)).toEqual(["auth.login_failed", "auth.login_failed", "auth.login_failed", "auth.login_blocked", "auth.login"]);
  });

  it("makes a source wait longer after each failure, and says so with Retry-After", async () => {
    const source = "203.0.113.8";
    expect((await loginFrom(source, "leader-004", "wrong-password")).statusCode).toBe(401);
    expect((await loginFrom(source, "leader-004", "wrong-password")).statusCode).toBe(401);
    const early = await loginFrom(source, "leader-004", DEMO_PASSWORD);
    expect(early.statusCode).toBe(429);
    expect(early.headers["retry-after"]).toBe("1");
    await waitOut("leader-004");
    expect((await loginFrom(source, "leader-004", DEMO_PASSWORD)).statusCode).toBe(200);
    // Success forgets that source's failures.
    const rows = await t.ctx.db.selectFrom("login_throttles").selectAll().where("username", "=", "leader-004").execute();
    expect(rows).toEqual([]);
  });

  it("answers a locked or disabled account exactly as a wrong password, never with 423", async () => {
    await t.ctx.db.updateTable("users").set({ locked_at: new Date() }).where("username", "=", "leader-005").execute();
    await t.ctx.db.updateTable("users").set({ disabled_at: new Date() }).where("username", "=", "leader-006").execute();
    const wrong = await loginFrom("203.0.113.9", "leader-007", "not-the-password");
    const locked = await loginFrom("203.0.113.9", "leader-005", DEMO_PASSWORD);
    const disabled = await loginFrom("203.0.113.9", "leader-006", DEMO_PASSWORD);
    for (const answer of [locked, disabled]) {
      expect(answer.statusCode).toBe(401);
      expect(answer.json()).toEqual(wrong.json());
    }
  });

  it("throttles an unknown name exactly as an existing one, so that the answers tell no account apart", async () => {
    const source = "203.0.113.10";
    const answers = async (username: string) => {
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) {
        const response = await loginFrom(source, username, "not-the-password");
        const retryAfter = response.headers["retry-after"];
        seen.push(`${response.statusCode} ${retryAfter === undefined ? "-" : `${Math.ceil(Number(retryAfter) / 60)} min`} ${response.json().error.code}`);
        if (response.statusCode === 401) await waitOut(username);
      }
      return seen;
    };
    const existing = await answers("leader-008");
    expect(existing).toEqual(["401 - invalid_credentials", "401 - invalid_credentials", "401 - invalid_credentials", "429 15 min login_throttled"]);
    expect(await answers("no-such-account")).toEqual(existing);
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
    const created = await t.app.inject({ method: "POST", url: "/api/v1/api-keys", headers: { cookie }, payload: { name: "camera gateway", organisation: "视频监控中心" } });
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

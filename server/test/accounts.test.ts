import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uuidv7 } from "../src/ids.ts";
import { hashPassword } from "../src/modules/auth/passwords.ts";
import { createTestApp, type TestApp } from "./test-app.ts";
import { DEMO_PASSWORD } from "./databases.ts";

/** An account written straight to the table, as the demo seed does: it signs in with the demo password. */
async function insertAccount(t: TestApp, username: string, roles: string[], scopeCode: string | null): Promise<string> {
  const id = uuidv7();
  await t.ctx.db
    .insertInto("users")
    .values({ id, username, display_name: username, phone: null, password_hash: await hashPassword(DEMO_PASSWORD), roles, scope_code: scopeCode, department_id: null })
    .execute();
  return id;
}

describe("categories", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp("demo");
  });
  afterAll(() => t.close());

  it("are edited only by an administrator of the whole district; a street's administrator is refused", async () => {
    await insertAccount(t, "street-admin", ["admin"], "530103001");
    const code = "appeal.hotline.consultation";
    const edit = (cookie: string) =>
      t.app.inject({ method: "PATCH", url: `/api/v1/categories/${code}`, headers: { cookie, "if-match": '"1"' }, payload: { photoRequired: true } });
    const street = await edit(await t.login("street-admin"));
    expect(street.statusCode).toBe(403);
    expect(street.json().error.code).toBe("district_scope_required");
    const row = await t.ctx.db.selectFrom("categories").select(["version", "photo_required"]).where("code", "=", code).executeTakeFirstOrThrow();
    expect(row).toEqual({ version: 1, photo_required: false });
    const district = await edit(await t.login("admin"));
    expect(district.statusCode, district.body).toBe(200);
    // Routing rules keep their scope: the street's administrator still routes inside the street.
    const rule = await t.app.inject({
      method: "PUT",
      url: "/api/v1/routing-rules/event.street_order.road_occupation/530103001",
      headers: { cookie: await t.login("street-admin") },
      payload: { departmentCode: "cgj" },
    });
    expect(rule.statusCode, rule.body).toBe(200);
  });
});

describe("user administration", () => {
  let t: TestApp;
  let admin: string;
  let secadmin: string;
  beforeAll(async () => {
    t = await createTestApp("demo");
    admin = await t.login("admin");
    secadmin = await t.login("secadmin");
  });
  afterAll(() => t.close());

  const call = (cookie: string, method: "GET" | "POST" | "PATCH", url: string, payload?: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: { cookie, ...headers }, ...(payload && { payload }) });
  const create = (cookie: string, username: string, roles: string[], scopeCode = "530103", password = "Lantern-river-42") =>
    call(cookie, "POST", "/users", { username, displayName: username, password, roles, scopeCode });
  const idOf = async (username: string) =>
    (await t.ctx.db.selectFrom("users").select("id").where("username", "=", username).executeTakeFirstOrThrow()).id;
  const edit = async (cookie: string, id: string, change: object) => {
    const current = await call(cookie, "GET", `/users/${id}`);
    return call(cookie, "PATCH", `/users/${id}`, change, { "if-match": String(current.headers.etag) });
  };
  /** Signs in as a new account and chooses its own password, as its owner must first. */
  const firstSignIn = async (username: string, password = "Lantern-river-42") => {
    const cookie = await t.login(username, password);
    const changed = await call(cookie, "POST", "/auth/password", { currentPassword: password, newPassword: "Orchid-window-77" });
    expect(changed.statusCode, changed.body).toBe(204);
    return cookie;
  };

  describe("separation of the three administrators (三员分立)", () => {
    it("refuses an account holding two or three of admin, security_admin and auditor, to anyone", async () => {
      for (const roles of [["admin", "security_admin", "auditor"], ["admin", "auditor"], ["security_admin", "auditor"]]) {
        const response = await create(secadmin, `three-${roles.length}-${roles[0]}`, roles);
        expect(response.statusCode, response.body).toBe(400);
        expect(response.json().error.code).toBe("administrator_roles_exclusive");
      }
    });

    it("lets the security administrator make system administrators and auditors, never another security administrator", async () => {
      expect((await create(secadmin, "new-auditor", ["auditor"])).statusCode).toBe(201);
      expect((await create(secadmin, "new-admin", ["admin"], "530103001")).statusCode).toBe(201);
      const security = await create(secadmin, "new-secadmin", ["security_admin"]);
      expect(security.statusCode).toBe(403);
      expect(security.json().error.code).toBe("role_not_managed");
    });

    it("lets the system administrator grant ordinary roles only", async () => {
      expect((await create(admin, "new-dispatcher", ["dispatcher"], "530103001")).statusCode).toBe(201);
      for (const role of ["admin", "auditor", "security_admin"]) {
        const response = await create(admin, `by-admin-${role.replace("_", "-")}`, [role]);
        expect(response.statusCode, role).toBe(403);
        expect(response.json().error.code, role).toBe("role_not_managed");
      }
    });

    it("refuses to add a second administrator role to an account, or to edit one's own roles", async () => {
      const auditor = await idOf("auditor");
      const twice = await edit(secadmin, auditor, { roles: ["auditor", "admin"] });
      expect(twice.statusCode).toBe(400);
      expect(twice.json().error.code).toBe("administrator_roles_exclusive");
      const own = await edit(secadmin, await idOf("secadmin"), { roles: ["security_admin", "dispatcher"] });
      expect(own.statusCode).toBe(403);
      expect(own.json().error.code).toBe("own_account");
      // The system administrator does not manage the security administrator's or auditor's accounts.
      const reset = await call(admin, "POST", `/users/${auditor}/password-reset`, { password: "Taken-over-2026" });
      expect(reset.statusCode).toBe(403);
      expect(reset.json().error.code).toBe("role_not_managed");
    });

    it("is enforced by the database too", async () => {
      const insert = t.ctx.db
        .insertInto("users")
        .values({ id: uuidv7(), username: "sneaky", display_name: "sneaky", phone: null, password_hash: null, roles: ["admin", "auditor"], scope_code: "530103", department_id: null })
        .execute();
      await expect(insert).rejects.toThrow(/users_one_administrator_role/);
      const update = t.ctx.db.updateTable("users").set({ roles: ["security_admin", "auditor"] }).where("username", "=", "secadmin").execute();
      await expect(update).rejects.toThrow(/users_one_administrator_role/);
    });
  });

  describe("passwords", () => {
    it("refuses short, common and name-containing passwords with 400 weak_password", async () => {
      for (const [password, rule] of [["Short-1", "length"], ["woaini1314", "common"], ["qwertyuiop", "common"], ["pw-policy-user-2026", "username"]]) {
        const response = await create(admin, "pw-policy-user", ["grid_worker"], "530103001001", password);
        expect(response.statusCode, password).toBe(400);
        expect(response.json().error).toMatchObject({ code: "weak_password", details: { rule } });
      }
    });

    it("makes a new account change its password at first sign-in before anything else", async () => {
      expect((await create(admin, "first-timer", ["dispatcher"], "530103001")).statusCode).toBe(201);
      const cookie = await t.login("first-timer", "Lantern-river-42");
      const me = await call(cookie, "GET", "/auth/me");
      expect(me.json().user.passwordChangeRequired).toBe(true);
      const cases = await call(cookie, "GET", "/cases");
      expect(cases.statusCode).toBe(403);
      expect(cases.json().error.code).toBe("password_change_required");
      const same = await call(cookie, "POST", "/auth/password", { currentPassword: "Lantern-river-42", newPassword: "Lantern-river-42" });
      expect(same.json().error).toMatchObject({ code: "weak_password", details: { rule: "unchanged" } });
      const wrong = await call(cookie, "POST", "/auth/password", { currentPassword: "not-the-one-at-all", newPassword: "Orchid-window-77" });
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json().error.code).toBe("wrong_password");
      const changed = await call(cookie, "POST", "/auth/password", { currentPassword: "Lantern-river-42", newPassword: "Orchid-window-77" });
      expect(changed.statusCode, changed.body).toBe(204);
      expect((await call(cookie, "GET", "/auth/me")).json().user.passwordChangeRequired).toBe(false);
      expect((await call(cookie, "GET", "/cases")).statusCode).toBe(200);
      expect((await t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username: "first-timer", password: "Lantern-river-42" } })).statusCode).toBe(401);
      expect(await t.login("first-timer", "Orchid-window-77")).toBeTruthy();
    });

    it("changing my password ends my other sessions, keeps this one, and is audited", async () => {
      const here = await t.login("leader-009");
      const elsewhere = await t.login("leader-009");
      // Both sessions are in this process's cache: the change must not leave the other trusted.
      expect((await call(elsewhere, "GET", "/auth/me")).statusCode).toBe(200);
      const changed = await call(here, "POST", "/auth/password", { currentPassword: DEMO_PASSWORD, newPassword: "Orchid-window-77" });
      expect(changed.statusCode, changed.body).toBe(204);
      expect((await call(elsewhere, "GET", "/auth/me")).statusCode).toBe(401);
      expect((await call(here, "GET", "/auth/me")).statusCode).toBe(200);
      const audited = await t.ctx.db.selectFrom("audit_log").select("action").where("target_id", "=", await idOf("leader-009")).where("action", "=", "user.password_change").execute();
      expect(audited).toHaveLength(1);
    });
  });

  describe("an administrator's changes", () => {
    it("reset a password: the user's sessions end and they must choose a new one", async () => {
      const id = await idOf("leader-010");
      const session = await t.login("leader-010");
      expect((await call(session, "GET", "/auth/me")).statusCode).toBe(200);
      const reset = await call(admin, "POST", `/users/${id}/password-reset`, { password: "Harbour-light-19" });
      expect(reset.statusCode, reset.body).toBe(204);
      expect((await call(session, "GET", "/auth/me")).statusCode).toBe(401);
      const cookie = await t.login("leader-010", "Harbour-light-19");
      expect((await call(cookie, "GET", "/auth/me")).json().user.passwordChangeRequired).toBe(true);
    });

    it("lock and unlock: a locked account's sessions end and it cannot sign in until unlocked", async () => {
      const id = await idOf("leader-011");
      const session = await t.login("leader-011");
      expect((await call(session, "GET", "/auth/me")).statusCode).toBe(200);
      const locked = await call(admin, "POST", `/users/${id}/lock`);
      expect(locked.statusCode, locked.body).toBe(200);
      expect(locked.json().user.locked).toBe(true);
      expect((await call(session, "GET", "/auth/me")).statusCode).toBe(401);
      const refused = await t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username: "leader-011", password: DEMO_PASSWORD } });
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error.code).toBe("invalid_credentials");
      const unlocked = await call(admin, "POST", `/users/${id}/unlock`);
      expect(unlocked.json().user.locked).toBe(false);
      expect(await t.login("leader-011")).toBeTruthy();
    });

    it("edit roles and scope with If-Match, end the sessions, and disable and enable again", async () => {
      const id = await idOf("leader-012");
      const session = await t.login("leader-012");
      expect((await call(session, "GET", "/auth/me")).statusCode).toBe(200);
      const stale = await call(admin, "PATCH", `/users/${id}`, { roles: ["supervisor"] }, { "if-match": '"0"' });
      expect(stale.statusCode).toBe(412);
      const missing = await call(admin, "PATCH", `/users/${id}`, { roles: ["supervisor"] });
      expect(missing.statusCode).toBe(428);
      const edited = await edit(admin, id, { roles: ["supervisor"], scopeCode: "530103001001" });
      expect(edited.statusCode, edited.body).toBe(200);
      expect(edited.json().user).toMatchObject({ roles: ["supervisor"], scopeCode: "530103001001" });
      expect(edited.headers.etag).toBe(`"${edited.json().user.version}"`);
      expect((await call(session, "GET", "/auth/me")).statusCode).toBe(401);
      const disabled = await edit(admin, id, { disabled: true });
      expect(disabled.json().user.disabled).toBe(true);
      const refused = await t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username: "leader-012", password: DEMO_PASSWORD } });
      expect(refused.statusCode).toBe(401);
      expect((await edit(admin, id, { disabled: false })).json().user.disabled).toBe(false);
      const me = await call(await t.login("leader-012"), "GET", "/auth/me");
      expect(me.json().user).toMatchObject({ roles: ["supervisor"], scope: { code: "530103001001" } });
      const actions = await t.ctx.db.selectFrom("audit_log").select("action").where("target_id", "=", id).where("action", "like", "user.%").orderBy("seq").execute();
      expect(actions.map((row) => row.action)).toEqual(["user.update", "user.update", "user.update"]);
    });

    it("stay inside the administrator's scope: no account outside it, no scope wider than theirs", async () => {
      await firstSignIn("new-admin"); // the street administrator made above
      const street = await t.login("new-admin", "Orchid-window-77");
      const outside = await idOf("leader-002");
      expect((await call(street, "POST", `/users/${outside}/lock`)).statusCode).toBe(404);
      const inside = await idOf("dispatcher-001-1");
      const wider = await edit(street, inside, { scopeCode: "530103" });
      expect(wider.statusCode).toBe(404);
      expect(wider.json().error.code).toBe("division_not_found");
      expect((await edit(street, inside, { scopeCode: "530103001001" })).statusCode).toBe(200);
    });
  });
});

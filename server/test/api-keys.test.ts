import { sql } from "kysely";
import type { FastifyRequest, InjectOptions, LightMyRequestResponse } from "fastify";
import { admitApiKey } from "../src/http/authentication.ts";
import { AppError } from "../src/errors.ts";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { verifyAuditChain } from "../src/modules/audit/audit.service.ts";
import type { ApiKeyScope } from "../src/modules/auth/actor.ts";
import { createApiKey } from "../src/modules/auth/api-keys.service.ts";
import { createUser } from "../src/modules/people/users.service.ts";
import { gridgov } from "./cli.ts";
import { copyTemplate, OTHER_DISTRICT } from "./databases.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

const REPORT = { description: "井盖缺失，路口有坑", gridCode: "530103001001001" };
const PNG_1X1 = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");

describe("API keys for machine clients", () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp("demo");
    admin = await t.login("admin");
  });
  afterAll(() => t.close());

  const userId = async (username: string) =>
    (await t.ctx.db.selectFrom("users").select("id").where("username", "=", username).executeTakeFirstOrThrow()).id;

  async function keyFor(cookie: string, body: Record<string, unknown> = {}): Promise<{ id: string; key: string; prefix: string; auth: { authorization: string } }> {
    const created = await t.app.inject({ method: "POST", url: "/api/v1/api-keys", headers: { cookie }, payload: { name: "网关", organisation: "市数字城管中心", ...body } });
    expect(created.statusCode, created.body).toBe(201);
    const { id, key, prefix } = created.json().apiKey;
    return { id, key, prefix, auth: { authorization: `Bearer ${key}` } };
  }

  const send = (options: InjectOptions) => t.app.inject(options);
  const codeOf = (answer: LightMyRequestResponse) => [answer.statusCode, answer.statusCode >= 400 ? answer.json().error.code : null];

  it("creates a key with its organisation, scopes, limit and expiry, shown once, and refuses bad ones with the field", async () => {
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const created = await send({
      method: "POST",
      url: "/api/v1/api-keys",
      headers: { cookie: admin },
      payload: { name: "12345 热线对接", organisation: "市12345热线", scopes: ["report", "read"], requestsPerMinute: 120, expiresAt },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().apiKey).toMatchObject({
      name: "12345 热线对接",
      organisation: "市12345热线",
      scopes: ["read", "report"],
      requestsPerMinute: 120,
      expiresAt: new Date(expiresAt).toISOString(),
      owner: { username: "admin" },
      state: "active",
      lastUsedAt: null,
    });
    expect(created.json().apiKey.key).toMatch(/^ggk_/);

    const refused = async (payload: Record<string, unknown>) =>
      codeOf(await send({ method: "POST", url: "/api/v1/api-keys", headers: { cookie: admin }, payload: { name: "x", organisation: "y", ...payload } }));
    expect(await refused({ organisation: undefined })).toEqual([400, "validation_failed"]);
    expect(await refused({ scopes: [] })).toEqual([400, "validation_failed"]);
    expect(await refused({ scopes: ["write"] })).toEqual([400, "validation_failed"]);
    expect(await refused({ requestsPerMinute: 0 })).toEqual([400, "validation_failed"]);
    expect(await refused({ organisation: "   " })).toEqual([400, "invalid_api_key"]);
    const past = await send({ method: "POST", url: "/api/v1/api-keys", headers: { cookie: admin }, payload: { name: "x", organisation: "y", expiresAt: "2020-01-01T00:00:00Z" } });
    expect(codeOf(past)).toEqual([400, "invalid_api_key"]);
    expect(past.json().error.details).toEqual({ field: "expiresAt" });

    // Without scopes a key reads and reports, as keys did before scopes.
    const plain = await send({ method: "POST", url: "/api/v1/api-keys", headers: { cookie: admin }, payload: { name: "默认", organisation: "y" } });
    expect(plain.json().apiKey.scopes).toEqual(["read", "report"]);
  });

  it("lets a key do what its scopes and its user's permissions both allow, and nothing else", async () => {
    const reader = await keyFor(admin, { scopes: ["read"] });
    const reporter = await keyFor(admin, { scopes: ["report"] });
    const exchanger = await keyFor(admin, { scopes: ["read", "exchange"] });
    const everything = await keyFor(admin, { scopes: ["read", "report", "exchange"] });

    // read: GET requests.
    expect((await send({ method: "GET", url: "/api/v1/auth/me", headers: reader.auth })).json().user.username).toBe("admin");
    expect(codeOf(await send({ method: "GET", url: "/api/v1/auth/me", headers: reporter.auth }))).toEqual([403, "api_key_scope"]);
    // report: creating cases and their photos.
    expect(codeOf(await send({ method: "POST", url: "/api/v1/cases", headers: reader.auth, payload: REPORT }))).toEqual([403, "api_key_scope"]);
    const reported = await send({ method: "POST", url: "/api/v1/cases", headers: reporter.auth, payload: REPORT });
    expect(reported.statusCode).toBe(201);
    const photo = { method: "POST" as const, url: "/api/v1/attachments", payload: PNG_1X1 };
    expect((await send({ ...photo, headers: { ...reporter.auth, "content-type": "image/png" } })).statusCode).toBe(201);
    expect(codeOf(await send({ ...photo, headers: { ...reader.auth, "content-type": "image/png" } }))).toEqual([403, "api_key_scope"]);
    // exchange: exports (a GET that needs more than read).
    const exportUrl = "/api/v1/cases/export";
    expect(codeOf(await send({ method: "GET", url: exportUrl, headers: reader.auth }))).toEqual([403, "api_key_scope"]);
    expect((await send({ method: "GET", url: exportUrl, headers: exchanger.auth })).statusCode).toBe(200);
    // exchange: the 12345 exchange, reads included.
    expect(codeOf(await send({ method: "GET", url: "/api/v1/exchange/hotline-mappings", headers: reader.auth }))).toEqual([403, "api_key_scope"]);
    expect((await send({ method: "GET", url: "/api/v1/exchange/hotline-mappings", headers: exchanger.auth })).statusCode).toBe(200);
    expect(codeOf(await send({ method: "GET", url: "/api/v1/webhooks", headers: reader.auth }))).toEqual([403, "api_key_scope"]);
    expect((await send({ method: "GET", url: "/api/v1/webhooks", headers: exchanger.auth })).statusCode).toBe(200);
    // A change no route opened to keys is refused whatever the scopes: workflow steps, key administration.
    const caseId = reported.json().case.id;
    const transition = await send({ method: "POST", url: `/api/v1/cases/${caseId}/transitions`, headers: everything.auth, payload: { action: "accept" } });
    expect(codeOf(transition)).toEqual([403, "api_key_scope"]);
    expect(codeOf(await send({ method: "POST", url: "/api/v1/api-keys", headers: everything.auth, payload: { name: "x", organisation: "y" } }))).toEqual([
      403,
      "api_key_scope",
    ]);
    expect(codeOf(await send({ method: "DELETE", url: `/api/v1/api-keys/${reader.id}`, headers: everything.auth }))).toEqual([403, "api_key_scope"]);
    // The user's permissions still bound the key: the auditor reads no cases whatever the scope.
    const auditorKey = await createApiKey(t.ctx, null, await userId("auditor"), { name: "审计", organisation: "审计组", scopes: ["read"] });
    const asAuditor = { authorization: `Bearer ${auditorKey.key}` };
    expect(codeOf(await send({ method: "GET", url: `/api/v1/cases/${caseId}`, headers: asAuditor }))).toEqual([403, "forbidden"]);
  });

  it("admits a key sent outside the header (a form field) with the same checks, count and attribution", async () => {
    const reporter = await keyFor(admin, { scopes: ["report"], requestsPerMinute: 2 });
    const request = { server: t.app } as FastifyRequest;
    const refusal = (promise: Promise<unknown>) => promise.then(
      () => null,
      (error: unknown) => (error instanceof AppError ? [error.statusCode, error.code] : error),
    );
    const actor = await admitApiKey(request, reporter.key, "report");
    expect(actor.apiKey).toMatchObject({ id: reporter.id, scopes: ["report"], requestsPerMinute: 2 });
    expect(await refusal(admitApiKey(request, reporter.key, "read"))).toEqual([403, "api_key_scope"]);
    expect(await refusal(admitApiKey(request, reporter.key, "report"))).toEqual([429, "rate_limited"]);
    expect(await refusal(admitApiKey(request, "ggk_nosuchkeynosuchkeynosuchkeynosuch", "report"))).toEqual([401, "authentication_required"]);
  });

  it("refuses an expired key as an unknown one, on public routes too, from the moment it expires", async () => {
    const expiresAt = Date.now() + 3_000;
    const key = await keyFor(admin, { expiresAt: new Date(expiresAt).toISOString() });
    // The first use leaves the key's actor in the cache for a few seconds.
    expect((await send({ method: "GET", url: "/api/v1/auth/me", headers: key.auth })).statusCode).toBe(200);
    await t.ctx.db.updateTable("api_keys").set({ expires_at: sql<Date>`now() - interval '1 second'` }).where("id", "=", key.id).execute();
    // The clock passes the expiry while the cached entry is still trusted: the entry's own expiry refuses it.
    vi.useFakeTimers({ now: expiresAt + 1, toFake: ["Date"] });
    try {
      const unknown = { authorization: "Bearer ggk_nosuchkeynosuchkeynosuchkeynosuch" };
      for (const headers of [key.auth, unknown]) {
        expect(codeOf(await send({ method: "GET", url: "/api/v1/auth/me", headers }))).toEqual([401, "authentication_required"]);
        // Intake is open to anonymous residents: an ended key must not report anonymously.
        expect(codeOf(await send({ method: "POST", url: "/api/v1/cases", headers, payload: REPORT }))).toEqual([401, "authentication_required"]);
      }
    } finally {
      vi.useRealTimers();
    }
    const listed = (await send({ method: "GET", url: "/api/v1/api-keys", headers: { cookie: admin } })).json().apiKeys;
    expect(listed.find((row: { id: string }) => row.id === key.id).state).toBe("expired");
  });

  it("refuses a key at once when its account is disabled, though the key was just used", async () => {
    const user = await createUser(t.ctx, null, { username: "gateway-owner", displayName: "网关账号", password: "Relay-Station-2026x", roles: ["dispatcher"], scopeCode: "530103" });
    const key = await createApiKey(t.ctx, null, user.id, { name: "网关", organisation: "区指挥中心" });
    const auth = { authorization: `Bearer ${key.key}` };
    expect((await send({ method: "GET", url: "/api/v1/auth/me", headers: auth })).statusCode).toBe(200);
    const etag = (await send({ method: "GET", url: `/api/v1/users/${user.id}`, headers: { cookie: admin } })).headers.etag as string;
    const disabled = await send({ method: "PATCH", url: `/api/v1/users/${user.id}`, headers: { cookie: admin, "if-match": etag }, payload: { disabled: true } });
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(codeOf(await send({ method: "GET", url: "/api/v1/auth/me", headers: auth }))).toEqual([401, "authentication_required"]);
  });

  it("counts each key against its own limit, with Retry-After", async () => {
    const limited = await keyFor(admin, { requestsPerMinute: 3 });
    const sibling = await keyFor(admin, { requestsPerMinute: 3 });
    const answers: LightMyRequestResponse[] = [];
    for (let i = 0; i < 4; i++) answers.push(await send({ method: "GET", url: "/api/v1/auth/me", headers: limited.auth }));
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 429]);
    expect(answers[3].json().error.code).toBe("rate_limited");
    const wait = Number(answers[3].headers["retry-after"]);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    // Another key of the same user, and the user's session, have counts of their own.
    expect((await send({ method: "GET", url: "/api/v1/auth/me", headers: sibling.auth })).statusCode).toBe(200);
    expect((await send({ method: "GET", url: "/api/v1/auth/me", headers: { cookie: admin } })).statusCode).toBe(200);
  });

  it("writes a key's last use at most once a minute", async () => {
    const key = await keyFor(admin);
    const lastUsed = async () =>
      (await t.ctx.db.selectFrom("api_keys").select("last_used_at").where("id", "=", key.id).executeTakeFirstOrThrow()).last_used_at;
    expect(await lastUsed()).toBeNull();
    await send({ method: "GET", url: "/api/v1/auth/me", headers: key.auth });
    const first = await lastUsed();
    expect(first).not.toBeNull();
    // Within the minute: no write, so a busy key costs no write per request.
    const written = await t.ctx.db.updateTable("api_keys").set({ last_used_at: sql<Date>`now() - interval '59 seconds'` }).where("id", "=", key.id).returning("last_used_at").executeTakeFirstOrThrow();
    await send({ method: "GET", url: "/api/v1/auth/me", headers: key.auth });
    expect((await lastUsed())?.getTime()).toBe(written.last_used_at?.getTime());
    // Past the minute: the next use that reads the key from the database (past the cache's few seconds) is written.
    await t.ctx.db.updateTable("api_keys").set({ last_used_at: sql<Date>`now() - interval '61 seconds'` }).where("id", "=", key.id).execute();
    t.ctx.apiKeys.evictKey(key.id);
    const before = Date.now() - 61_000;
    await send({ method: "GET", url: "/api/v1/auth/me", headers: key.auth });
    expect((await lastUsed())?.getTime()).toBeGreaterThan(before + 30_000);
  });

  it("attributes a key's report to the key on the timeline, and its audited acts in the chained audit log", async () => {
    const key = await keyFor(admin, { name: "城管通 App", organisation: "区城管局", scopes: ["read", "report", "exchange"] });
    const reported = await send({ method: "POST", url: "/api/v1/cases", headers: key.auth, payload: REPORT });
    const caseId = reported.json().case.id;
    const detail = (await send({ method: "GET", url: `/api/v1/cases/${caseId}`, headers: { cookie: admin } })).json();
    expect(detail.timeline[0]).toMatchObject({ action: "report", actor: "系统管理员", apiKey: { id: key.id, name: "城管通 App", organisation: "区城管局" } });
    // A step taken in the console names no key.
    const dispatcher = await t.login("dispatcher");
    const etag = (await send({ method: "GET", url: `/api/v1/cases/${caseId}`, headers: { cookie: dispatcher } })).headers.etag as string;
    const accepted = await send({ method: "POST", url: `/api/v1/cases/${caseId}/transitions`, headers: { cookie: dispatcher, "if-match": etag }, payload: { action: "accept" } });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const steps = await t.ctx.db.selectFrom("case_events").select(["action", "api_key_id"]).where("case_id", "=", caseId).orderBy("at").execute();
    expect(steps).toEqual([
      { action: "report", api_key_id: key.id },
      { action: "accept", api_key_id: null },
    ]);

    // Exports are audited: the entry names the key, inside the hashed details.
    expect((await send({ method: "GET", url: "/api/v1/cases/export", headers: key.auth })).statusCode).toBe(200);
    const exported = await t.ctx.db
      .selectFrom("audit_log")
      .select(["actor_id", "details"])
      .where("action", "=", "case.export")
      .orderBy("at", "desc")
      .executeTakeFirstOrThrow();
    expect(exported.details.apiKeyId).toBe(key.id);
    expect(exported.actor_id).toBe(await userId("admin"));
    expect((await verifyAuditChain(t.ctx.db)).intact).toBe(true);
  });

  it("lets administrators list and revoke the keys of accounts they manage in their scope, audited with who revoked", async () => {
    const dispatcherKey = await createApiKey(t.ctx, null, await userId("dispatcher"), { name: "调度网关", organisation: "区指挥中心" });
    const secadminKey = await createApiKey(t.ctx, null, await userId("secadmin"), { name: "安全巡检", organisation: "信息中心" });
    await createUser(t.ctx, null, { username: "admin-530102", displayName: "五华区管理员", password: "Another-district-2026", roles: ["admin"], scopeCode: OTHER_DISTRICT });
    const elsewhereKey = await createApiKey(t.ctx, null, await userId("admin-530102"), { name: "五华网关", organisation: "五华区" });

    const listed = await send({ method: "GET", url: "/api/v1/api-keys", headers: { cookie: admin } });
    expect(listed.statusCode).toBe(200);
    const ids = listed.json().apiKeys.map((row: { id: string }) => row.id);
    expect(ids).toContain(dispatcherKey.id);
    expect(ids).not.toContain(secadminKey.id);
    expect(ids).not.toContain(elsewhereKey.id);
    expect(listed.body).not.toContain(dispatcherKey.key);
    expect(listed.body).not.toMatch(/key_hash|keyHash/);
    expect(listed.json().apiKeys.find((row: { id: string }) => row.id === dispatcherKey.id)).toMatchObject({
      prefix: dispatcherKey.prefix,
      organisation: "区指挥中心",
      owner: { username: "dispatcher" },
      scopes: ["read", "report"],
      revokedAt: null,
    });

    // Out of reach: another administrator's key (a role the system administrator does not manage), another district's.
    for (const key of [secadminKey, elsewhereKey]) {
      expect(codeOf(await send({ method: "DELETE", url: `/api/v1/api-keys/${key.id}`, headers: { cookie: admin } }))).toEqual([404, "api_key_not_found"]);
    }
    // Just used, so cached: the revocation still refuses it at once.
    expect((await send({ method: "GET", url: "/api/v1/auth/me", headers: { authorization: `Bearer ${dispatcherKey.key}` } })).statusCode).toBe(200);
    const revoked = await send({ method: "DELETE", url: `/api/v1/api-keys/${dispatcherKey.id}`, headers: { cookie: admin } });
    expect(revoked.statusCode).toBe(204);
    expect((await send({ method: "GET", url: "/api/v1/auth/me", headers: { authorization: `Bearer ${dispatcherKey.key}` } })).statusCode).toBe(401);
    const audit = await t.ctx.db.selectFrom("audit_log").select(["actor_id", "details"]).where("action", "=", "api_key.revoke").where("target_id", "=", dispatcherKey.id).executeTakeFirstOrThrow();
    expect(audit.actor_id).toBe(await userId("admin"));
    expect(audit.details).toMatchObject({ revokedBy: await userId("admin"), userId: await userId("dispatcher"), prefix: dispatcherKey.prefix });
    const after = (await send({ method: "GET", url: "/api/v1/api-keys", headers: { cookie: admin } })).json().apiKeys;
    expect(after.find((row: { id: string }) => row.id === dispatcherKey.id)).toMatchObject({ state: "revoked", revokedBy: { name: "系统管理员" } });
    // Twice is not found, not a second revocation.
    expect((await send({ method: "DELETE", url: `/api/v1/api-keys/${dispatcherKey.id}`, headers: { cookie: admin } })).statusCode).toBe(404);

    // The security administrator manages the system administrator's account, and so its keys.
    const adminKey = await keyFor(admin);
    const secadmin = await t.login("secadmin");
    expect((await send({ method: "DELETE", url: `/api/v1/api-keys/${adminKey.id}`, headers: { cookie: secadmin } })).statusCode).toBe(204);
    // Staff without the permission neither list nor revoke.
    const dispatcher = await t.login("dispatcher");
    expect(codeOf(await send({ method: "GET", url: "/api/v1/api-keys", headers: { cookie: dispatcher } }))).toEqual([403, "forbidden"]);
    expect((await verifyAuditChain(t.ctx.db)).intact).toBe(true);
  });
});

describe("gridgov api-keys", () => {
  it("creates a key with its options, revokes it by prefix and lists it revoked", async () => {
    const copy = await copyTemplate("demo");
    try {
      const created = await gridgov(
        ["api-keys", "create", "--user", "admin", "--name", "热线网关", "--organisation", "市12345热线", "--scopes", "report", "--per-minute", "90", "--expires", "2099-01-01"],
        copy.env,
      );
      expect(created.code, created.stderr).toBe(0);
      const key = JSON.parse(created.stdout) as { id: string; prefix: string; key: string; scopes: ApiKeyScope[]; requestsPerMinute: number; expiresAt: string };
      expect(key).toMatchObject({ scopes: ["report"], requestsPerMinute: 90, expiresAt: "2099-01-01T00:00:00.000Z" });

      const revoked = await gridgov(["api-keys", "revoke", key.prefix], copy.env);
      expect(revoked.code, revoked.stderr).toBe(0);
      expect(JSON.parse(revoked.stdout)).toEqual({ revoked: key.id });

      const listed = await gridgov(["api-keys", "list", "--json"], copy.env);
      expect(listed.code, listed.stderr).toBe(0);
      const rows = JSON.parse(listed.stdout) as { id: string; state: string; revokedBy: unknown }[];
      expect(rows.find((row) => row.id === key.id)).toMatchObject({ state: "revoked", revokedBy: null });
      expect(listed.stdout).not.toContain(key.key);
    } finally {
      await copy.dispose();
    }
  }, 180_000);
});

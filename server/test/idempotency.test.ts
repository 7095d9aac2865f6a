import crypto from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purgeExpiredIdempotencyKeys } from "../src/modules/cases/idempotency.repository.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

describe("Idempotency-Key", () => {
  let t: TestApp;
  let worker: string;
  let point: { lat: number; lng: number };
  beforeAll(async () => {
    t = await createTestApp("demo");
    worker = await t.login("gw-530103001001-1");
    const admin = await t.login("admin");
    const grids = (await t.app.inject({ method: "GET", url: "/api/v1/grids?division=530103001001", headers: { cookie: admin } })).json();
    const grid = t.ctx.grids.interiorPoint(grids.features[0].properties.code);
    if (!grid) throw new Error("no grid");
    point = { lng: grid[0], lat: grid[1] };
  });
  afterAll(() => t.close());

  const report = (body: Record<string, unknown>, key: string, cookie?: string) =>
    t.app.inject({ method: "POST", url: "/api/v1/cases", payload: body, headers: { "idempotency-key": key, ...(cookie ? { cookie } : {}) } });
  const randomKey = () => crypto.randomBytes(16).toString("base64url");
  const caseCount = async () => (await t.ctx.db.selectFrom("cases").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n;

  it("answers an anonymous retry with the first case and token, and refuses the key with another body", async () => {
    const key = randomKey();
    const body = { description: "路灯坏了一整晚都不亮", location: point };
    const first = await report(body, key);
    expect(first.statusCode, first.body).toBe(201);
    const retry = await report(body, key);
    expect(retry.statusCode).toBe(201);
    expect(retry.json().case.id).toBe(first.json().case.id);
    expect(retry.json().trackingToken).toBe(first.json().trackingToken);
    const other = await report({ ...body, description: "另一件完全不同的事情" }, key);
    expect(other.statusCode).toBe(422);
    expect(other.json().error.code).toBe("idempotency_key_reused");
  });

  it("refuses anonymous keys with less than 128 bits, and keys outside the alphabet, with 400 and writes nothing", async () => {
    const before = await caseCount();
    const body = { description: "垃圾没人清运", location: point };
    for (const key of ["retry-key-0001", "a".repeat(21), `${randomKey()} x`, `${randomKey()}é`, "x".repeat(129)]) {
      const answer = await report(body, key);
      expect(answer.statusCode, key).toBe(400);
      expect(answer.json().error.code, key).toBe("invalid_idempotency_key");
    }
    // Signed-in callers keep their own scope: a shorter key is theirs alone.
    expect((await report(body, "x".repeat(129), worker)).json().error.code).toBe("invalid_idempotency_key");
    expect(await caseCount()).toBe(before);
    expect((await report(body, "retry-key-0002", worker)).statusCode).toBe(201);
    // A UUID is long enough.
    expect((await report(body, crypto.randomUUID())).statusCode).toBe(201);
  });

  it("stores neither the key nor the answer in a readable form", async () => {
    const key = randomKey();
    const first = await report({ description: "井盖松动踩上去会响", location: point, reporter: { phone: "13812345678" } }, key);
    expect(first.statusCode, first.body).toBe(201);
    const { case: created, trackingToken } = first.json();
    const rows = await sql<{ row: string }>`select t::text as row from idempotency_keys t`.execute(t.ctx.db);
    expect(rows.rows.length).toBeGreaterThan(0);
    const stored = rows.rows.map((r) => r.row).join("\n");
    const hex = (text: string) => Buffer.from(text).toString("hex");
    for (const secret of [key, trackingToken, created.id, created.number, "井盖松动"]) {
      expect(stored).not.toContain(secret);
      expect(stored).not.toContain(hex(secret));
    }
  });

  it("honours a key for 24 hours only, and the purge removes expired rows", async () => {
    const key = randomKey();
    const body = { description: "小区绿化带被占用种菜", location: point };
    const first = await report(body, key);
    expect(first.statusCode, first.body).toBe(201);
    const live = await t.ctx.db.selectFrom("idempotency_keys").select(["created_at", "expires_at"]).orderBy("created_at", "desc").executeTakeFirstOrThrow();
    expect(live.expires_at.getTime() - live.created_at.getTime()).toBe(24 * 3600_000);

    // A day later the key no longer answers: the same request makes a new case.
    await t.ctx.db.updateTable("idempotency_keys").set({ expires_at: sql<Date>`now() - interval '1 second'` }).execute();
    const later = await report(body, key);
    expect(later.statusCode).toBe(201);
    expect(later.json().case.id).not.toBe(first.json().case.id);
    expect((await report(body, key)).json().case.id).toBe(later.json().case.id);

    await t.ctx.db.updateTable("idempotency_keys").set({ expires_at: sql<Date>`now() - interval '1 second'` }).execute();
    const fresh = await report({ ...body, description: "新的一件事：道路积水" }, randomKey());
    expect(fresh.statusCode).toBe(201);
    expect(await purgeExpiredIdempotencyKeys(t.ctx.db)).toBeGreaterThan(0);
    const left = await t.ctx.db.selectFrom("idempotency_keys").select("expires_at").execute();
    expect(left).toHaveLength(1);
    expect(left[0].expires_at.getTime()).toBeGreaterThan(Date.now());
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { v7 as uuidv7 } from "uuid";
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

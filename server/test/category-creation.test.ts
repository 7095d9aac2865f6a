import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";

describe("creating categories", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of ["admin", "secadmin", "dispatcher", "seat-01"]) cookies[username] = await t.login(username);
    // An administrator of one street only.
    const created = await t.app.inject({
      method: "POST",
      url: "/api/v1/users",
      payload: { username: "street-admin", displayName: "街道管理员", password: "Panlong-Kunming-2026", roles: ["admin"], scopeCode: "530103001" },
      headers: { cookie: cookies.secadmin },
    });
    expect(created.statusCode, created.body).toBe(201);
    cookies.street = await t.login("street-admin", "Panlong-Kunming-2026");
    const changed = await create("street", { currentPassword: "Panlong-Kunming-2026", newPassword: "Dianchi-Lake-2027" }, "/api/v1/auth/password");
    expect(changed.statusCode, changed.body).toBeLessThan(300);
    cookies.street = await t.login("street-admin", "Dianchi-Lake-2027");
  });
  afterAll(() => t.close());

  function create(who: string, payload: Record<string, unknown>, url = "/api/v1/categories") {
    return t.app.inject({ method: "POST", url, payload, headers: { cookie: cookies[who] } });
  }
  const count = async () => Number((await t.ctx.db.selectFrom("categories").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);

  const question = { code: "depth_cm", label: { zh: "积水深度（厘米）", en: "Water depth (cm)" }, type: "number", required: true, public: true, min: 0, max: 200 };

  it("adds a subcategory under a main one, taking its class and rules, audited and offered at intake", async () => {
    const response = await create("admin", {
      code: "event.street_order.waterlogging",
      name: "道路积水",
      parentCode: "event.street_order",
      departmentCode: "swj",
      keywords: ["积水", "内涝"],
      questions: [question],
    });
    expect(response.statusCode, response.body).toBe(201);
    const parent = (await t.ctx.db.selectFrom("categories").selectAll().where("code", "=", "event.street_order").executeTakeFirstOrThrow());
    expect(response.json().category).toMatchObject({
      code: "event.street_order.waterlogging",
      class: "event",
      parentCode: "event.street_order",
      departmentCode: "swj",
      closureLevel: parent.closure_level,
      deadlinePolicy: parent.deadline_policy,
      photoRequired: parent.photo_required,
      active: true,
      version: 1,
      questions: [question],
    });
    expect(response.headers.etag).toBe('"1"');
    const audited = await t.ctx.db.selectFrom("audit_log").select(["actor_id", "target_id"]).where("action", "=", "category.create").execute();
    expect(audited.map((row) => row.target_id)).toEqual(["event.street_order.waterlogging"]);
    // The list and the intake know it at once; its question is asked.
    expect((await t.app.inject({ method: "GET", url: "/api/v1/categories" })).json().categories.map((c: { code: string }) => c.code)).toContain("event.street_order.waterlogging");
    const intake = (answers: Record<string, unknown>) =>
      t.app.inject({
        method: "POST",
        url: "/api/v1/cases",
        payload: { description: "路口积水严重", gridCode: "530103001001001", source: "hotline", categoryCode: "event.street_order.waterlogging", answers },
        headers: { cookie: cookies["seat-01"] },
      });
    expect((await intake({})).json().error.code).toBe("answers_invalid");
    expect((await intake({ depth_cm: 30 })).statusCode).toBe(201);
  });

  it("adds a main category of a class", async () => {
    const response = await create("admin", { code: "governance.elderly_care", name: "养老服务", parentCode: null, class: "governance", closureLevel: "community" });
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().category).toMatchObject({ class: "governance", parentCode: null, closureLevel: "community", deadlinePolicy: "dukao130", photoRequired: false });
  });

  it("refuses a taken code, a malformed one, a wrong parent and bad questions, writing nothing", async () => {
    const before = await count();
    const taken = await create("admin", { code: "event.street_order.waterlogging", name: "重复", parentCode: "event.street_order" });
    expect([taken.statusCode, taken.json().error.code]).toEqual([409, "category_exists"]);
    const outside = await create("admin", { code: "event.other.thing", name: "错误编码", parentCode: "event.street_order" });
    expect([outside.statusCode, outside.json().error.code]).toEqual([400, "invalid_category"]);
    const noClass = await create("admin", { code: "event.new_main", name: "无类别", parentCode: null });
    expect([noClass.statusCode, noClass.json().error.code]).toEqual([400, "invalid_category"]);
    const deep = await create("admin", { code: "event.street_order.waterlogging.deep", name: "深层", parentCode: "event.street_order.waterlogging" });
    expect([deep.statusCode, deep.json().error.code]).toEqual([422, "category_parent_invalid"]);
    const otherClass = await create("admin", { code: "event.street_order.x", name: "错类", parentCode: "event.street_order", class: "component" });
    expect([otherClass.statusCode, otherClass.json().error.code]).toEqual([422, "category_parent_invalid"]);
    const noParent = await create("admin", { code: "event.nosuch.x", name: "无父类", parentCode: "event.nosuch" });
    expect([noParent.statusCode, noParent.json().error.code]).toEqual([404, "category_not_found"]);
    const noDepartment = await create("admin", { code: "event.street_order.y", name: "无部门", parentCode: "event.street_order", departmentCode: "nosuch" });
    expect([noDepartment.statusCode, noDepartment.json().error.code]).toEqual([404, "department_not_found"]);
    const badQuestions = await create("admin", { code: "event.street_order.z", name: "问题", parentCode: "event.street_order", questions: [question, question] });
    expect([badQuestions.statusCode, badQuestions.json().error.code]).toEqual([422, "questions_invalid"]);
    const unknownField = await create("admin", { code: "event.street_order.w", name: "多余", parentCode: "event.street_order", active: false });
    expect(unknownField.statusCode).toBe(400);
    expect(await count()).toBe(before);
  });

  it("is for administrators of the whole district only", async () => {
    const body = { code: "event.street_order.street_only", name: "街道自建", parentCode: "event.street_order" };
    const street = await create("street", body);
    expect([street.statusCode, street.json().error.code]).toEqual([403, "district_scope_required"]);
    expect((await create("dispatcher", body)).statusCode).toBe(403);
    expect((await t.app.inject({ method: "POST", url: "/api/v1/categories", payload: body })).statusCode).toBe(401);
  });
});

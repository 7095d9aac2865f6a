import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";

type Template = { id: string; categoryCode: string | null; action: string | null; visibility: string; title: string; body: string; version: number };

describe("response templates", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of ["admin", "dispatcher", "handler-cgj-1", "dispatcher-001-1"]) cookies[username] = await t.login(username);
  });
  afterAll(() => t.close());

  const list = async (who: string, query: string): Promise<Template[]> => {
    const response = await t.app.inject({ method: "GET", url: `/api/v1/response-templates${query}`, headers: { cookie: cookies[who] } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().templates;
  };
  const create = (who: string, payload: Record<string, unknown>) =>
    t.app.inject({ method: "POST", url: "/api/v1/response-templates", payload, headers: { cookie: cookies[who] } });

  it("offers the demo district's templates for an action, the most specific category first", async () => {
    const dispatch = await list("dispatcher", "?action=dispatch&category=component.public_facility.manhole_cover");
    expect(dispatch.length).toBeGreaterThanOrEqual(3);
    expect(dispatch[0].categoryCode).toBe("component.public_facility");
    expect(dispatch.every((template) => template.action === "dispatch" || template.action === null)).toBe(true);
    expect(dispatch.map((template) => template.body)).toContain("已派遣至{department}，请于{deadline}前处置。");
    // Another category's templates are not offered.
    const other = await list("handler-cgj-1", "?action=handle&category=component.public_facility.manhole_cover");
    expect(other.map((template) => template.categoryCode)).not.toContain("event.street_order");
    expect((await list("handler-cgj-1", "?action=handle&visibility=public")).every((template) => template.visibility === "public")).toBe(true);
  });

  it("lets a district administrator create, edit and delete them, audited, and refuses unknown placeholders", async () => {
    const created = await create("admin", { categoryCode: "event.street_order", action: "urge", visibility: "staff", title: "占道督办", body: "请{department}于{deadline}前清理（{caseNumber}）" });
    expect(created.statusCode, created.body).toBe(201);
    const template: Template = created.json().template;
    expect((await list("dispatcher-001-1", "?action=urge&category=event.street_order.road_occupation")).map((found) => found.id)).toContain(template.id);

    const unknown = await create("admin", { categoryCode: null, action: null, visibility: "public", title: "称呼", body: "{reporterName}您好" });
    expect([unknown.statusCode, unknown.json().error.code, unknown.json().error.details]).toEqual([400, "unknown_placeholder", { placeholders: ["reporterName"] }]);
    const noCategory = await create("admin", { categoryCode: "no.such.category", action: null, visibility: "staff", title: "x", body: "x" });
    expect([noCategory.statusCode, noCategory.json().error.code]).toEqual([404, "category_not_found"]);
    const notAdmin = await create("dispatcher", { categoryCode: null, action: null, visibility: "staff", title: "x", body: "x" });
    expect(notAdmin.statusCode).toBe(403);

    const patch = (ifMatch: string) =>
      t.app.inject({ method: "PATCH", url: `/api/v1/response-templates/${template.id}`, payload: { body: "请尽快清理" }, headers: { cookie: cookies.admin, "if-match": ifMatch } });
    expect((await patch('"9"')).statusCode).toBe(412);
    const edited = await patch(`"${template.version}"`);
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json().template).toMatchObject({ body: "请尽快清理", version: template.version + 1 });

    const removed = await t.app.inject({ method: "DELETE", url: `/api/v1/response-templates/${template.id}`, headers: { cookie: cookies.admin } });
    expect(removed.statusCode).toBe(204);
    const audited = await t.ctx.db.selectFrom("audit_log").select("action").where("target_id", "=", template.id).orderBy("seq").execute();
    expect(audited.map((entry) => entry.action)).toEqual(["response_template.create", "response_template.update", "response_template.delete"]);
  });
});

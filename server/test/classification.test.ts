import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calendarFor } from "../src/modules/cases/calendars.ts";
import { computeDeadlines, policyFor } from "../src/modules/cases/deadlines.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

/** Registration (立案) classifies a case; reclassify corrects it while the case is open. */
describe("classification at registration", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  const SHANGYI = "530103001001001"; // a grid of 尚义社区 (530103001001), street 530103001
  const CENTRE = "community-530103001001"; // the community centre: dispatcher and handler
  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of [CENTRE, "dispatcher-001-1", "dispatcher", "seat-01", "handler-swj-1", "gw-530103001001-1"]) cookies[username] = await t.login(username);
  });
  afterAll(() => t.close());

  const read = (who: string, id: string) => t.app.inject({ method: "GET", url: `/api/v1/cases/${id}`, headers: { cookie: cookies[who] } });
  async function act(who: string, id: string, body: Record<string, unknown>) {
    const current = await read(who, id);
    return t.app.inject({ method: "POST", url: `/api/v1/cases/${id}/transitions`, payload: body, headers: { cookie: cookies[who], "if-match": String(current.headers.etag) } });
  }
  const ok = async (who: string, id: string, body: Record<string, unknown>) => {
    const response = await act(who, id, body);
    expect(response.statusCode, `${who} ${JSON.stringify(body)}: ${response.body}`).toBe(200);
    return response.json();
  };
  /** A resident's report of 尚义社区, without a category, accepted by its community centre. */
  async function acceptedCase(description: string) {
    const response = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: { description, gridCode: SHANGYI } });
    expect(response.statusCode, response.body).toBe(201);
    const id = response.json().case.id as string;
    await ok(CENTRE, id, { action: "accept" });
    return id;
  }
  const auditOf = (id: string) => t.ctx.db.selectFrom("audit_log").select(["action", "details"]).where("target_id", "=", id).execute();
  const expectedDeadlines = (createdAt: string, policy: string, urgency: "normal" | "urgent" | "emergency") => {
    const d = computeDeadlines(policyFor(policy, urgency), new Date(createdAt), calendarFor("530103"));
    return { acceptBy: d.acceptBy.toISOString(), dispatchBy: d.dispatchBy.toISOString(), feedbackBy: d.feedbackBy.toISOString(), handleBy: d.handleBy.toISOString() };
  };

  it("registers with a category, level and urgency: department and deadlines follow, counted from the report, and the event says what changed", async () => {
    const id = await acceptedCase("小区门口的路灯不亮了，晚上很黑");
    const before = (await read(CENTRE, id)).json().case;
    expect(before.categoryCode).toBeNull();
    const registered = await ok(CENTRE, id, { action: "register", categoryCode: "component.public_facility.street_light", urgency: "urgent", level: "community" });
    expect(registered.case).toMatchObject({
      status: "registered",
      categoryCode: "component.public_facility.street_light",
      departmentCode: "cgj",
      urgency: "urgent",
      level: "community",
      deadlines: expectedDeadlines(before.createdAt, "dukao130", "urgent"),
    });
    const event = registered.timeline.at(-1);
    expect(event).toMatchObject({ action: "register", from: "accepted", to: "registered" });
    expect(event.details).toMatchObject({
      category: { from: null, to: "component.public_facility.street_light" },
      department: { from: null, to: "cgj" },
      urgency: { from: "normal", to: "urgent" },
      deadlines: { from: { handleBy: before.deadlines.handleBy }, to: { handleBy: registered.case.deadlines.handleBy } },
    });
    expect(await auditOf(id)).toEqual([expect.objectContaining({ action: "case.register" })]);
  });

  it("registers without classification fields as before: nothing but the status changes and nothing is audited", async () => {
    const id = await acceptedCase("楼道里堆满了杂物");
    const before = (await read(CENTRE, id)).json().case;
    const registered = await ok(CENTRE, id, { action: "register" });
    expect(registered.case).toMatchObject({ status: "registered", categoryCode: null, urgency: "normal", deadlines: before.deadlines });
    expect(registered.timeline.at(-1).details).toEqual({});
    expect(await auditOf(id)).toEqual([]);
  });

  it("raises the urgency of an emergency category to emergency, whatever was asked", async () => {
    const categories = (await t.app.inject({ method: "GET", url: "/api/v1/categories?class=event" })).json().categories;
    expect(categories.find((c: { code: string }) => c.code === "event.emergency.manhole_cover_missing")).toMatchObject({ emergency: true });
    expect(categories.find((c: { code: string }) => c.code === "event.city_appearance.exposed_garbage")).toMatchObject({ emergency: false });
    const id = await acceptedCase("路口的井盖不见了，很危险");
    const before = (await read(CENTRE, id)).json().case;
    const registered = await ok(CENTRE, id, { action: "register", categoryCode: "event.emergency.manhole_cover_missing", urgency: "normal" });
    expect(registered.case).toMatchObject({ urgency: "emergency", departmentCode: "swj", deadlines: expectedDeadlines(before.createdAt, "emergency", "emergency") });
  });

  it("lets a centre register at its own level or lower, and refuses a higher one with escalation_required, changing nothing", async () => {
    const id = await acceptedCase("社区广场的健身器材坏了");
    const before = (await read(CENTRE, id)).json().case;
    const refused = await act(CENTRE, id, { action: "register", level: "street", categoryCode: "component.other_facility.fitness_equipment" });
    expect([refused.statusCode, refused.json().error.code], refused.body).toEqual([422, "escalation_required"]);
    const after = (await read(CENTRE, id)).json().case;
    expect(after).toMatchObject({ status: "accepted", version: before.version, level: "community", categoryCode: null });
    expect(after.actions).toContain("escalate");
    // The street steps in: its own level is allowed.
    const street = await ok("dispatcher-001-1", id, { action: "register", level: "street" });
    expect(street.case).toMatchObject({ status: "registered", level: "street" });
    expect(street.timeline.at(-1).details).toMatchObject({ level: { from: "community", to: "street" } });
    expect((await auditOf(id)).map((entry) => entry.action)).toEqual(["case.register"]);
  });

  it("offers reclassify to the owning centre's dispatchers while the case is open, and to nobody else", async () => {
    const id = await acceptedCase("垃圾桶满了没人清理");
    expect((await read(CENTRE, id)).json().case.actions).toContain("reclassify");
    expect((await read("dispatcher-001-1", id)).json().case.actions).toContain("reclassify");
    expect((await read("dispatcher", id)).json().case.actions).toContain("reclassify");
    for (const who of ["seat-01", "gw-530103001001-1", "handler-swj-1"]) expect((await read(who, id)).json().case.actions, who).not.toContain("reclassify");
    const refused = await act("seat-01", id, { action: "reclassify", categoryCode: "event.city_appearance.exposed_garbage" });
    expect([refused.statusCode, refused.json().error.code]).toEqual([403, "forbidden_action"]);
    await ok(CENTRE, id, { action: "reject", reasonCode: "duplicate", note: "重复上报" });
    const rejected = (await read(CENTRE, id)).json().case;
    expect(rejected.actions).not.toContain("reclassify");
    const closed = await act(CENTRE, id, { action: "reclassify", categoryCode: "event.city_appearance.exposed_garbage" });
    expect([closed.statusCode, closed.json().error.code]).toEqual([409, "transition_not_allowed"]);
  });

  it("reclassifies a dispatched case: category, routed department and deadlines change, status and assignment stay, and it is audited", async () => {
    const id = await acceptedCase("小区里有人在焚烧树叶，烟很大");
    await ok(CENTRE, id, { action: "register", categoryCode: "event.city_appearance.exposed_garbage" });
    await ok(CENTRE, id, { action: "dispatch", to: { divisionCode: "530103001001" } });
    // A routing rule of the street sends burning cases to the city management bureau instead of ecology.
    await t.ctx.db.insertInto("routing_rules").values({ category_code: "event.city_appearance.burning", division_code: "530103001", department_code: "cgj" }).execute();
    const before = (await read(CENTRE, id)).json().case;
    const reclassified = await ok(CENTRE, id, { action: "reclassify", categoryCode: "event.city_appearance.burning", urgency: "urgent", note: "实为焚烧" });
    expect(reclassified.case).toMatchObject({
      status: "dispatched",
      assignment: before.assignment,
      categoryCode: "event.city_appearance.burning",
      departmentCode: "cgj",
      urgency: "urgent",
      version: before.version + 1,
      deadlines: expectedDeadlines(before.createdAt, "dukao130", "urgent"),
    });
    const event = reclassified.timeline.at(-1);
    expect(event).toMatchObject({ action: "reclassify", from: "dispatched", to: "dispatched", note: "实为焚烧" });
    expect(event.details).toMatchObject({ category: { from: "event.city_appearance.exposed_garbage", to: "event.city_appearance.burning" }, urgency: { from: "normal", to: "urgent" } });
    expect((await auditOf(id)).map((entry) => entry.action)).toEqual(["case.register", "case.reclassify"]);
  });

  it("guards reclassify like every action: If-Match, a stale version, missing or foreign fields, an unknown category", async () => {
    const id = await acceptedCase("路边的行道树被风刮断了枝");
    const url = `/api/v1/cases/${id}/transitions`;
    const body = { action: "reclassify", categoryCode: "component.greening.street_tree" };
    const without = await t.app.inject({ method: "POST", url, payload: body, headers: { cookie: cookies[CENTRE] } });
    expect([without.statusCode, without.json().error.code]).toEqual([428, "precondition_required"]);
    const stale = await t.app.inject({ method: "POST", url, payload: body, headers: { cookie: cookies[CENTRE], "if-match": '"0"' } });
    expect([stale.statusCode, stale.json().error.code]).toEqual([412, "version_mismatch"]);
    const empty = await act(CENTRE, id, { action: "reclassify" });
    expect([empty.statusCode, empty.json().error.code]).toEqual([400, "invalid_transition_input"]);
    const foreign = await act(CENTRE, id, { action: "urge", categoryCode: "component.greening.street_tree" });
    expect([foreign.statusCode, foreign.json().error.code]).toEqual([400, "invalid_transition_input"]);
    const unknown = await act(CENTRE, id, { action: "reclassify", categoryCode: "component.greening.no_such" });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([400, "unknown_category"]);
    const after = (await read(CENTRE, id)).json();
    expect(after.case).toMatchObject({ status: "accepted", categoryCode: null });
    expect(after.timeline.map((event: { action: string }) => event.action)).toEqual(["report", "accept"]);
    expect(await auditOf(id)).toEqual([]);
  });
});

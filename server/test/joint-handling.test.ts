import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../src/modules/auth/actor.ts";
import { caseReadable } from "../src/modules/cases/cases.repository.ts";
import { entryReadable } from "../src/modules/events/event-scope.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

type Detail = {
  case: {
    id: string;
    status: string;
    actions: string[];
    assignment: Record<string, string> | null;
    coHandlers: { departmentCode: string | null; state: string }[];
    returnRequest: { reasonCode: string } | null;
    deadlines: { handleBy: string };
  };
  timeline: { action: string; details: Record<string, unknown> }[];
};
type Stats = { returnsByDepartment: { departmentCode: string; requested: number; approved: number }[] };

// A grid of 尚义社区 (street 530103001); the water bureau's handler here works in another street.
const SHANGYI = "530103001001001";
const USERS = ["dispatcher", "dispatcher-001-1", "handler-cgj-1", "handler-swj-1", "handler-ylj-1", "admin", "seat-01"];

describe("joint handling and returns that wait for the centre", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp("demo");
    // A co-handler's staff whose own scope does not cover the case: only co-handling lets them read it.
    await t.ctx.db.updateTable("users").set({ scope_code: "530103002" }).where("username", "=", "handler-swj-1").execute();
    for (const username of USERS) cookies[username] = await t.login(username);
  });
  afterAll(() => t.close());

  const get = (who: string, id: string) => t.app.inject({ method: "GET", url: `/api/v1/cases/${id}`, headers: { cookie: cookies[who] } });
  async function read(who: string, id: string): Promise<Detail> {
    const response = await get(who, id);
    expect(response.statusCode, `${who} reads ${id}: ${response.body}`).toBe(200);
    return response.json();
  }
  async function attempt(who: string, id: string, body: Record<string, unknown>) {
    const current = await get("dispatcher", id);
    return t.app.inject({
      method: "POST",
      url: `/api/v1/cases/${id}/transitions`,
      payload: body,
      headers: { cookie: cookies[who], "if-match": String(current.headers.etag) },
    });
  }
  async function act(who: string, id: string, body: Record<string, unknown>): Promise<Detail> {
    const response = await attempt(who, id, body);
    expect(response.statusCode, `${who} ${JSON.stringify(body)}: ${response.body}`).toBe(200);
    return response.json();
  }
  async function registered(description: string): Promise<string> {
    const response = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: { description, gridCode: SHANGYI }, headers: { cookie: cookies["seat-01"] } });
    expect(response.statusCode, response.body).toBe(201);
    const id = response.json().case.id as string;
    await act("dispatcher", id, { action: "accept" });
    await act("dispatcher", id, { action: "register", level: "district" });
    return id;
  }
  const mine = async (who: string) => {
    const response = await t.app.inject({ method: "GET", url: "/api/v1/cases?queue=mine&limit=200", headers: { cookie: cookies[who] } });
    expect(response.statusCode, response.body).toBe(200);
    return (response.json().cases as { id: string }[]).map((row) => row.id);
  };
  const returnsOf = async (department: string) => {
    const response = await t.app.inject({ method: "GET", url: "/api/v1/cases/stats?division=530103", headers: { cookie: cookies.dispatcher } });
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as Stats).returnsByDepartment.find((row) => row.departmentCode === department) ?? { requested: 0, approved: 0 };
  };

  it("lets the lead complete only after the co-handler reports, and lets the co-handler read and find the case", async () => {
    const id = await registered("河道旁污水管破裂外溢，路面积水发臭");
    expect((await get("handler-swj-1", id)).statusCode).toBe(404);

    // Co-handlers are checked for reach like the lead.
    await t.ctx.db.insertInto("departments").values({ id: "0190b2f4-0000-7000-8000-00000000d002", code: "jd002", name: "另一街道办", division_code: "530103002" }).execute();
    const unreachable = await attempt("dispatcher", id, { action: "dispatch", to: { departmentCode: "cgj" }, coHandlers: ["jd002"] });
    expect([unreachable.statusCode, unreachable.json().error.code]).toEqual([422, "department_out_of_reach"]);
    const unknown = await attempt("dispatcher", id, { action: "dispatch", to: { departmentCode: "cgj" }, coHandlers: ["nosuch"] });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, "department_not_found"]);
    const lead = await attempt("dispatcher", id, { action: "dispatch", to: { departmentCode: "cgj" }, coHandlers: ["cgj"] });
    expect([lead.statusCode, lead.json().error.code]).toEqual([400, "invalid_transition_input"]);
    expect((await read("dispatcher", id)).case.status).toBe("registered");

    const dispatched = await act("dispatcher", id, { action: "dispatch", to: { departmentCode: "cgj" }, coHandlers: ["swj"], note: "城管主办，水务协办" });
    expect(dispatched.case.coHandlers).toEqual([{ departmentCode: "swj", departmentName: "盘龙区水务局", state: "dispatched" }]);
    const asCoHandler = await read("handler-swj-1", id);
    expect(asCoHandler.case.actions).toEqual(["co_acknowledge"]);
    expect(await mine("handler-swj-1")).toContain(id);
    expect(await mine("handler-ylj-1")).not.toContain(id);

    await act("handler-cgj-1", id, { action: "acknowledge" });
    const refused = await attempt("handler-cgj-1", id, { action: "handle", note: "已修复" });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({ code: "co_handling_pending", details: { pending: ["swj"] } });
    const unchanged = await read("dispatcher", id);
    expect(unchanged.case.status).toBe("in_progress");

    // Only the co-handler reports its part, after acknowledging it.
    expect((await attempt("handler-cgj-1", id, { action: "co_acknowledge" })).json().error.code).toBe("forbidden_action");
    await act("handler-swj-1", id, { action: "co_acknowledge" });
    expect((await attempt("handler-swj-1", id, { action: "co_report" })).statusCode).toBe(400);
    const reported = await act("handler-swj-1", id, { action: "co_report", note: "管道已抢修，协办完成" });
    expect(reported.case.coHandlers[0].state).toBe("reported");
    // Its part is in: the case leaves its queue, and stays readable.
    expect(await mine("handler-swj-1")).not.toContain(id);
    expect((await get("handler-swj-1", id)).statusCode).toBe(200);

    const handled = await act("handler-cgj-1", id, { action: "handle", note: "路面已清理" });
    expect(handled.case.status).toBe("handled");
    expect(handled.timeline.map((event) => event.action)).toEqual(expect.arrayContaining(["co_acknowledge", "co_report", "handle"]));
    // Indicators count the lead: the assignment stays the lead department.
    expect(handled.case.assignment).toMatchObject({ kind: "department" });
  });

  it("lets the dispatcher release a co-handler with a reason, and only a pending one", async () => {
    const id = await registered("人行道树木倒伏压住井盖");
    await act("dispatcher", id, { action: "dispatch", to: { departmentCode: "cgj" }, coHandlers: ["ylj", "swj"] });
    await act("handler-cgj-1", id, { action: "acknowledge" });
    expect((await attempt("dispatcher", id, { action: "release_co_handler", departmentCode: "ylj" })).statusCode).toBe(400);
    await act("dispatcher", id, { action: "release_co_handler", departmentCode: "ylj", note: "树木已由城管清理" });
    const again = await attempt("dispatcher", id, { action: "release_co_handler", departmentCode: "ylj", note: "再次" });
    expect([again.statusCode, again.json().error.code]).toEqual([400, "invalid_transition_input"]);
    expect((await attempt("handler-cgj-1", id, { action: "handle", note: "x" })).json().error.details).toEqual({ pending: ["swj"] });
    await act("dispatcher", id, { action: "release_co_handler", departmentCode: "swj", note: "无需水务配合" });
    expect((await act("handler-cgj-1", id, { action: "handle", note: "已处理" })).case.status).toBe("handled");
  });

  it("holds a return for the centre's approval, shows it in the centre's queue, and counts it for the department", async () => {
    const before = await returnsOf("cgj");
    const id = await registered("小区门口占道经营严重");
    const dispatched = await act("dispatcher", id, { action: "dispatch", to: { departmentCode: "cgj" } });
    const handleBy = dispatched.case.deadlines.handleBy;

    const noReason = await attempt("handler-cgj-1", id, { action: "return", note: "不归我们管" });
    expect([noReason.statusCode, noReason.json().error.code]).toEqual([400, "invalid_transition_input"]);
    const wrongReason = await attempt("handler-cgj-1", id, { action: "return", reasonCode: "duplicate" });
    expect([wrongReason.statusCode, wrongReason.json().error.code]).toEqual([422, "unknown_reason"]);

    const asked = await act("handler-cgj-1", id, { action: "return", reasonCode: "private_property", note: "属小区物业管理范围" });
    expect(asked.case).toMatchObject({ status: "dispatched", returnRequest: { reasonCode: "private_property" } });
    expect(asked.timeline.at(-1)).toMatchObject({ action: "return", details: { reason: "private_property", department: "cgj" } });
    expect((await attempt("handler-cgj-1", id, { action: "acknowledge" })).statusCode).toBe(409);
    const centre = await t.app.inject({ method: "GET", url: "/api/v1/cases?queue=centre&limit=200", headers: { cookie: cookies.dispatcher } });
    expect(centre.json().cases.find((row: { id: string }) => row.id === id)).toMatchObject({ status: "dispatched", returnRequested: true });

    // Denied: the department keeps the case and works it.
    expect((await attempt("dispatcher", id, { action: "deny_return" })).statusCode).toBe(400);
    const denied = await act("dispatcher", id, { action: "deny_return", note: "经核实为公共区域，请继续办理" });
    expect(denied.case).toMatchObject({ status: "dispatched", returnRequest: null });
    // The department's clock runs from dispatch: acknowledging does not move it.
    const acknowledged = await act("handler-cgj-1", id, { action: "acknowledge" });
    expect(acknowledged.case.deadlines.handleBy).toBe(handleBy);

    // Asked again and approved: back to the centre for re-dispatch.
    await act("handler-cgj-1", id, { action: "return", reasonCode: "not_our_duty", note: "应由市场监管处理" });
    const approved = await act("dispatcher", id, { action: "approve_return", note: "改派市场监管局" });
    expect(approved.case).toMatchObject({ status: "registered", assignment: null, returnRequest: null });
    expect(approved.timeline.at(-1)?.details).toMatchObject({ reason: "not_our_duty", department: "cgj" });

    const after = await returnsOf("cgj");
    expect([after.requested - before.requested, after.approved - before.approved]).toEqual([2, 1]);
  });

  it("rejects with a configured reason only", async () => {
    const response = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: { description: "测试信息请忽略", gridCode: SHANGYI }, headers: { cookie: cookies["seat-01"] } });
    const id = response.json().case.id as string;
    await act("dispatcher", id, { action: "accept" });
    expect((await attempt("dispatcher", id, { action: "reject", note: "无效" })).statusCode).toBe(400);
    expect((await attempt("dispatcher", id, { action: "reject", reasonCode: "private_property" })).json().error.code).toBe("unknown_reason");
    const rejected = await act("dispatcher", id, { action: "reject", reasonCode: "invalid", note: "测试信息" });
    expect(rejected.case.status).toBe("rejected");
    expect(rejected.timeline.at(-1)?.details).toMatchObject({ reason: "invalid" });
  });

  it("lists the configured reasons, and lets a district administrator change them, audited", async () => {
    const list = await t.app.inject({ method: "GET", url: "/api/v1/case-reasons?kind=reject", headers: { cookie: cookies["handler-cgj-1"] } });
    expect(list.statusCode).toBe(200);
    expect(list.json().reasons.map((reason: { code: string }) => reason.code)).toContain("duplicate");
    const put = (who: string, payload: Record<string, unknown>) =>
      t.app.inject({ method: "PUT", url: "/api/v1/case-reasons/return/needs_permit", payload, headers: { cookie: cookies[who] } });
    expect((await put("dispatcher", { labelZh: "需审批", labelEn: "Needs a permit" })).statusCode).toBe(403);
    const added = await put("admin", { labelZh: "需先办理审批手续", labelEn: "Needs a permit first", position: 70 });
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json().reason).toMatchObject({ kind: "return", code: "needs_permit", active: true });
    await put("admin", { labelZh: "需先办理审批手续", labelEn: "Needs a permit first", active: false });
    const staffList = await t.app.inject({ method: "GET", url: "/api/v1/case-reasons?kind=return", headers: { cookie: cookies["handler-cgj-1"] } });
    expect(staffList.json().reasons.map((reason: { code: string }) => reason.code)).not.toContain("needs_permit");
    const audited = await t.ctx.db.selectFrom("audit_log").select("action").where("target_id", "=", "return:needs_permit").execute();
    expect(audited).toEqual([{ action: "case_reason.put" }, { action: "case_reason.put" }]);
  });

  it("decides a co-handler's reach in memory as the database does", async () => {
    const departments = await t.ctx.db.selectFrom("departments").select("id").execute();
    const cases = await t.ctx.db.selectFrom("cases").select(["id", "region_code", "street_code", "community_code", "co_handlers"]).execute();
    expect(cases.some((row) => row.co_handlers.length > 0)).toBe(true);
    for (const scopeCode of ["530103", "530103002", "530103002001", null]) {
      for (const { id: departmentId } of [...departments.slice(0, 8), { id: null }]) {
        const actor = { scopeCode, departmentId } as Actor;
        const bySql = (await t.ctx.db.selectFrom("cases").select("id").where((eb) => caseReadable(eb, actor)).execute()).map((row) => row.id).sort();
        const inMemory = cases
          .filter((row) =>
            entryReadable(actor, {
              regionCode: row.region_code,
              streetCode: row.street_code,
              communityCode: row.community_code,
              coDepartmentIds: row.co_handlers.map((co) => co.departmentId),
            }),
          )
          .map((row) => row.id)
          .sort();
        expect(inMemory, `${scopeCode} ${departmentId}`).toEqual(bySql);
      }
    }
    // The event log carries the co-handlers, which the stream checks.
    const logged = await t.ctx.db.selectFrom("case_event_log").select("co_department_ids").where("action", "=", "co_report").execute();
    expect(logged.length).toBeGreaterThan(0);
    expect(logged[0].co_department_ids.length).toBeGreaterThan(0);
  });
});

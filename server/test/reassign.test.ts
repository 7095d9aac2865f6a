import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calendarFor } from "../src/modules/cases/calendars.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

type Detail = {
  case: { id: string; createdAt: string; version: number; status: string; actions: string[]; assignment: Record<string, string> | null; deadlines: { feedbackBy: string; handleBy: string } };
  timeline: { action: string; at: string; note: string | null; details: Record<string, unknown> }[];
};

// A grid of 尚义社区 (street 530103001) and one of another street.
const SHANGYI = "530103001001001";
const OTHER_STREET = "530103002001001";
const USERS = ["dispatcher", "dispatcher-001-1", "handler-cgj-1", "handler-swj-1", "seat-01"];

describe("reassignment (改派) of dispatched cases", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of USERS) cookies[username] = await t.login(username);
  });
  afterAll(() => t.close());

  const get = (who: string, id: string) => t.app.inject({ method: "GET", url: `/api/v1/cases/${id}`, headers: { cookie: cookies[who] } });
  async function attempt(who: string, id: string, body: Record<string, unknown>) {
    const current = await get("dispatcher", id);
    return t.app.inject({ method: "POST", url: `/api/v1/cases/${id}/transitions`, payload: body, headers: { cookie: cookies[who], "if-match": String(current.headers.etag) } });
  }
  async function act(who: string, id: string, body: Record<string, unknown>): Promise<Detail> {
    const response = await attempt(who, id, body);
    expect(response.statusCode, `${who} ${JSON.stringify(body)}: ${response.body}`).toBe(200);
    return response.json();
  }
  async function dispatched(description: string, gridCode = SHANGYI): Promise<string> {
    const response = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: { description, gridCode }, headers: { cookie: cookies["seat-01"] } });
    expect(response.statusCode, response.body).toBe(201);
    const id = response.json().case.id as string;
    await act("dispatcher", id, { action: "accept" });
    await act("dispatcher", id, { action: "register", level: "district" });
    await act("dispatcher", id, { action: "dispatch", to: { departmentCode: "cgj" } });
    return id;
  }
  const mine = async (who: string) => {
    const response = await t.app.inject({ method: "GET", url: "/api/v1/cases?queue=mine&limit=200", headers: { cookie: cookies[who] } });
    expect(response.statusCode, response.body).toBe(200);
    return (response.json().cases as { id: string }[]).map((row) => row.id);
  };
  const tasks = async (who: string) => {
    await t.ctx.notifications.followAll();
    const response = await t.app.inject({ method: "GET", url: "/api/v1/notifications", headers: { cookie: cookies[who] } });
    return (response.json().notifications as { caseId: string; kind: string }[]).filter((n) => n.kind === "task").map((n) => n.caseId);
  };

  it("moves the case to the new department with a reason, a fresh clock and a task, out of the old one's queue", async () => {
    const id = await dispatched("人行道井盖破损，行人易绊倒");
    const before = await act("handler-cgj-1", id, { action: "acknowledge" });
    expect(await mine("handler-cgj-1")).toContain(id);
    expect((await read("dispatcher", id)).case.actions).toContain("reassign");
    expect((await read("handler-cgj-1", id)).case.actions).not.toContain("reassign");

    const noReason = await attempt("dispatcher", id, { action: "reassign", to: { departmentCode: "swj" } });
    expect([noReason.statusCode, noReason.json().error.code]).toEqual([400, "invalid_transition_input"]);
    const same = await attempt("dispatcher", id, { action: "reassign", to: { departmentCode: "cgj" }, note: "x" });
    expect([same.statusCode, same.json().error.code]).toEqual([400, "invalid_transition_input"]);
    const byHandler = await attempt("handler-cgj-1", id, { action: "reassign", to: { departmentCode: "swj" }, note: "x" });
    expect([byHandler.statusCode, byHandler.json().error.code]).toEqual([403, "forbidden_action"]);
    await t.ctx.db.insertInto("departments").values({ id: "0190b2f4-0000-7000-8000-00000000d102", code: "jd102", name: "另一街道办", division_code: "530103002" }).execute();
    const far = await attempt("dispatcher", id, { action: "reassign", to: { departmentCode: "jd102" }, note: "x" });
    expect([far.statusCode, far.json().error.code]).toEqual([422, "department_out_of_reach"]);
    expect((await read("dispatcher", id)).case.version).toBe(before.case.version);

    const moved = await act("dispatcher", id, { action: "reassign", to: { departmentCode: "swj" }, note: "属供水管网问题，改派水务局" });
    expect(moved.case.status).toBe("dispatched");
    const event = moved.timeline.at(-1);
    expect(event).toMatchObject({ action: "reassign", note: "属供水管网问题，改派水务局" });
    expect(event?.details.previousAssignment).toEqual(before.case.assignment);
    expect(event?.details.assignment).toEqual(moved.case.assignment);
    expect(moved.case.assignment).toMatchObject({ kind: "department" });
    expect(moved.case.assignment).not.toEqual(before.case.assignment);
    // The new department's clock starts at the reassignment: from it, the case's whole handling
    // time again in working time (the same deadline when no working time has passed, at a weekend).
    const calendar = calendarFor("530103");
    const working = (from: string, to: string) => calendar.workingMillisBetween(new Date(from), new Date(to));
    const stage = working(before.case.createdAt, before.case.deadlines.handleBy);
    expect(stage).toBeGreaterThan(0);
    // Within a second: the event's time is the database's clock at its transaction, the deadline is
    // counted from the server's a few milliseconds before (only on a working day do they differ).
    expect(Math.abs(working(event!.at, moved.case.deadlines.handleBy) - stage)).toBeLessThanOrEqual(1000);
    expect(Date.parse(moved.case.deadlines.handleBy)).toBeGreaterThanOrEqual(Date.parse(before.case.deadlines.handleBy));
    expect(Date.parse(moved.case.deadlines.feedbackBy)).toBeGreaterThanOrEqual(Date.parse(before.case.deadlines.feedbackBy));

    expect(await mine("handler-cgj-1")).not.toContain(id);
    expect(await mine("handler-swj-1")).toContain(id);
    expect(await tasks("handler-swj-1")).toContain(id);
    expect((await read("handler-swj-1", id)).case.actions).toContain("acknowledge");
  });

  it("waits for a pending return to be decided", async () => {
    const id = await dispatched("路灯不亮，夜间行人看不清路");
    await act("handler-cgj-1", id, { action: "return", reasonCode: "not_our_duty", note: "应由供电部门处理" });
    expect((await read("dispatcher", id)).case.actions).not.toContain("reassign");
    const refused = await attempt("dispatcher", id, { action: "reassign", to: { departmentCode: "swj" }, note: "改派" });
    expect([refused.statusCode, refused.json().error.code]).toEqual([409, "transition_not_allowed"]);
  });

  it("reassigns in bulk, each case answered, the ones not offered or out of scope refused with their reasons", async () => {
    const ids = [await dispatched("批量改派测试 1：道路积水"), await dispatched("批量改派测试 2：道路积水"), await dispatched("批量改派测试 3：道路积水", OTHER_STREET)];
    const waiting = await dispatched("批量改派测试 4：道路积水");
    await act("handler-cgj-1", waiting, { action: "return", reasonCode: "not_our_duty", note: "应由水务局处理" });
    const bulk = (who: string, payload: Record<string, unknown>) => t.app.inject({ method: "POST", url: "/api/v1/cases/bulk", payload, headers: { cookie: cookies[who] } });
    // A street's dispatcher does not reach a district case, nor see one of another street.
    const street = await bulk("dispatcher-001-1", { action: "reassign", to: { departmentCode: "swj" }, note: "改派", cases: [{ id: ids[0] }, { id: ids[2] }] });
    expect(street.json().results.map((r: { error: { code: string } }) => r.error.code)).toEqual(["forbidden_action", "case_not_found"]);

    const response = await bulk("dispatcher", { action: "reassign", to: { departmentCode: "swj" }, note: "积水由水务局处置", cases: [...ids, waiting].map((id) => ({ id })) });
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json();
    expect(answer).toMatchObject({ action: "reassign", succeeded: 3, refused: 1 });
    expect(answer.results[3]).toMatchObject({ id: waiting, ok: false, error: { status: 409, code: "transition_not_allowed" } });
    expect(await mine("handler-swj-1")).toEqual(expect.arrayContaining(ids.slice(0, 2)));
    expect(await mine("handler-cgj-1")).toEqual(expect.not.arrayContaining(ids.slice(0, 2)));
    const audited = await t.ctx.db.selectFrom("audit_log").select("details").where("action", "=", "case.bulk_reassign").where("actor_id", "=", await userId("dispatcher")).executeTakeFirstOrThrow();
    expect(audited.details).toMatchObject({ done: ids, refused: [{ id: waiting, code: "transition_not_allowed" }] });

    // Out of reach answers as a single reassignment does.
    const far = await t.app.inject({
      method: "POST",
      url: "/api/v1/cases/bulk",
      payload: { action: "reassign", to: { departmentCode: "jd102" }, note: "改派", cases: [{ id: ids[0] }] },
      headers: { cookie: cookies.dispatcher },
    });
    expect(far.json().results[0]).toMatchObject({ ok: false, error: { status: 422, code: "department_out_of_reach" } });
  });

  const userId = async (username: string) => (await t.ctx.db.selectFrom("users").select("id").where("username", "=", username).executeTakeFirstOrThrow()).id;

  async function read(who: string, id: string): Promise<Detail> {
    const response = await get(who, id);
    expect(response.statusCode, `${who} reads ${id}: ${response.body}`).toBe(200);
    return response.json();
  }
});

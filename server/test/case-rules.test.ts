import { uuidv7 } from "../src/ids.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sweepDeadlines } from "../src/modules/cases/deadline-sweep.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

/** The rules of the case workflow at its edges: whom a case reaches, who decides, what the public may say and see. */
describe("case rules", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  const SHANGYI = "530103001001001"; // a grid of 尚义社区, street 530103001
  const OTHER_STREET_GRID = "530103002001001"; // a grid of street 530103002
  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of ["gw-530103001001-1", "community-530103001001", "dispatcher-001-1", "dispatcher", "seat-01", "resident", "cadre-001-1"]) {
      cookies[username] = await t.login(username);
    }
  });
  afterAll(() => t.close());

  const report = (cookie: string | undefined, body: Record<string, unknown>) =>
    t.app.inject({ method: "POST", url: "/api/v1/cases", payload: body, headers: cookie ? { cookie } : {} });
  const reported = async (cookie: string | undefined, body: Record<string, unknown>) => {
    const response = await report(cookie, body);
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
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
  const caseCount = async () => (await t.ctx.db.selectFrom("cases").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n;
  /** A case of 尚义社区 registered at community level, ready for dispatch. */
  async function registeredCase(description: string) {
    const { case: created } = await reported(cookies["gw-530103001001-1"], { description, gridCode: SHANGYI });
    await ok("community-530103001001", created.id, { action: "accept" });
    await ok("community-530103001001", created.id, { action: "register" });
    return created.id as string;
  }

  it("refuses to merge a case into another street's case with the 404 of a case that does not exist", async () => {
    const ours = (await reported(cookies["gw-530103001001-1"], { description: "路灯不亮了，晚上很黑", gridCode: SHANGYI })).case;
    const theirs = (await reported(undefined, { description: "路灯不亮了，晚上很黑", gridCode: OTHER_STREET_GRID })).case;
    const missing = uuidv7();
    const outside = await act("dispatcher-001-1", ours.id, { action: "merge", into: theirs.id });
    const unknown = await act("dispatcher-001-1", ours.id, { action: "merge", into: missing });
    expect(outside.statusCode, outside.body).toBe(404);
    expect(unknown.statusCode).toBe(404);
    expect({ ...outside.json().error, message: outside.json().error.message.replace(theirs.id, "ID") }).toEqual({
      ...unknown.json().error,
      message: unknown.json().error.message.replace(missing, "ID"),
    });
    expect((await read("dispatcher-001-1", ours.id)).json().case).toMatchObject({ status: "reported", mergedInto: null });
    // The district sees both streets: there the merge goes through.
    const merged = await ok("dispatcher", ours.id, { action: "merge", into: theirs.id });
    expect(merged.case).toMatchObject({ status: "merged", mergedInto: theirs.id });
  });

  it("lets someone other than the requester approve an extension, and does not offer the requester the approval", async () => {
    const id = await registeredCase("小巷里的垃圾桶坏了，需要更换");
    // The community centre both dispatches and handles: it takes the case on itself and asks for more time.
    await ok("community-530103001001", id, { action: "dispatch", to: { divisionCode: "530103001001" } });
    await ok("community-530103001001", id, { action: "acknowledge" });
    const requested = await ok("community-530103001001", id, { action: "request_extension", days: 2, note: "等待配件" });
    expect(requested.case.pendingExtensionDays).toBe(2);
    expect(requested.case.actions).not.toContain("approve_extension");
    expect(requested.case.actions).toContain("deny_extension");
    const own = await act("community-530103001001", id, { action: "approve_extension" });
    expect([own.statusCode, own.json().error.code], own.body).toEqual([403, "self_approval"]);
    expect((await read("community-530103001001", id)).json().case.pendingExtensionDays).toBe(2);
    expect((await read("dispatcher-001-1", id)).json().case.actions).toContain("approve_extension");
    const approved = await ok("dispatcher-001-1", id, { action: "approve_extension" });
    expect(approved.case.pendingExtensionDays).toBeNull();
  });

  it("urges a case again when its extended or resumed deadline passes in turn", async () => {
    const id = await registeredCase("路边的下水道井盖松动，车过时响");
    await ok("community-530103001001", id, { action: "dispatch", to: { divisionCode: "530103001001" } });
    await ok("community-530103001001", id, { action: "acknowledge" });
    const state = async () => (await t.ctx.db.selectFrom("cases").select(["deadline_state", "handle_by"]).where("id", "=", id).executeTakeFirstOrThrow());
    const urges = async () =>
      (await t.ctx.db.selectFrom("case_events").select("id").where("case_id", "=", id).where("action", "=", "urge").execute()).length;
    const passDeadline = async () => {
      await t.ctx.db.updateTable("cases").set({ handle_by: new Date(Date.now() - 3600_000) }).where("id", "=", id).execute();
      await sweepDeadlines(t.ctx);
      expect((await state()).deadline_state).toBe("overdue");
    };

    await passDeadline();
    expect(await urges()).toBe(1);
    await ok("community-530103001001", id, { action: "request_extension", days: 5, note: "等待配件" });
    await ok("dispatcher-001-1", id, { action: "approve_extension" });
    expect((await state()).deadline_state).toBe("on_time");
    await passDeadline();
    expect(await urges()).toBe(2);

    await ok("dispatcher-001-1", id, { action: "suspend", note: "等待产权单位确认" });
    await t.ctx.db.updateTable("cases").set({ suspended_at: new Date(Date.now() - 5 * 86400_000) }).where("id", "=", id).execute();
    await ok("dispatcher-001-1", id, { action: "resume" });
    expect((await state()).handle_by.getTime()).toBeGreaterThan(Date.now());
    expect((await state()).deadline_state).toBe("on_time");
  });

  it("refuses to dispatch to a department or handler outside the case's reach with 422 and the reason, and changes nothing", async () => {
    const id = await registeredCase("社区健身器材松动，存在安全隐患");
    const before = (await read("community-530103001001", id)).json().case;
    // A department of the other street serves none of 尚义社区's cases.
    await t.ctx.db.insertInto("departments").values({ id: uuidv7(), code: "street-002-office", name: "拓东街道办事处", division_code: "530103002" }).execute();
    const handlerOf = async (username: string) =>
      (await t.ctx.db.selectFrom("users").select("id").where("username", "=", username).executeTakeFirstOrThrow()).id;
    const disabled = await handlerOf("cadre-001-2");
    await t.ctx.db.updateTable("users").set({ disabled_at: new Date() }).where("id", "=", disabled).execute();

    const refusals: [to: Record<string, string>, code: string, reason: RegExp][] = [
      [{ departmentCode: "street-002-office" }, "department_out_of_reach", /does not serve the case's community 530103001001/],
      [{ userId: await handlerOf("cadre-002-1") }, "handler_out_of_reach", /works outside the case's community 530103001001/],
      [{ userId: disabled }, "handler_disabled", /disabled/],
    ];
    for (const [to, code, reason] of refusals) {
      const response = await act("community-530103001001", id, { action: "dispatch", to });
      expect([response.statusCode, response.json().error.code], response.body).toEqual([422, code]);
      expect(response.json().error.message).toMatch(reason);
    }
    expect((await read("community-530103001001", id)).json().case).toMatchObject({ status: "registered", version: before.version, assignment: null });

    // Within reach: a street cadre of the case's street, then (after a return) a district department.
    const toCadre = await ok("community-530103001001", id, { action: "dispatch", to: { userId: await handlerOf("cadre-001-1") } });
    expect(toCadre.case.status).toBe("dispatched");
    expect((await act("cadre-001-1", id, { action: "acknowledge" })).statusCode).toBe(200);
  });

  it("keeps the staff channels and the emergency urgency from residents and anonymous reporters", async () => {
    const before = await caseCount();
    const refusals: [who: string | undefined, body: Record<string, unknown>, code: string][] = [
      [undefined, { source: "hotline" }, "source_not_allowed"],
      [undefined, { source: "camera" }, "source_not_allowed"],
      [undefined, { source: "staff" }, "source_not_allowed"],
      [undefined, { urgency: "emergency" }, "urgency_not_allowed"],
      ["resident", { source: "hotline" }, "source_not_allowed"],
      ["resident", { source: "grid_worker", urgency: "emergency" }, "source_not_allowed"],
      ["resident", { urgency: "emergency" }, "urgency_not_allowed"],
    ];
    for (const [who, extra, code] of refusals) {
      const response = await report(who && cookies[who], { description: "井盖不见了，很危险", gridCode: SHANGYI, ...extra });
      expect([response.statusCode, response.json().error.code], `${who ?? "anonymous"} ${JSON.stringify(extra)}`).toEqual([403, code]);
    }
    expect(await caseCount()).toBe(before);

    // The public channels and urgencies; a staff member names any channel and declares emergencies.
    const fromApp = (await reported(undefined, { description: "井盖不见了，很危险", gridCode: SHANGYI, source: "resident_app", urgency: "urgent" })).case;
    expect(fromApp).toMatchObject({ source: "resident_app", urgency: "urgent" });
    const resident = (await reported(cookies.resident, { description: "井盖不见了，很危险", gridCode: SHANGYI })).case;
    expect(resident.source).toBe("resident_web");
    const hotline = (await reported(cookies["seat-01"], { description: "井盖不见了，很危险", gridCode: SHANGYI, source: "hotline", urgency: "emergency" })).case;
    expect(hotline).toMatchObject({ source: "hotline", urgency: "emergency" });
  });

  it("shows no other case to a public reporter: possible duplicates go to staff who may read them", async () => {
    const grid = "530103001002001";
    const first = (await reported(undefined, { description: "小区门口的下水道堵了，污水漫到路上", gridCode: grid })).case;
    const similar = { description: "小区大门口下水道堵塞，污水漫到路上了", gridCode: grid };
    const anonymous = await reported(undefined, similar);
    expect(anonymous.duplicates).toEqual([]);
    expect(JSON.stringify(anonymous)).not.toContain(first.id);
    expect(JSON.stringify(anonymous)).not.toContain(first.number);
    expect((await reported(cookies.resident, similar)).duplicates).toEqual([]);
    const worker = await t.login("gw-530103001002-1");
    expect((await reported(worker, similar)).duplicates).toEqual(expect.arrayContaining([expect.objectContaining({ id: first.id, number: first.number })]));
  });

  it("masks a reporter's seven-digit landline by the one rule in the case, the queue and the export", async () => {
    const { case: created } = await reported(cookies["gw-530103001001-1"], {
      description: "楼道里的消防栓漏水",
      gridCode: SHANGYI,
      reporter: { name: "王先生", phone: "651-2345" },
    });
    expect(created.reporter.phone).toBe("6*****5");
    const listed = await t.app.inject({ method: "GET", url: `/api/v1/cases?q=${encodeURIComponent("消防栓漏水")}`, headers: { cookie: cookies.dispatcher } });
    expect(listed.json().cases.find((c: { id: string }) => c.id === created.id)?.reporterPhone, listed.body).toBe("6*****5");
    const exported = await t.app.inject({ method: "GET", url: `/api/v1/cases/export?q=${encodeURIComponent("消防栓漏水")}`, headers: { cookie: cookies.dispatcher } });
    expect(exported.statusCode, exported.body).toBe(200);
    expect(exported.body).toContain("6*****5");
    expect(exported.body).not.toMatch(/651-?2345/);
  });
});

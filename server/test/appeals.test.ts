import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rebuildRollups } from "../src/modules/evaluation/rollups.repository.ts";
import { insertGroup } from "./case-sets.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

describe("appeals (考核申诉)", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of ["leader", "leader-001", "leader-002", "dispatcher-001-1", "handler-cgj-1"]) cookies[username] = await t.login(username);
    // Street 001's June: four cases due, one closed late.
    const due = { created: "2025-06-02", registered: "2025-06-02", dispatched: "2025-06-02", deadline: "2025-06-10" };
    await insertGroup(t.ctx.db, { ...due, count: 3, handled: "2025-06-05", closed: "2025-06-06", status: "closed" });
    await insertGroup(t.ctx.db, { ...due, count: 1, handled: "2025-06-20", closed: "2025-06-21", status: "closed" });
  });
  afterAll(() => t.close());

  const june = async () =>
    (await t.app.inject({ method: "GET", url: "/api/v1/indicators?division=530103001&from=2025-06-01&to=2025-06-30", headers: { cookie: cookies.leader } })).json().total;
  const send = (username: string, url: string, payload: object) => t.app.inject({ method: "POST", url, payload, headers: { cookie: cookies[username] } });

  it("leaves an accepted appeal's case out of the due figures, the drill-down and a rebuild, with the record kept", async () => {
    expect(await june()).toMatchObject({ dueToClose: 4, closedOnTime: 3, overdue: 1 });
    const late = await t.app.inject({
      method: "GET",
      url: "/api/v1/cases?counted=overdue&from=2025-06-01&to=2025-06-30&division=530103001",
      headers: { cookie: cookies["dispatcher-001-1"] },
    });
    const [{ id }] = late.json().cases;

    const filed = await send("dispatcher-001-1", "/api/v1/appeals", { caseId: id, reason: "施工方原因，非本街道责任" });
    expect(filed.statusCode, filed.body).toBe(201);
    expect((await send("leader-001", "/api/v1/appeals", { caseId: id, reason: "再次申诉" })).json().error.code).toBe("appeal_pending");
    const appeal = filed.json().appeal;

    // Another street's leader neither sees it nor decides it; a street's leader is not the evaluation office.
    const hidden = await t.app.inject({ method: "GET", url: "/api/v1/appeals", headers: { cookie: cookies["leader-002"] } });
    expect(hidden.json().appeals).toEqual([]);
    expect((await send("leader-002", `/api/v1/appeals/${appeal.id}/decision`, { accept: true, note: "同意" })).statusCode).toBe(404);
    const accepted = await send("leader", `/api/v1/appeals/${appeal.id}/decision`, { accept: true, note: "情况属实，予以剔除" });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().appeal).toMatchObject({ status: "accepted", decisionNote: "情况属实，予以剔除" });
    expect((await send("leader", `/api/v1/appeals/${appeal.id}/decision`, { accept: false, note: "再议" })).json().error.code).toBe("appeal_decided");

    expect(await june()).toMatchObject({ dueToClose: 3, closedOnTime: 3, overdue: 0 });
    const listed = await t.app.inject({
      method: "GET",
      url: "/api/v1/cases?counted=dueToClose&from=2025-06-01&to=2025-06-30&division=530103001",
      headers: { cookie: cookies.leader },
    });
    expect(listed.json().cases.map((row: { id: string }) => row.id)).not.toContain(id);
    await rebuildRollups(t.ctx.db, "530103");
    expect(await june()).toMatchObject({ dueToClose: 3, overdue: 0 });
    const detail = await t.app.inject({ method: "GET", url: `/api/v1/cases/${id}`, headers: { cookie: cookies.leader } });
    expect(detail.json().timeline.map((event: { action: string }) => event.action)).toContain("exclude_from_evaluation");
    expect((await send("handler-cgj-1", "/api/v1/appeals", { caseId: id, reason: "重复申诉" })).statusCode).toBe(409);
  });

  it("refuses an appeal that a refused decision leaves counted, and a case outside the caller's reach", async () => {
    const due = await t.app.inject({
      method: "GET",
      url: "/api/v1/cases?counted=closedOnTime&from=2025-06-01&to=2025-06-30&division=530103001",
      headers: { cookie: cookies.leader },
    });
    const [{ id }] = due.json().cases;
    expect((await send("leader-002", "/api/v1/appeals", { caseId: id, reason: "不属实的申诉" })).statusCode).toBe(404);
    const filed = await send("leader-001", "/api/v1/appeals", { caseId: id, reason: "申诉理由" });
    expect((await send("leader-001", `/api/v1/appeals/${filed.json().appeal.id}/decision`, { accept: true, note: "自批" })).statusCode).toBe(404);
    const refused = await send("leader", `/api/v1/appeals/${filed.json().appeal.id}/decision`, { accept: false, note: "理由不充分" });
    expect(refused.json().appeal.status).toBe("refused");
    expect(await june()).toMatchObject({ dueToClose: 3, closedOnTime: 3 });
  });
});

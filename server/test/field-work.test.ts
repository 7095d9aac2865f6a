import crypto from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";

type Detail = {
  case: {
    id: string;
    number: string;
    status: string;
    level: string;
    version: number;
    assignment: Record<string, string> | null;
    actions: string[];
    handledOnSpot: boolean;
    spotReview: string | null;
    reworkCount: number;
    resolved: boolean | null;
    closedAt: string | null;
    deadlineWorkingMinutes: { handleBy: number };
  };
  photos: { id: string; kind: string | null }[];
  timeline: { action: string; from: string | null; to: string; actor: string | null; level: string; details: Record<string, unknown> }[];
};
type Summary = { id: string; deadline: string | null; handleBy: string; location: { lat: number; lng: number } };

// 尚义社区 and a grid of it; another community of the same street.
const COMMUNITY = "530103001001";
const GRID = "530103001001001";
const OTHER_GRID = "530103001002001";
const WORKER = "gw-530103001001-1";
const OTHER_WORKER = "gw-530103001002-1";
const SUPERVISOR = "supervisor-001";
const CENTRE = "community-530103001001";
const USERS = [WORKER, OTHER_WORKER, SUPERVISOR, CENTRE, "seat-01", "volunteer-530103001001001", "handler-cgj-1"];

describe("field work: handled on the spot, sample review, grid workers' tasks, safe retries, ratings", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  const ids: Record<string, string> = {};
  let png: Buffer;

  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of USERS) cookies[username] = await t.login(username);
    for (const row of await t.ctx.db.selectFrom("users").select(["id", "username", "display_name"]).where("username", "in", USERS).execute()) ids[row.username] = row.id;
    png = await sharp({ create: { width: 16, height: 16, channels: 3, background: "#4a7" } }).png().toBuffer();
  });
  afterAll(() => t.close());

  async function photo(who: string): Promise<string> {
    const uploaded = await t.app.inject({ method: "POST", url: "/api/v1/attachments", payload: png, headers: { "content-type": "image/png", cookie: cookies[who] } });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    return uploaded.json().attachment.id;
  }
  const point = (grid: string) => {
    const found = t.ctx.grids.interiorPoint(grid);
    if (!found) throw new Error(`no grid ${grid}`);
    return { lng: found[0], lat: found[1] };
  };
  const report = (who: string, body: Record<string, unknown>, key?: string) =>
    t.app.inject({ method: "POST", url: "/api/v1/cases", payload: body, headers: { cookie: cookies[who], ...(key ? { "idempotency-key": key } : {}) } });
  async function read(who: string, id: string): Promise<Detail & { etag: string }> {
    const response = await t.app.inject({ method: "GET", url: `/api/v1/cases/${id}`, headers: { cookie: cookies[who] } });
    expect(response.statusCode, `${who} reads ${id}: ${response.body}`).toBe(200);
    return { ...response.json(), etag: String(response.headers.etag) };
  }
  async function attempt(who: string, id: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
    const { etag } = await read(CENTRE, id);
    return t.app.inject({ method: "POST", url: `/api/v1/cases/${id}/transitions`, payload: body, headers: { cookie: cookies[who], "if-match": etag, ...headers } });
  }
  async function act(who: string, id: string, body: Record<string, unknown>): Promise<Detail> {
    const response = await attempt(who, id, body);
    expect(response.statusCode, `${who} ${JSON.stringify(body)}: ${response.body}`).toBe(200);
    return response.json();
  }
  const list = async (who: string, query: string): Promise<Summary[]> => {
    const response = await t.app.inject({ method: "GET", url: `/api/v1/cases?${query}`, headers: { cookie: cookies[who] } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().cases;
  };
  const auditActions = async (caseId: string) =>
    (await t.ctx.db.selectFrom("audit_log").select("action").where("target_id", "=", caseId).execute()).map((row) => row.action);

  it("closes a problem a grid worker handled on the spot at community level, with the finder as handler, once per key", async () => {
    const before = await photo(WORKER);
    const after = await photo(WORKER);
    const key = crypto.randomUUID();
    const body = { description: "小巷里的共享单车倒了一排挡住通道，已扶正摆放", location: point(GRID), photoIds: [before], handledOnSpot: true, afterPhotoIds: [after] };
    const created = await report(WORKER, body, key);
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().case.id as string;
    expect(created.json().case).toMatchObject({ status: "closed", level: "community", handledOnSpot: true, spotReview: null, source: "grid_worker" });
    // The offline queue's retry answers the same case and writes nothing more.
    const retry = await report(WORKER, body, key);
    expect(retry.json().case.id).toBe(id);
    expect(await t.ctx.db.selectFrom("cases").select("id").where("description", "=", body.description).execute()).toHaveLength(1);

    const detail = await read(SUPERVISOR, id);
    expect(detail.case.assignment).toEqual({ kind: "user", userId: ids[WORKER] });
    expect(detail.case.closedAt).not.toBeNull();
    expect(detail.case.deadlineWorkingMinutes.handleBy).toBeGreaterThan(0);
    const worker = await t.ctx.db.selectFrom("users").select("display_name").where("id", "=", ids[WORKER]).executeTakeFirstOrThrow();
    expect(detail.timeline.map((event) => [event.action, event.from, event.to, event.actor, event.level])).toEqual([
      ["report", null, "reported", worker.display_name, "community"],
      ["handle_on_spot", "reported", "handled", worker.display_name, "community"],
      ["close_on_spot", "handled", "closed", worker.display_name, "community"],
    ]);
    expect(detail.photos.map((p) => [p.id, p.kind])).toEqual([
      [before, "before"],
      [after, "after"],
    ]);
    expect(detail.case.actions).toEqual(expect.arrayContaining(["review_pass", "review_fail"]));
    expect(await auditActions(id)).toContain("case.handle_on_spot");
    // The community's counts hold it among the closed cases.
    const counts = await t.ctx.db.selectFrom("case_status_counts").select(["status", "cases"]).where("community_code", "=", COMMUNITY).execute();
    expect(counts.find((row) => row.status === "closed")?.cases).toBeGreaterThan(0);
  });

  it("refuses an on-the-spot report without both kinds of photo, outside the worker's community, or from another role, writing nothing", async () => {
    const count = async () => (await t.ctx.db.selectFrom("cases").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n;
    const casesBefore = await count();
    const base = { description: "路边井盖松动已临时加固", location: point(GRID), handledOnSpot: true };
    const noAfter = await report(WORKER, { ...base, photoIds: [await photo(WORKER)] });
    expect(noAfter.statusCode).toBe(400);
    expect(noAfter.json().error.code).toBe("on_spot_photos_required");
    const noBefore = await report(WORKER, { ...base, afterPhotoIds: [await photo(WORKER)] });
    expect(noBefore.json().error.code).toBe("on_spot_photos_required");
    const elsewhere = await report(WORKER, { ...base, location: point(OTHER_GRID), photoIds: [await photo(WORKER)], afterPhotoIds: [await photo(WORKER)] });
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.json().error.code).toBe("on_spot_outside_community");
    const volunteer = "volunteer-530103001001001";
    const byVolunteer = await report(volunteer, { ...base, photoIds: [await photo(volunteer)], afterPhotoIds: [await photo(volunteer)] });
    expect(byVolunteer.statusCode).toBe(403);
    expect(byVolunteer.json().error.code).toBe("on_spot_not_allowed");
    const stray = await report(WORKER, { description: "普通上报带处置后照片", location: point(GRID), afterPhotoIds: [await photo(WORKER)] });
    expect(stray.statusCode).toBe(400);
    expect(await count()).toBe(casesBefore);
  });

  it("lists on-the-spot cases for the supervisors' sample review; a failed review sends the case back to its finder for rework", async () => {
    const created = await report(WORKER, {
      description: "楼道堆放杂物已清理干净",
      location: point(GRID),
      photoIds: [await photo(WORKER)],
      handledOnSpot: true,
      afterPhotoIds: [await photo(WORKER)],
    });
    const id = created.json().case.id as string;
    const toReview = await list(SUPERVISOR, "handledOnSpot=true&reviewed=false&status=closed&limit=200");
    expect(toReview.map((row) => row.id)).toContain(id);
    // Nobody else reviews: not the worker, not the community's centre.
    expect((await attempt(WORKER, id, { action: "review_pass" })).statusCode).toBe(403);
    expect((await attempt(CENTRE, id, { action: "review_pass" })).statusCode).toBe(403);
    expect((await attempt(SUPERVISOR, id, { action: "review_fail" })).json().error.code).toBe("invalid_transition_input");

    const evidence = await photo(SUPERVISOR);
    const failed = await act(SUPERVISOR, id, { action: "review_fail", note: "杂物仍堆在楼梯转角", photoIds: [evidence] });
    expect(failed.case).toMatchObject({ status: "in_progress", spotReview: "failed", reworkCount: 1, closedAt: null });
    expect(failed.photos.find((p) => p.id === evidence)?.kind).toBe("verification");
    expect(await auditActions(id)).toContain("case.review_fail");
    expect((await list(SUPERVISOR, "handledOnSpot=true&reviewed=false&limit=200")).map((row) => row.id)).not.toContain(id);
    expect((await list(SUPERVISOR, "handledOnSpot=true&reviewed=true&limit=200")).map((row) => row.id)).toContain(id);

    // The finder finds the rework among their tasks, handles it again, and a supervisor verifies it.
    expect((await list(WORKER, "queue=mine&limit=200")).map((row) => row.id)).toContain(id);
    const redone = await act(WORKER, id, { action: "handle", note: "已全部清走", photoIds: [await photo(WORKER)] });
    expect(redone.case.status).toBe("handled");
    const verified = await act(SUPERVISOR, id, { action: "verify_pass", photoIds: [await photo(SUPERVISOR)] });
    expect(verified.case).toMatchObject({ status: "closed", spotReview: "failed" });
    expect(verified.case.actions).not.toContain("review_pass");
    expect(verified.photos.filter((p) => p.kind === "verification")).toHaveLength(2);
    // Verification photos are staff's: the public tracking page shows none of them.
    const tracked = await t.app.inject({ method: "GET", url: `/api/v1/public/cases/${verified.case.number}`, headers: { "x-tracking-token": created.json().trackingToken } });
    expect(tracked.json().photos.map((p: { kind: string }) => p.kind)).not.toContain("verification");
  });

  it("passes a review once, keeping the closure as it was", async () => {
    const created = await report(WORKER, {
      description: "广告牌松动已用扎带固定",
      location: point(GRID),
      photoIds: [await photo(WORKER)],
      handledOnSpot: true,
      afterPhotoIds: [await photo(WORKER)],
    });
    const { id, closedAt } = created.json().case;
    const passed = await act(SUPERVISOR, id, { action: "review_pass", note: "抽查属实" });
    expect(passed.case).toMatchObject({ status: "closed", spotReview: "passed", closedAt });
    expect((await attempt(SUPERVISOR, id, { action: "review_fail", note: "再查" })).statusCode).toBe(409);

    // The community's dashboard counts the closures on the spot and their reviews, the failed one of the test before included.
    const stats = await t.app.inject({ method: "GET", url: `/api/v1/cases/stats?division=${COMMUNITY}`, headers: { cookie: cookies[SUPERVISOR] } });
    expect(stats.json().handledOnSpot).toEqual({ handled: 3, reviewed: 2, failed: 1 });
    const otherCommunity = await t.app.inject({ method: "GET", url: "/api/v1/cases/stats?division=530103001002", headers: { cookie: cookies[SUPERVISOR] } });
    expect(otherCommunity.json().handledOnSpot).toEqual({ handled: 0, reviewed: 0, failed: 0 });
  });

  it("dispatches to a grid worker by user id, who finds it among their tasks deadline first and works it", async () => {
    const created = await report("seat-01", { description: "人行道地砖破损绊倒老人", gridCode: GRID });
    const id = created.json().case.id as string;
    await act(CENTRE, id, { action: "accept" });
    await act(CENTRE, id, { action: "register" });
    const outside = await attempt(CENTRE, id, { action: "dispatch", to: { userId: ids[OTHER_WORKER] } });
    expect(outside.statusCode).toBe(422);
    expect(outside.json().error.code).toBe("handler_out_of_reach");
    const nobody = await attempt(CENTRE, id, { action: "dispatch", to: { userId: ids[SUPERVISOR] } });
    expect(nobody.json().error.code).toBe("user_not_found");
    const dispatched = await act(CENTRE, id, { action: "dispatch", to: { userId: ids[WORKER] } });
    expect(dispatched.case.assignment).toEqual({ kind: "user", userId: ids[WORKER] });

    // Also a case dispatched to the community as a whole.
    const shared = (await report("seat-01", { description: "小区门口垃圾桶满溢", gridCode: GRID })).json().case.id as string;
    await act(CENTRE, shared, { action: "accept" });
    await act(CENTRE, shared, { action: "register" });
    await act(CENTRE, shared, { action: "dispatch", to: { divisionCode: COMMUNITY } });

    const tasks = await list(WORKER, "queue=mine&sort=deadline&limit=200");
    expect(tasks.map((row) => row.id)).toEqual(expect.arrayContaining([id, shared]));
    const deadlines = tasks.map((row) => row.handleBy);
    expect(deadlines).toEqual([...deadlines].sort());
    expect(tasks[0].location.lat).toBeTypeOf("number");
    // The deadline order pages by its own cursor.
    const first = await t.app.inject({ method: "GET", url: "/api/v1/cases?queue=mine&sort=deadline&limit=1", headers: { cookie: cookies[WORKER] } });
    const second = await t.app.inject({ method: "GET", url: `/api/v1/cases?queue=mine&sort=deadline&limit=1&cursor=${first.json().nextCursor}`, headers: { cookie: cookies[WORKER] } });
    expect([first.json().cases[0].id, second.json().cases[0].id]).toEqual(tasks.slice(0, 2).map((row) => row.id));
    // Another community's worker has none of them.
    const others = await list(OTHER_WORKER, "queue=mine&limit=200");
    expect(others.map((row) => row.id)).not.toContain(id);
    expect(others.map((row) => row.id)).not.toContain(shared);

    const offered = await read(WORKER, id);
    expect(offered.case.actions).toEqual(expect.arrayContaining(["acknowledge", "return"]));
    await act(WORKER, id, { action: "acknowledge" });
    expect((await read(WORKER, id)).case.actions).toEqual(expect.arrayContaining(["handle", "request_extension", "return"]));
    await act(WORKER, shared, { action: "acknowledge" });
  });

  it("acts once on a retried transition with the same Idempotency-Key, answers the first answer after the case moved, and refuses the key with another body", async () => {
    const created = await report("seat-01", { description: "路灯杆倾斜存在隐患", gridCode: GRID });
    const id = created.json().case.id as string;
    await act(CENTRE, id, { action: "accept" });
    await act(CENTRE, id, { action: "register" });
    await act(CENTRE, id, { action: "dispatch", to: { userId: ids[WORKER] } });
    await act(WORKER, id, { action: "acknowledge" });
    const { etag } = await read(WORKER, id);
    const key = crypto.randomUUID();
    const body = { action: "handle", note: "已扶正加固", photoIds: [await photo(WORKER)] };
    const send = (payload: Record<string, unknown>, ifMatch = etag) =>
      t.app.inject({ method: "POST", url: `/api/v1/cases/${id}/transitions`, payload, headers: { cookie: cookies[WORKER], "if-match": ifMatch, "idempotency-key": key } });
    const first = await send(body);
    expect(first.statusCode, first.body).toBe(200);
    const retried = await send(body);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toEqual(first.json());
    expect(retried.headers.etag).toBe(first.headers.etag);
    const handles = (await read(WORKER, id)).timeline.filter((event) => event.action === "handle");
    expect(handles).toHaveLength(1);

    // The supervisor verifies meanwhile; the worker's late retry still gets its own first answer.
    await act(SUPERVISOR, id, { action: "verify_pass" });
    const late = await send(body);
    expect(late.statusCode).toBe(200);
    expect(late.json().case.status).toBe("handled");
    expect((await read(WORKER, id)).case.status).toBe("closed");

    const reused = await send({ ...body, note: "另一段说明" });
    expect(reused.statusCode).toBe(422);
    expect(reused.json().error.code).toBe("idempotency_key_reused");
    const invalid = await t.app.inject({
      method: "POST",
      url: `/api/v1/cases/${id}/transitions`,
      payload: { action: "urge" },
      headers: { cookie: cookies[SUPERVISOR], "if-match": etag, "idempotency-key": "short" },
    });
    expect(invalid.json().error.code).toBe("invalid_idempotency_key");
  });

  it("makes ten concurrent retries of one transition with one key into one action", async () => {
    const created = await report("seat-01", { description: "绿化带树枝折断挡路", gridCode: GRID });
    const id = created.json().case.id as string;
    const { etag } = await read(CENTRE, id);
    const key = crypto.randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.app.inject({ method: "POST", url: `/api/v1/cases/${id}/transitions`, payload: { action: "accept" }, headers: { cookie: cookies[CENTRE], "if-match": etag, "idempotency-key": key } }),
      ),
    );
    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(10).fill(200));
    expect(new Set(answers.map((answer) => answer.headers.etag)).size).toBe(1);
    expect((await read(CENTRE, id)).timeline.filter((event) => event.action === "accept")).toHaveLength(1);
  });

  it("keeps no answer for a refused transition, so that its retry is taken afresh", async () => {
    const created = await report("seat-01", { description: "垃圾清运不及时有异味", gridCode: GRID });
    const id = created.json().case.id as string;
    const key = crypto.randomUUID();
    const stale = await t.app.inject({ method: "POST", url: `/api/v1/cases/${id}/transitions`, payload: { action: "accept" }, headers: { cookie: cookies[CENTRE], "if-match": '"999"', "idempotency-key": key } });
    expect(stale.statusCode).toBe(412);
    const { etag } = await read(CENTRE, id);
    const fresh = await t.app.inject({ method: "POST", url: `/api/v1/cases/${id}/transitions`, payload: { action: "accept" }, headers: { cookie: cookies[CENTRE], "if-match": etag, "idempotency-key": key } });
    expect(fresh.statusCode, fresh.body).toBe(200);
    expect(fresh.json().case.status).toBe("accepted");
  });

  it("records whether the problem was solved with the rating: optional for staff, required from the resident, once", async () => {
    const created = await report("seat-01", { description: "楼下烧烤油烟扰民", gridCode: GRID, reporter: { phone: "13900002222" } });
    const { id, number } = created.json().case;
    const token = created.json().trackingToken as string;
    await act(CENTRE, id, { action: "accept" });
    await act(CENTRE, id, { action: "register" });
    await act(CENTRE, id, { action: "dispatch", to: { userId: ids[WORKER] } });
    await act(WORKER, id, { action: "acknowledge" });
    await act(WORKER, id, { action: "handle", note: "已劝导整改" });
    expect((await attempt(SUPERVISOR, id, { action: "verify_pass", resolved: true })).json().error.code).toBe("invalid_transition_input");
    await act(SUPERVISOR, id, { action: "verify_pass" });

    const rate = (payload: Record<string, unknown>) => t.app.inject({ method: "POST", url: `/api/v1/public/cases/${number}/evaluation`, payload: { token, ...payload } });
    expect((await rate({ satisfaction: "satisfied" })).statusCode).toBe(400);
    expect((await t.app.inject({ method: "POST", url: `/api/v1/public/cases/${number}/evaluation`, payload: { token: "not-the-right-token-x", resolved: true, satisfaction: "satisfied" } })).statusCode).toBe(404);
    const rated = await rate({ resolved: false, satisfaction: "basically_satisfied", comment: "油烟少了但还有" });
    expect(rated.statusCode, rated.body).toBe(200);
    expect(rated.json()).toMatchObject({ status: "evaluated", resolved: false, satisfaction: "basically_satisfied" });
    expect((await rate({ resolved: true, satisfaction: "satisfied" })).statusCode).toBe(409);
    const event = (await read(CENTRE, id)).timeline.find((entry) => entry.action === "evaluate");
    expect(event?.details).toMatchObject({ satisfaction: "basically_satisfied", resolved: false });

    // A staff member recording a phone call may leave it out.
    const called = (await report("seat-01", { description: "噪音扰民电话回访", gridCode: GRID })).json().case.id as string;
    await act(CENTRE, called, { action: "accept" });
    await act(CENTRE, called, { action: "register" });
    await act(CENTRE, called, { action: "dispatch", to: { userId: ids[WORKER] } });
    await act(WORKER, called, { action: "acknowledge" });
    await act(WORKER, called, { action: "handle", note: "已处理" });
    await act(SUPERVISOR, called, { action: "verify_pass" });
    const staffRated = await act("seat-01", called, { action: "evaluate", satisfaction: "satisfied" });
    expect(staffRated.case).toMatchObject({ status: "evaluated", resolved: null });
  });
});

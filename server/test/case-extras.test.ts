import sharp from "sharp";
import { uuidv7 } from "../src/ids.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sweepDeadlines } from "../src/modules/cases/deadline-sweep.ts";
import { takeLease } from "../src/modules/system/scheduler.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

describe("photos, duplicates, merging and the deadline sweep", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of ["gw-530103001001-1", "community-530103001001", "dispatcher-002-1", "supervisor-001"]) cookies[username] = await t.login(username);
  });
  afterAll(() => t.close());

  const upload = (body: Buffer, contentType: string, cookie?: string) =>
    t.app.inject({ method: "POST", url: "/api/v1/attachments", payload: body, headers: { "content-type": contentType, ...(cookie ? { cookie } : {}) } });
  const report = (cookie: string | undefined, body: Record<string, unknown>) =>
    t.app.inject({ method: "POST", url: "/api/v1/cases", payload: body, headers: cookie ? { cookie } : {} });

  it("stores a photo re-encoded without EXIF, links it to the report, and serves it only in scope", async () => {
    const original = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#c33" } })
      .jpeg()
      .withExif({ IFD0: { Make: "SecretCam", Model: "X1" } })
      .toBuffer();
    expect(original.includes("SecretCam")).toBe(true);
    const uploaded = await upload(original, "image/jpeg", cookies["gw-530103001001-1"]);
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const { attachment } = uploaded.json();
    const created = await report(cookies["gw-530103001001-1"], { description: "井盖破损", gridCode: "530103001001001", photoIds: [attachment.id] });
    expect(created.statusCode, created.body).toBe(201);
    const caseId = created.json().case.id;
    const detail = (await t.app.inject({ method: "GET", url: `/api/v1/cases/${caseId}`, headers: { cookie: cookies["community-530103001001"] } })).json();
    expect(detail.photos).toEqual([expect.objectContaining({ id: attachment.id, kind: "before", mime: "image/jpeg" })]);
    const file = await t.app.inject({ method: "GET", url: `/api/v1/cases/${caseId}/attachments/${attachment.id}`, headers: { cookie: cookies["community-530103001001"] } });
    expect(file.statusCode).toBe(200);
    expect(file.headers["content-type"]).toBe("image/jpeg");
    expect(file.rawPayload.includes("SecretCam")).toBe(false);
    expect((await sharp(file.rawPayload).metadata()).exif).toBeUndefined();
    const outside = await t.app.inject({ method: "GET", url: `/api/v1/cases/${caseId}/attachments/${attachment.id}`, headers: { cookie: cookies["dispatcher-002-1"] } });
    expect(outside.statusCode).toBe(404);
    // A photo is used once.
    const reused = await report(cookies["gw-530103001001-1"], { description: "又一个", gridCode: "530103001001001", photoIds: [attachment.id] });
    expect([reused.statusCode, reused.json().error.code]).toEqual([400, "invalid_photo"]);
  });

  it("refuses what is not an image, and a PNG that is really a script", async () => {
    const text = await upload(Buffer.from("hello"), "image/png");
    expect([text.statusCode, text.json().error.code]).toEqual([400, "photo_not_an_image"]);
    const disguised = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from("<script>alert(1)</script>")]);
    const script = await upload(disguised, "image/png");
    expect([script.statusCode, script.json().error.code]).toEqual([400, "photo_unreadable"]);
    const count = await t.ctx.db.selectFrom("attachments").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    expect(count.n).toBe(1);
  });

  it("asks for a photo when the category needs one, except from the hotline", async () => {
    const categories = (await t.app.inject({ method: "GET", url: "/api/v1/categories?class=component" })).json().categories;
    const needsPhoto = categories.find((c: { photoRequired: boolean; parentCode: string | null }) => c.photoRequired && c.parentCode);
    const refused = await report(cookies["gw-530103001001-1"], { description: "设施损坏", gridCode: "530103001001001", categoryCode: needsPhoto.code });
    expect([refused.statusCode, refused.json().error.code]).toEqual([400, "photo_required"]);
  });

  it("offers an open, near, similar case of the same category as a duplicate, and the merged reporter follows the outcome", async () => {
    // Duplicates are offered to staff; a public reporter sees no other case.
    const worker = await t.login("gw-530103001002-1");
    const first = (await report(undefined, { description: "小区门口的井盖不见了，晚上很危险", gridCode: "530103001002001" })).json();
    const second = (await report(worker, { description: "小区大门口井盖没了，晚上很危险", gridCode: "530103001002001" })).json();
    expect(second.duplicates).toEqual([expect.objectContaining({ id: first.case.id, number: first.case.number })]);
    expect(second.duplicates[0].similarity).toBeGreaterThan(0.3);
    const unrelated = (await report(worker, { description: "菜市场门口有人摆摊占道经营", gridCode: "530103001002001" })).json();
    expect(unrelated.duplicates).toEqual([]);

    const centre = await t.login("community-530103001002");
    const current = await t.app.inject({ method: "GET", url: `/api/v1/cases/${second.case.id}`, headers: { cookie: centre } });
    const merged = await t.app.inject({
      method: "POST",
      url: `/api/v1/cases/${second.case.id}/transitions`,
      payload: { action: "merge", into: first.case.id },
      headers: { cookie: centre, "if-match": String(current.headers.etag) },
    });
    expect(merged.statusCode, merged.body).toBe(200);
    const tracked = (await t.app.inject({ method: "GET", url: `/api/v1/public/cases/${second.case.number}?token=${second.trackingToken}` })).json();
    expect(tracked).toMatchObject({ status: "merged", mergedInto: { number: first.case.number, status: "reported" } });
  });

  it("marks overdue cases once with an urge event, under a lease one process holds at a time", async () => {
    const created = (await report(cookies["gw-530103001001-1"], { description: "路灯不亮", gridCode: "530103001001002" })).json().case;
    await t.ctx.db.updateTable("cases").set({ handle_by: new Date(Date.now() - 3_600_000) }).where("id", "=", created.id).execute();
    expect(await takeLease(t.ctx.db, "test-lease", "server-a", 60_000)).toBe(true);
    expect(await takeLease(t.ctx.db, "test-lease", "server-b", 60_000)).toBe(false);
    expect(await takeLease(t.ctx.db, "test-lease", "server-a", 60_000)).toBe(true);
    const [one, two] = await Promise.all([sweepDeadlines(t.ctx), sweepDeadlines(t.ctx)]);
    expect(one.overdue + two.overdue).toBe(1);
    const urges = await t.ctx.db.selectFrom("case_events").select(["action", "details"]).where("case_id", "=", created.id).where("action", "=", "urge").execute();
    expect(urges).toEqual([{ action: "urge", details: expect.objectContaining({ automatic: true, deadline: "overdue" }) }]);
    expect((await sweepDeadlines(t.ctx)).overdue).toBe(0);
  });

  it("answers a transition with the case's timeline, its new event included, and its photos, after-photos too", async () => {
    const photo = async (cookie: string) => {
      const image = await sharp({ create: { width: 40, height: 30, channels: 3, background: "#3a3" } }).jpeg().toBuffer();
      const uploaded = await upload(image, "image/jpeg", cookie);
      expect(uploaded.statusCode, uploaded.body).toBe(201);
      return uploaded.json().attachment.id as string;
    };
    const community = cookies["community-530103001001"];
    const before = await photo(cookies["gw-530103001001-1"]);
    const created = await report(cookies["gw-530103001001-1"], { description: "路灯不亮", gridCode: "530103001001001", photoIds: [before] });
    expect(created.statusCode, created.body).toBe(201);
    let etag = String(created.headers.etag);
    const act = async (body: Record<string, unknown>) => {
      const answer = await t.app.inject({
        method: "POST",
        url: `/api/v1/cases/${created.json().case.id}/transitions`,
        payload: body,
        headers: { cookie: community, "if-match": etag },
      });
      expect(answer.statusCode, answer.body).toBe(200);
      etag = String(answer.headers.etag);
      return answer.json();
    };
    const accepted = await act({ action: "accept", note: "收到" });
    expect(accepted.timeline.map((event: { action: string }) => event.action)).toEqual(["report", "accept"]);
    expect(accepted.timeline[1]).toMatchObject({ from: "reported", to: "accepted", note: "收到", actor: expect.any(String) });
    expect(accepted.photos).toEqual([expect.objectContaining({ id: before, kind: "before" })]);
    await act({ action: "register" });
    await act({ action: "dispatch", to: { divisionCode: "530103001001" } });
    await act({ action: "acknowledge" });
    const after = await photo(community);
    const handled = await act({ action: "handle", note: "已更换灯泡", photoIds: [after] });
    expect(handled.timeline.map((event: { action: string }) => event.action)).toEqual(["report", "accept", "register", "dispatch", "acknowledge", "handle"]);
    expect(handled.timeline[5]).toMatchObject({ note: "已更换灯泡", details: expect.objectContaining({ photos: [after] }) });
    expect(handled.photos.map((p: { id: string; kind: string }) => [p.id, p.kind])).toEqual([
      [before, "before"],
      [after, "after"],
    ]);
    // The answer is the detail a read gives right after.
    const read = await t.app.inject({ method: "GET", url: `/api/v1/cases/${created.json().case.id}`, headers: { cookie: community } });
    expect(handled).toEqual(read.json());
  });

  it("sweeps a case that fell due behind a full batch of cases already marked near due", async () => {
    const created = (await report(cookies["gw-530103001001-1"], { description: "井盖松动", gridCode: "530103001001002" })).json().case;
    const row = await t.ctx.db.selectFrom("cases").selectAll().where("id", "=", created.id).executeTakeFirstOrThrow();
    // More cases than one sweep reads, near due already and due before the new one: nothing to do for them.
    const soon = new Date(Date.now() + 3_600_000);
    const marked = Array.from({ length: 600 }, (_, k) => ({
      ...row,
      assignment: null,
      answers: "{}",
      co_handlers: "[]",
      return_request: null,
      id: uuidv7(),
      number: `${row.number}-${k}`,
      handle_by: soon,
      deadline_state: "near_due" as const,
    }));
    for (let k = 0; k < marked.length; k += 200) await t.ctx.db.insertInto("cases").values(marked.slice(k, k + 200)).execute();
    await t.ctx.db.updateTable("cases").set({ handle_by: new Date(soon.getTime() + 60_000) }).where("id", "=", created.id).execute();
    expect(await sweepDeadlines(t.ctx)).toEqual({ nearDue: 1, overdue: 0 });
    const swept = await t.ctx.db.selectFrom("cases").select("deadline_state").where("id", "=", created.id).executeTakeFirstOrThrow();
    expect(swept.deadline_state).toBe("near_due");
    expect(await sweepDeadlines(t.ctx)).toEqual({ nearDue: 0, overdue: 0 });
  });
});

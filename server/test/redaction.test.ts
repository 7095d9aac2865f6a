import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { publicPhoto } from "../src/modules/attachments/public-photos.service.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

const GRID = "530103001001001";

/** Per-channel variance of a rectangle of an image. */
async function variance(image: Buffer, rect: { left: number; top: number; width: number; height: number }): Promise<number> {
  const data = await sharp(image).extract(rect).raw().toBuffer();
  let sum = 0;
  let squares = 0;
  for (const value of data) {
    sum += value;
    squares += value * value;
  }
  const mean = sum / data.length;
  return squares / data.length - mean * mean;
}

// 400×300 of noise: every area has detail a blur must remove.
const noisyPhoto = () =>
  sharp({ create: { width: 400, height: 300, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 60 } } }).png().toBuffer();
// The inside of the region { x: 0.25, y: 0.2, width: 0.4, height: 0.4 }, less the softened edges.
const INNER = { left: 124, top: 84, width: 112, height: 72 };
const REGION = { x: 0.25, y: 0.2, width: 0.4, height: 0.4 };

describe("photo redaction and public photos", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of ["dispatcher", "gw-530103001001-1", "dispatcher-001-1", "dispatcher-002-1", "supervisor-001", "leader"]) {
      cookies[username] = await t.login(username);
    }
  });
  afterAll(() => t.close());

  /** A case reported with one photo, by a signed-in user or without a session. */
  async function report(cookie?: string) {
    const headers = cookie ? { cookie } : {};
    const uploaded = await t.app.inject({ method: "POST", url: "/api/v1/attachments", payload: await noisyPhoto(), headers: { ...headers, "content-type": "image/png" } });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const photoId: string = uploaded.json().attachment.id;
    const created = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: { description: "路边有人乱停车挡住出口", gridCode: GRID, photoIds: [photoId] }, headers });
    expect(created.statusCode, created.body).toBe(201);
    const body = created.json();
    return { caseId: body.case.id as string, number: body.case.number as string, token: body.trackingToken as string, photoId };
  }

  const track = (number: string, token: string) =>
    t.app.inject({ method: "GET", url: `/api/v1/public/cases/${number}`, headers: { "x-tracking-token": token } });
  const redact = (caseId: string, photoId: string, regions: unknown[], cookie = cookies.dispatcher) =>
    t.app.inject({ method: "PUT", url: `/api/v1/cases/${caseId}/attachments/${photoId}/redaction`, payload: { regions }, headers: { cookie } });
  const audits = (photoId: string) =>
    t.ctx.db.selectFrom("audit_log").select(["action", "details", "actor_id"]).where("target_id", "=", photoId).orderBy("seq").execute();

  it("shows the reporter's own photo on tracking, by a link without the token, privately cached", async () => {
    const { number, token, photoId } = await report();
    const tracked = await track(number, token);
    expect(tracked.statusCode, tracked.body).toBe(200);
    const [photo] = tracked.json().photos;
    expect(photo).toMatchObject({ id: photoId, kind: "before", redacted: false, width: 400, height: 300 });
    expect(photo.url).not.toContain(token);
    const image = await t.app.inject({ method: "GET", url: photo.url });
    expect(image.statusCode).toBe(200);
    expect(image.headers["content-type"]).toBe("image/jpeg");
    expect(image.headers["cache-control"]).toMatch(/^private, max-age=\d+$/);
    // The query string still works; no token at all is a 400 with its code.
    expect((await t.app.inject({ method: "GET", url: `/api/v1/public/cases/${number}?token=${token}` })).json().photos).toHaveLength(1);
    const missing = await t.app.inject({ method: "GET", url: `/api/v1/public/cases/${number}` });
    expect([missing.statusCode, missing.json().error.code]).toEqual([400, "tracking_token_required"]);
    // A link with another signature, or for another photo, opens nothing.
    const forged = photo.url.replace(/signature=./, (s: string) => s.slice(0, -1) + (s.endsWith("A") ? "B" : "A"));
    expect((await t.app.inject({ method: "GET", url: forged })).json().error.code).toBe("photo_not_found");
  });

  it("blurs the region for the public while staff keep the original, audits each change, and replaces and removes", async () => {
    const { caseId, number, token, photoId } = await report();
    const original = (await t.app.inject({ method: "GET", url: `/api/v1/cases/${caseId}/attachments/${photoId}`, headers: { cookie: cookies.dispatcher } })).rawPayload;
    const before = (await track(number, token)).json().photos[0];

    const saved = await redact(caseId, photoId, [REGION]);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toEqual({ regions: [REGION], redacted: true });

    const tracked = (await track(number, token)).json().photos[0];
    expect(tracked.redacted).toBe(true);
    // The link made before the change no longer opens anything.
    expect((await t.app.inject({ method: "GET", url: before.url })).statusCode).toBe(404);
    const shown = (await t.app.inject({ method: "GET", url: tracked.url })).rawPayload;
    expect(await variance(shown, INNER)).toBeLessThan((await variance(original, INNER)) / 20);
    const outside = { left: 300, top: 200, width: 80, height: 80 };
    expect(await variance(shown, outside)).toBeGreaterThan((await variance(original, outside)) * 0.8);
    expect((await sharp(shown).metadata()).exif).toBeUndefined();

    // Staff: the original whole through the usual download, the blurred copy beside it, the redaction on the case.
    const staffOriginal = await t.app.inject({ method: "GET", url: `/api/v1/cases/${caseId}/attachments/${photoId}`, headers: { cookie: cookies.dispatcher } });
    expect(staffOriginal.rawPayload.equals(original)).toBe(true);
    const staffRedacted = await t.app.inject({ method: "GET", url: `/api/v1/cases/${caseId}/attachments/${photoId}/redacted`, headers: { cookie: cookies.dispatcher } });
    expect(staffRedacted.rawPayload.equals(shown)).toBe(true);
    const detail = (await t.app.inject({ method: "GET", url: `/api/v1/cases/${caseId}`, headers: { cookie: cookies.dispatcher } })).json();
    expect(detail.canRedactPhotos).toBe(true);
    expect(detail.photos[0]).toMatchObject({ id: photoId, public: true, redaction: { regions: [REGION], redacted: true } });

    const firstKey = await t.ctx.db.selectFrom("attachment_redactions").select("storage_key").where("attachment_id", "=", photoId).executeTakeFirstOrThrow();
    const replaced = await redact(caseId, photoId, [REGION, { x: 0, y: 0, width: 0.1, height: 0.1 }], cookies["supervisor-001"]);
    expect(replaced.statusCode, replaced.body).toBe(200);
    // The replaced copy's file is gone.
    await expect(t.ctx.attachments.get(firstKey.storage_key ?? "")).rejects.toMatchObject({ code: "attachment_not_found" });

    const removed = await t.app.inject({ method: "DELETE", url: `/api/v1/cases/${caseId}/attachments/${photoId}/redaction`, headers: { cookie: cookies.dispatcher } });
    expect(removed.statusCode).toBe(204);
    const again = await t.app.inject({ method: "DELETE", url: `/api/v1/cases/${caseId}/attachments/${photoId}/redaction`, headers: { cookie: cookies.dispatcher } });
    expect(again.statusCode).toBe(204);
    expect(await t.ctx.db.selectFrom("attachment_redactions").select("id").where("attachment_id", "=", photoId).execute()).toEqual([]);
    // The reporter's own photo is public again as it was sent.
    const plain = (await track(number, token)).json().photos[0];
    expect(plain.redacted).toBe(false);
    expect((await t.app.inject({ method: "GET", url: plain.url })).rawPayload.equals(original)).toBe(true);

    // Who, which photo, how many regions: nothing of the pixels; a removal of nothing is not recorded.
    const entries = await audits(photoId);
    expect(entries.map((entry) => [entry.action, entry.details])).toEqual([
      ["attachment.redact", { caseId, regions: 1, replaced: false }],
      ["attachment.redact", { caseId, regions: 2, replaced: true }],
      ["attachment.redaction_remove", { caseId, regions: 2 }],
    ]);
    expect(entries[0].actor_id).not.toBe(entries[1].actor_id);
  });

  it("keeps a photo staff took from the public until it is reviewed; no regions publishes it as it is", async () => {
    const { caseId, number, token, photoId } = await report(cookies["gw-530103001001-1"]);
    expect((await track(number, token)).json().photos).toEqual([]);
    const detail = (await t.app.inject({ method: "GET", url: `/api/v1/cases/${caseId}`, headers: { cookie: cookies.dispatcher } })).json();
    expect(detail.photos[0]).toMatchObject({ public: false, redaction: null });

    const reviewed = await redact(caseId, photoId, []);
    expect(reviewed.json()).toEqual({ regions: [], redacted: false });
    const [photo] = (await track(number, token)).json().photos;
    expect(photo).toMatchObject({ id: photoId, redacted: false });
    expect((await t.app.inject({ method: "GET", url: photo.url })).statusCode).toBe(200);
    expect((await t.app.inject({ method: "GET", url: `/api/v1/cases/${caseId}/attachments/${photoId}/redacted`, headers: { cookie: cookies.dispatcher } })).json().error.code).toBe(
      "redaction_not_found",
    );
  });

  it("lets only those covering the case redact, refuses regions outside the photo, and writes nothing then", async () => {
    const { caseId, photoId } = await report();
    const worker = await redact(caseId, photoId, [REGION], cookies["gw-530103001001-1"]);
    expect([worker.statusCode, worker.json().error.code]).toEqual([403, "redaction_not_allowed"]);
    const leader = await redact(caseId, photoId, [REGION], cookies.leader);
    expect([leader.statusCode, leader.json().error.code]).toEqual([403, "redaction_not_allowed"]);
    const otherStreet = await redact(caseId, photoId, [REGION], cookies["dispatcher-002-1"]);
    expect([otherStreet.statusCode, otherStreet.json().error.code]).toEqual([404, "attachment_not_found"]);
    expect((await redact(caseId, photoId, [REGION], cookies["dispatcher-001-1"])).statusCode).toBe(200);

    const outside = await redact(caseId, photoId, [REGION, { x: 0.8, y: 0, width: 0.5, height: 0.1 }]);
    expect([outside.statusCode, outside.json().error.code, outside.json().error.details]).toEqual([400, "invalid_region", { index: 1 }]);
    const negative = await redact(caseId, photoId, [{ x: -0.1, y: 0, width: 0.5, height: 0.1 }]);
    expect(negative.statusCode).toBe(400);
    const unknown = await redact(caseId, "0190b2f4-0000-7000-8000-0000000000aa", [REGION]);
    expect(unknown.statusCode).toBe(404);
    expect((await audits(photoId)).map((entry) => entry.action)).toEqual(["attachment.redact"]);
  });

  it("refuses an expired link", async () => {
    const { number, token } = await report();
    const [photo] = (await track(number, token)).json().photos;
    const url = new URL(photo.url, "http://localhost");
    const [attachmentId, expires, signature] = [url.pathname.split("/").pop() ?? "", Number(url.searchParams.get("expires")), url.searchParams.get("signature") ?? ""];
    await expect(publicPhoto(t.ctx, attachmentId, expires, signature)).resolves.toMatchObject({ mime: "image/jpeg" });
    await expect(publicPhoto(t.ctx, attachmentId, expires, signature, new Date(expires * 1000 + 1000))).rejects.toMatchObject({ code: "photo_not_found" });
  });
});

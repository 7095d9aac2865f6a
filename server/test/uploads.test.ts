import fs from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { photoDecodes, purgeUnattachedUploads } from "../src/modules/attachments/attachments.service.ts";
import { loadConfig } from "../src/config.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

describe("photo uploads", () => {
  let t: TestApp;
  let worker: string;
  let point: { lat: number; lng: number };
  beforeAll(async () => {
    t = await createTestApp("demo");
    worker = await t.login("gw-530103001001-1");
    const admin = await t.login("admin");
    const grids = (await t.app.inject({ method: "GET", url: "/api/v1/grids?division=530103001001", headers: { cookie: admin } })).json();
    const grid = t.ctx.grids.interiorPoint(grids.features[0].properties.code);
    if (!grid) throw new Error("no grid");
    point = { lng: grid[0], lat: grid[1] };
  });
  afterAll(() => t.close());

  const upload = (payload: Buffer, cookie?: string) =>
    t.app.inject({ method: "POST", url: "/api/v1/attachments", payload, headers: { "content-type": "image/png", ...(cookie ? { cookie } : {}) } });
  const smallPhoto = (colour: string) => sharp({ create: { width: 64, height: 48, channels: 3, background: colour } }).png().toBuffer();
  const uploadCount = async () => (await t.ctx.db.selectFrom("attachments").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n;

  it("refuses a 16-bit PNG under the pixel cap by its decoded size, from its header, with 413", async () => {
    // 7000×7000 is 49 MP, under the 50 MP cap; at 16 bits per channel it decodes to 294 MB. Uniform, it is small on disk.
    const deep = await sharp({ create: { width: 7000, height: 7000, channels: 3, background: "#406080" } }).toColourspace("rgb16").png().toBuffer();
    expect(deep.length).toBeLessThan(2 * 1024 * 1024);
    expect(await sharp(deep).metadata()).toMatchObject({ width: 7000, height: 7000, depth: "ushort", channels: 3 });
    // 8-bit RGBA at 7000×7000 needs 196 MB: refused too.
    const alpha = await sharp({ create: { width: 7000, height: 7000, channels: 4, background: { r: 1, g: 2, b: 3, alpha: 0.5 } } }).png().toBuffer();
    const before = await uploadCount();
    for (const image of [deep, alpha]) {
      const answer = await upload(image);
      expect(answer.statusCode, answer.body).toBe(413);
      expect(answer.json().error.code).toBe("photo_decoded_too_large");
    }
    expect(await uploadCount()).toBe(before);
  });

  it("decodes in a bounded queue: when it is full an upload gets 503 busy with Retry-After, and header refusals never wait", async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const holders = Array.from({ length: photoDecodes.slots + photoDecodes.maxWaiting }, () => photoDecodes.run(() => held));
    try {
      expect(photoDecodes.load).toEqual({ running: photoDecodes.slots, waiting: photoDecodes.maxWaiting });
      const refused = await upload(await smallPhoto("#224466"), worker);
      expect(refused.statusCode, refused.body).toBe(503);
      expect(refused.json().error.code).toBe("busy");
      expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      // Refused from its header alone, without a turn in the queue.
      const deep = await sharp({ create: { width: 6000, height: 6000, channels: 3, background: "#000000" } }).toColourspace("rgb16").png().toBuffer();
      expect((await upload(deep, worker)).json().error.code).toBe("photo_decoded_too_large");
    } finally {
      release();
      await Promise.all(holders);
    }
    expect((await upload(await smallPhoto("#224466"), worker)).statusCode).toBe(201);
  });

  it("purges uploads never attached to a case after UNATTACHED_UPLOAD_HOURS, row and file, once however many processes run it", async () => {
    const ids: string[] = [];
    for (const colour of ["#112233", "#445566", "#778899"]) {
      const answer = await upload(await smallPhoto(colour), worker);
      expect(answer.statusCode, answer.body).toBe(201);
      ids.push(answer.json().attachment.id);
    }
    const [attached, abandoned, recent] = ids;
    const reported = await t.app.inject({
      method: "POST",
      url: "/api/v1/cases",
      payload: { description: "路面塌陷有个大坑", location: point, photoIds: [attached] },
      headers: { cookie: worker },
    });
    expect(reported.statusCode, reported.body).toBe(201);
    const keys = new Map(
      (await t.ctx.db.selectFrom("attachments").select(["id", "storage_key"]).where("id", "in", ids).execute()).map((row) => [row.id, row.storage_key]),
    );
    const file = (id: string) => path.join(t.ctx.config.attachmentsDir, ...String(keys.get(id)).split("/"));
    for (const id of ids) expect(fs.existsSync(file(id)), id).toBe(true);

    // Three days and an hour old: the attached one and the abandoned one; the third is new.
    expect(t.ctx.config.unattachedUploadHours).toBe(72);
    await t.ctx.db
      .updateTable("attachments")
      .set({ created_at: sql<Date>`now() - interval '73 hours'` })
      .where("id", "in", [attached, abandoned])
      .execute();

    // Two servers purging at the same moment delete it once between them.
    const purged = await Promise.all([purgeUnattachedUploads(t.ctx), purgeUnattachedUploads(t.ctx)]);
    expect(purged[0] + purged[1]).toBe(1);
    const left = (await t.ctx.db.selectFrom("attachments").select("id").where("id", "in", ids).execute()).map((row) => row.id).sort();
    expect(left).toEqual([attached, recent].sort());
    expect(fs.existsSync(file(abandoned))).toBe(false);
    expect(fs.existsSync(file(attached))).toBe(true);
    expect(fs.existsSync(file(recent))).toBe(true);
    expect(await purgeUnattachedUploads(t.ctx)).toBe(0);
    const audited = await t.ctx.db.selectFrom("audit_log").select(["details", "actor_id"]).where("action", "=", "attachment.purge_unattached").execute();
    expect(audited).toEqual([{ actor_id: null, details: { ids: [abandoned], unattachedHours: 72 } }]);

    // A shorter setting, two hours on, takes the new one too (and any other unattached upload).
    expect(await purgeUnattachedUploads({ ...t.ctx, config: { ...t.ctx.config, unattachedUploadHours: 1 } }, new Date(Date.now() + 2 * 3_600_000))).toBeGreaterThanOrEqual(1);
    expect(fs.existsSync(file(recent))).toBe(false);
    expect(fs.existsSync(file(attached))).toBe(true);
    expect(await t.ctx.db.selectFrom("attachments").select("id").where("case_id", "is", null).execute()).toEqual([]);
  });

  it("reads UNATTACHED_UPLOAD_HOURS from the environment and refuses a bad value", () => {
    expect(loadConfig({}).unattachedUploadHours).toBe(72);
    expect(loadConfig({ UNATTACHED_UPLOAD_HOURS: "24" }).unattachedUploadHours).toBe(24);
    for (const bad of ["0", "-1", "1.5", "abc", "9000"]) expect(() => loadConfig({ UNATTACHED_UPLOAD_HOURS: bad }), bad).toThrow(/UNATTACHED_UPLOAD_HOURS/);
  });
});

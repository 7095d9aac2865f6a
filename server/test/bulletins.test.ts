import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BulletinData } from "../src/modules/evaluation/bulletin-data.ts";
import { AppError } from "../src/errors.ts";
import { generateBulletin, lastEndedPeriod, type BulletinSummary } from "../src/modules/evaluation/bulletins.service.ts";
import { insertGroup } from "./case-sets.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

describe("bulletins", () => {
  let t: TestApp;
  let leader: string;

  beforeAll(async () => {
    t = await createTestApp("demo");
    leader = await t.login("leader");
    const due = { created: "2025-03-03", registered: "2025-03-03", dispatched: "2025-03-03", deadline: "2025-03-12" };
    await insertGroup(t.ctx.db, { ...due, count: 8, handled: "2025-03-05", closed: "2025-03-06", status: "closed" });
    await insertGroup(t.ctx.db, { ...due, count: 2, status: "in_progress" });
    const finder = await t.ctx.db.selectFrom("users").select("id").where("username", "=", "gw-530103001001-1").executeTakeFirstOrThrow();
    await insertGroup(t.ctx.db, { ...due, count: 3, handled: "2025-03-05", closed: "2025-03-06", status: "closed", reporterUserId: finder.id });
  });
  afterAll(() => t.close());

  /** Publishes as the scheduler and the command do, answering the summary or the refusal's code. */
  type Published = { statusCode: number; json: () => Partial<BulletinSummary> & { error?: { code: string } } };
  const publish = (period: string): Promise<Published> =>
    generateBulletin(t.ctx, "530103", period, null).then(
      (summary) => ({ statusCode: 201, json: () => summary }),
      (error: AppError) => ({ statusCode: error.statusCode, json: () => ({ error: { code: error.code } }) }),
    );

  it("publishes a period once, as a workbook and a PDF that read back the figures", async () => {
    const published = await publish("2025-03-H1");
    expect(published.statusCode).toBe(201);
    expect(published.json()).toMatchObject({ period: { code: "2025-03-H1", from: "2025-03-01", to: "2025-03-15" }, corrections: 0 });
    expect((await publish("2025-03-H1")).json().error?.code).toBe("bulletin_published");

    const listed = await t.app.inject({ method: "GET", url: "/api/v1/bulletins", headers: { cookie: leader } });
    expect(listed.json().bulletins).toEqual([expect.objectContaining({ period: expect.objectContaining({ code: "2025-03-H1" }), files: { xlsx: expect.any(Number), pdf: expect.any(Number) } })]);

    const xlsx = await t.app.inject({ method: "GET", url: "/api/v1/bulletins/2025-03-H1/files/xlsx", headers: { cookie: leader } });
    expect(xlsx.headers["content-type"]).toContain("spreadsheetml");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const summary = workbook.worksheets[0];
    const cells = summary.getSheetValues().flat().filter((value) => value !== undefined && value !== null).map(String);
    // 13 due, 11 closed on time.
    expect(cells).toEqual(expect.arrayContaining(["13", "11", String(11 / 13)]));
    expect(workbook.worksheets.length).toBeGreaterThanOrEqual(5);

    const pdf = await t.app.inject({ method: "GET", url: "/api/v1/bulletins/2025-03-H1/files/pdf", headers: { cookie: leader } });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bulletin-")), "b.pdf");
    fs.writeFileSync(file, pdf.rawPayload);
    const text = execFileSync("pdftotext", ["-layout", file, "-"]).toString();
    expect(text).toContain("盘龙区");
    expect(text).toContain("84.62%");
    // Grid workers are shown by what is counted per finder: reports and cases handled on the spot.
    const stored = await t.ctx.db.selectFrom("bulletins").select("data").where("period_code", "=", "2025-03-H1").executeTakeFirstOrThrow();
    const workers = (stored.data as unknown as BulletinData).levels.find((level) => level.kind === "grid_worker");
    expect(workers?.rows[0].figures).toEqual({ accepted: 3, onSpot: 0 });
    expect(workers?.rows.every((row) => Object.keys(row.figures).sort().join() === "accepted,onSpot")).toBe(true);
    expect(text).toContain("就地处置数");
    const street = await t.ctx.db.selectFrom("divisions").select("name").where("code", "=", "530103001").executeTakeFirstOrThrow();
    expect(text).toContain(street.name);
  });

  it("lists later changes to a published period as corrections in the next bulletin, once", async () => {
    // One of the open cases turns out to repeat another and is merged away after the period was
    // published: it was never due.
    await sql`update cases set status = 'merged' where id = (select id from cases where status = 'in_progress' and handle_by < '2025-03-13' limit 1)`.execute(t.ctx.db);
    expect((await publish("2025-03-H2")).json().corrections).toBeGreaterThan(0);
    const row = await t.ctx.db.selectFrom("bulletins").select("data").where("period_code", "=", "2025-03-H2").executeTakeFirstOrThrow();
    const { corrections } = row.data as unknown as BulletinData;
    expect(corrections).toEqual(
      expect.arrayContaining([expect.objectContaining({ period: expect.objectContaining({ code: "2025-03-H1" }), kind: "region", indicator: "dueToClose", published: 13, now: 12 })]),
    );
    // The frozen bulletin keeps its figures.
    const first = await t.ctx.db.selectFrom("bulletins").select("data").where("period_code", "=", "2025-03-H1").executeTakeFirstOrThrow();
    expect((first.data as unknown as BulletinData).totals.dueToClose).toBe(13);
    // Already corrected: not listed again.
    expect((await publish("2025-04-H1")).json().corrections).toBe(0);
  });

  it("refuses a period not ended, shows a region's bulletins to its staff only, and names the period that ended last", async () => {
    expect((await publish("2099-01")).json().error?.code).toBe("period_not_ended");
    const handler = await t.app.inject({ method: "GET", url: "/api/v1/bulletins", headers: { cookie: await t.login("handler-cgj-1") } });
    expect(handler.statusCode).toBe(403);
    const missing = await t.app.inject({ method: "GET", url: "/api/v1/bulletins/2025-02/files/pdf", headers: { cookie: leader } });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, "bulletin_not_found"]);
    expect(lastEndedPeriod("2026-12-16", "half_month")).toBe("2026-12-H1");
    expect(lastEndedPeriod("2026-12-15", "half_month")).toBe("2026-11-H2");
    expect(lastEndedPeriod("2026-12-01", "half_month")).toBe("2026-11-H2");
    expect(lastEndedPeriod("2026-12-01", "month")).toBe("2026-11");
    expect(lastEndedPeriod("2026-12-31", "month")).toBe("2026-11");
  });
});

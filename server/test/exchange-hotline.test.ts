import zlib from "node:zlib";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rebuildRollups } from "../src/modules/evaluation/rollups.repository.ts";
import { readTable } from "../src/modules/exchange/table-reader.ts";
import { writeCsv, writeXlsx, type TableValue } from "../src/modules/exchange/table-writer.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const STREET_LIGHT = "component.public_facility.street_light";
const HEADERS = ["工单编号", "受理时间", "诉求内容", "问题地址", "问题类别", "来电人", "来电号码", "经度", "纬度", "办结时限"];
const MAPPING = {
  name: "市12345平台",
  sourceName: "kunming12345",
  columns: {
    externalRef: "工单编号",
    reportedAt: "受理时间",
    description: "诉求内容",
    address: "问题地址",
    category: "问题类别",
    callerName: "来电人",
    callerPhone: "来电号码",
    lng: "经度",
    lat: "纬度",
    deadline: "办结时限",
    status: "处理状态",
  },
  categoryValues: { 城市管理类_路灯: STREET_LIGHT },
};

describe("12345 exchange: mappings, imports and exports", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  let mappingId: string;
  let gridName: string;
  let otherStreetGridName: string;
  let point: [number, number];

  const as = (who: string, method: "GET" | "POST" | "PUT" | "DELETE", url: string, extra: { payload?: object | Buffer | string; headers?: Record<string, string> } = {}) =>
    t.app.inject({ method, url, headers: { cookie: cookies[who], ...extra.headers }, ...(extra.payload !== undefined ? { payload: extra.payload } : {}) });
  const upload = (who: string, file: Buffer | string, query: string, type = "text/csv") =>
    as(who, "POST", `/api/v1/exchange/hotline-imports?mapping=${mappingId}${query}`, { payload: Buffer.from(file), headers: { "content-type": type } });
  const counts = async () => ({
    cases: Number((await t.ctx.db.selectFrom("cases").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n),
    events: Number((await t.ctx.db.selectFrom("case_events").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n),
  });

  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const who of ["dispatcher", "dispatcher-001-1", "handler-cgj-1", "admin"]) cookies[who] = await t.login(who);
    const grids = await t.ctx.db.selectFrom("grids").select(["code", "name"]).where("code", "in", ["530103001001001", "530103002001001"]).orderBy("code").execute();
    gridName = grids[0].name;
    otherStreetGridName = grids[1].name;
    point = t.ctx.grids.interiorPoint("530103001001002") as [number, number];
    const created = await as("dispatcher", "POST", "/api/v1/exchange/hotline-mappings", { payload: MAPPING });
    expect(created.statusCode, created.body).toBe(201);
    mappingId = created.json().mapping.id;
  });
  afterAll(() => t.close());

  const row = (ref: string, overrides: Partial<Record<(typeof HEADERS)[number], string>> = {}): string[] => {
    const values: Record<string, string> = {
      工单编号: ref,
      受理时间: "2026-12-01 09:30",
      诉求内容: `路灯不亮已经三天了，晚上很黑 ${ref}`,
      问题地址: `盘龙区${gridName}附近`,
      问题类别: "城市管理类_路灯",
      来电人: "张三",
      来电号码: "13800001234",
      经度: "",
      纬度: "",
      办结时限: "",
      ...overrides,
    };
    return HEADERS.map((header) => values[header]);
  };
  const csv = (rows: string[][]) => writeCsv(HEADERS, rows);

  it("saves, lists, edits (If-Match) and refuses unusable mappings", async () => {
    const listed = await as("dispatcher", "GET", "/api/v1/exchange/hotline-mappings");
    expect(listed.json().mappings).toEqual([expect.objectContaining({ id: mappingId, name: "市12345平台", sourceName: "kunming12345", crs: "wgs84", version: 1 })]);
    expect((await as("dispatcher", "POST", "/api/v1/exchange/hotline-mappings", { payload: MAPPING })).json().error.code).toBe("mapping_name_taken");
    const noPlace = await as("dispatcher", "POST", "/api/v1/exchange/hotline-mappings", {
      payload: { name: "缺位置", sourceName: "x", columns: { externalRef: "编号", description: "内容" } },
    });
    expect(noPlace.statusCode).toBe(422);
    expect(noPlace.json().error.code).toBe("invalid_mapping");
    const unknown = await as("dispatcher", "POST", "/api/v1/exchange/hotline-mappings", {
      payload: { ...MAPPING, name: "错类别", categoryValues: { 路灯: "no.such.category" } },
    });
    expect(unknown.json().error.code).toBe("unknown_category");
    const stale = await as("dispatcher", "PUT", `/api/v1/exchange/hotline-mappings/${mappingId}`, { payload: MAPPING, headers: { "if-match": '"7"' } });
    expect(stale.statusCode).toBe(412);
    const edited = await as("dispatcher", "PUT", `/api/v1/exchange/hotline-mappings/${mappingId}`, { payload: MAPPING, headers: { "if-match": '"1"' } });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json().mapping.version).toBe(2);
    expect((await as("handler-cgj-1", "GET", "/api/v1/exchange/hotline-mappings")).statusCode).toBe(403);
    const audited = await t.ctx.db.selectFrom("audit_log").select("action").where("target_id", "=", mappingId).execute();
    expect(audited.map((entry) => entry.action).sort()).toEqual(["exchange.mapping_create", "exchange.mapping_update"]);
  });

  it("previews and refuses a file with bad rows, reporting each one (row, column, reason) and writing nothing", async () => {
    const before = await counts();
    const file = csv([
      row("BAD-1"),
      row("", { 诉求内容: "有内容的诉求" }),
      row("BAD-3", { 受理时间: "昨天下午" }),
      row("BAD-1"),
      row("BAD-5", { 问题类别: "不认识的类别" }),
      row("BAD-6", { 问题地址: "火星某地" }),
      row("BAD-7", { 问题地址: "", 经度: "10", 纬度: "10" }),
      row("BAD-8", { 来电号码: "电话号码" }),
    ]);
    const preview = await upload("dispatcher", file, "&preview=true");
    expect(preview.statusCode, preview.body).toBe(200);
    const body = preview.json();
    expect(body).toMatchObject({ rows: 8, good: 1, bad: 7, new: 1, existing: 0, preview: true, imported: 0 });
    expect(body.problems).toEqual([
      { row: 3, column: "工单编号", reason: "工单编号为空" },
      { row: 4, column: "受理时间", reason: expect.stringContaining("受理时间「昨天下午」无法识别") },
      { row: 5, column: "工单编号", reason: "工单编号与第2行重复" },
      { row: 6, column: "问题类别", reason: expect.stringContaining("类别「不认识的类别」未对应") },
      { row: 7, column: "问题地址", reason: expect.stringContaining("找不到对应的网格") },
      { row: 8, column: "经度", reason: "位置不在本区任何网格内" },
      { row: 9, column: "来电号码", reason: expect.stringContaining("格式不对") },
    ]);
    expect(body.rowsShown).toEqual([
      expect.objectContaining({ row: 2, externalRef: "BAD-1", category: { code: STREET_LIGHT, name: "路灯" }, callerName: "张*", callerPhone: "138****1234", gridCode: "530103001001001", exists: false }),
    ]);
    const refused = await upload("dispatcher", file, "");
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({ code: "invalid_rows", details: { bad: 7, problems: body.problems } });
    expect(await counts()).toEqual(before);
  });

  it("imports the good rows only when asked, and reports the bad", async () => {
    const before = await counts();
    const imported = await upload("dispatcher", csv([row("GOOD-1"), row("GOOD-2", { 受理时间: "2026/13/01" })]), "&goodRowsOnly=true");
    expect(imported.statusCode, imported.body).toBe(201);
    expect(imported.json()).toMatchObject({ rows: 2, good: 1, bad: 1, new: 1, imported: 1, problems: [{ row: 3, column: "受理时间" }] });
    expect((await counts()).cases).toBe(before.cases + 1);
  });

  it("imports a workbook as hotline cases through intake, once however often it is sent", async () => {
    const [lng, lat] = point;
    const rows: TableValue[][] = [
      row("WB-1"),
      row("WB-2", { 问题地址: "", 经度: String(lng), 纬度: String(lat), 办结时限: "2027-01-31 18:00", 来电人: "", 来电号码: "" }),
      row("WB-3", { 问题类别: STREET_LIGHT, 问题地址: `${gridName}` }),
    ];
    const file = await writeXlsx("工单", HEADERS, rows);
    const before = await counts();
    const first = await upload("dispatcher", file, "", XLSX);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ rows: 3, good: 3, bad: 0, new: 3, existing: 0, imported: 3 });
    const again = await upload("dispatcher", file, "", XLSX);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toMatchObject({ rows: 3, new: 0, existing: 3, imported: 0 });
    const after = await counts();
    expect(after).toEqual({ cases: before.cases + 3, events: before.events + 3 });

    const cases = await t.ctx.db.selectFrom("cases").selectAll().where("external_source", "=", "kunming12345").where("external_ref", "like", "WB-%").orderBy("external_ref").execute();
    expect(cases.map((c) => [c.external_ref, c.source, c.status, c.category_code, c.grid_code])).toEqual([
      ["WB-1", "hotline", "reported", STREET_LIGHT, "530103001001001"],
      ["WB-2", "hotline", "reported", STREET_LIGHT, "530103001001002"],
      ["WB-3", "hotline", "reported", STREET_LIGHT, "530103001001001"],
    ]);
    expect(cases[0]).toMatchObject({ reporter_name: "张三", reporter_phone: "13800001234", department_code: "cgj" });
    expect(cases[0].external_reported_at?.toISOString()).toBe("2026-12-01T01:30:00.000Z");
    expect(cases[1].handle_by.toISOString()).toBe("2027-01-31T10:00:00.000Z");
    // The batch's events reach the event log once each, in one run of positions, as the trigger writes them.
    const logged = await t.ctx.db
      .selectFrom("case_event_log")
      .select(["position", "case_id", "number", "action", "status", "grid_code", "department_code"])
      .where("case_id", "in", cases.map((c) => c.id))
      .orderBy("position")
      .execute();
    expect(logged.map((entry) => entry.action)).toEqual(["report", "report", "report"]);
    expect(new Set(logged.map((entry) => entry.case_id))).toEqual(new Set(cases.map((c) => c.id)));
    expect(Number(logged[2].position) - Number(logged[0].position)).toBe(2);
    expect(logged.find((entry) => entry.case_id === cases[0].id)).toMatchObject({ number: cases[0].number, status: "reported", grid_code: "530103001001001", department_code: "cgj" });
    const listed = await as("dispatcher", "GET", `/api/v1/cases/${cases[0].id}`);
    expect(listed.json().case.reporter.phone).toBe("138****1234");
    expect(listed.json().timeline[0]).toMatchObject({ action: "report", details: expect.objectContaining({ externalRef: "WB-1", source: "hotline" }) });
    const audited = await t.ctx.db.selectFrom("audit_log").select("details").where("action", "=", "exchange.hotline_import").orderBy("seq").execute();
    expect(audited.at(-2)?.details).toMatchObject({ imported: 3, existing: 0 });
    expect(audited.at(-1)?.details).toMatchObject({ imported: 0, existing: 3 });
  });

  it("reads CSV in GB18030 as Excel on a Chinese Windows writes it", async () => {
    const text = csv([row("GBK-1")]).slice(1);
    const answer = await upload("dispatcher", gb18030(text), "&preview=true");
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json().rowsShown[0]).toMatchObject({ externalRef: "GBK-1", description: expect.stringContaining("路灯不亮") });
  });

  it("imports only inside the caller's scope: a street's dispatcher cannot import another street's orders", async () => {
    const before = await counts();
    const answer = await upload("dispatcher-001-1", csv([row("SC-1"), row("SC-2", { 问题地址: otherStreetGridName })]), "");
    expect(answer.statusCode).toBe(422);
    expect(answer.json().error.details.problems).toEqual([{ row: 3, column: "问题地址", reason: "位置不在您的管辖范围内" }]);
    expect(await counts()).toEqual(before);
  });

  it("refuses a zip bomb and an oversized file with clear codes", async () => {
    const bomb = zipBomb();
    const answer = await upload("dispatcher", bomb, "", XLSX);
    expect(answer.statusCode).toBe(422);
    expect(answer.json().error.code).toBe("zip_bomb");
    const huge = await upload("dispatcher", Buffer.alloc(20 * 1024 * 1024 + 1, 0x41), "");
    expect(huge.statusCode).toBe(413);
    expect(huge.json().error.code).toBe("body_too_large");
    const xls = await upload("dispatcher", Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1]), "", "application/vnd.ms-excel");
    expect(xls.json().error.code).toBe("unsupported_table_format");
    const missing = await upload("dispatcher", writeCsv(["编号"], [["1"]]), "");
    expect(missing.json().error).toMatchObject({ code: "columns_missing" });
  });

  it("exports the results in the mapping's columns, and the export reads back to the imported orders", async () => {
    const handled = await t.ctx.db.selectFrom("cases").select(["id", "number"]).where("external_ref", "=", "WB-1").executeTakeFirstOrThrow();
    await t.ctx.db.updateTable("cases").set({ status: "closed", closed_at: new Date("2026-12-03T08:00:00Z"), satisfaction: "satisfied" }).where("id", "=", handled.id).execute();
    const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const answer = await as("dispatcher", "GET", `/api/v1/exchange/hotline-exports?mapping=${mappingId}&from=${day}&to=${day}`);
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.headers["content-type"]).toContain(XLSX);
    const table = await readTable(answer.rawPayload);
    expect(table.headers).toEqual(["工单编号", "处理状态", "承办单位", "办理结果", "办结时间", "满意度"]);
    const byRef = new Map(table.rows.map((r) => [r.cells[0], r.cells]));
    expect([...byRef.keys()].sort()).toEqual(["GOOD-1", "WB-1", "WB-2", "WB-3"]);
    expect(byRef.get("WB-1")).toEqual(["WB-1", "已办结", expect.any(String), "", "2026-12-03 16:00:00", "满意"]);
    expect(byRef.get("WB-2")?.[1]).toBe("已受理");

    const csvAnswer = await as("dispatcher", "GET", `/api/v1/exchange/hotline-exports?mapping=${mappingId}&from=${day}&to=${day}&format=csv`);
    expect(csvAnswer.body.startsWith("\uFEFF工单编号,处理状态")).toBe(true);
    // A street's dispatcher gets their street's orders only.
    const street = await as("dispatcher-001-1", "GET", `/api/v1/exchange/hotline-exports?mapping=${mappingId}&from=${day}&to=${day}&format=csv`);
    expect(street.body.trim().split("\r\n")).toHaveLength(5);
  });

  it("exports the case list as a workbook with the CSV export's columns and rows, phones masked", async () => {
    const query = "q=%E8%B7%AF%E7%81%AF&source=hotline";
    const workbook = await as("dispatcher", "GET", `/api/v1/exchange/exports/cases.xlsx?${query}`);
    expect(workbook.statusCode, workbook.body).toBe(200);
    expect(workbook.headers["content-type"]).toContain(XLSX);
    const table = await readTable(workbook.rawPayload);
    const csvTable = await readTable((await as("dispatcher", "GET", `/api/v1/cases/export?${query}`)).rawPayload);
    expect(table.headers).toEqual(csvTable.headers);
    expect(table.rows.length).toBeGreaterThanOrEqual(4);
    expect(table.rows.map((r) => r.cells[0]).sort()).toEqual(csvTable.rows.map((r) => r.cells[0]).sort());
    const phones = table.rows.map((r) => r.cells[table.headers.indexOf("reporter_phone")]).filter(Boolean);
    expect(phones.length).toBeGreaterThan(0);
    for (const phone of phones) expect(phone).toMatch(/^138\*{4}\d{4}$/);
    expect((await as("handler-cgj-1", "GET", `/api/v1/exchange/exports/cases.xlsx?${query}`)).statusCode).toBe(403);
  });

  it("keeps the planner's statistics of the cases in step with a large import", async () => {
    // A foreign-key check planned while the statistics counted a few cases would read the whole
    // table for every case of the import (and, on the embedded database, for the server's life).
    const before = await counts();
    const imported = await upload("dispatcher", csv(Array.from({ length: 1_500 }, (_, k) => row(`STATS-${k}`))), "");
    expect(imported.statusCode, imported.body).toBe(201);
    expect(imported.json()).toMatchObject({ imported: 1_500 });
    const { rows } = await sql<{ rows: number }>`select reltuples::float8 as rows from pg_class where oid = 'cases'::regclass`.execute(t.ctx.db);
    expect(Number(rows[0].rows)).toBeGreaterThanOrEqual(before.cases + 1_000);
  });

  it("imports a file of several batches whole, each order once, with a few already held", async () => {
    // 1,100 orders: three batches of the import (500 each), the next prepared while one is written.
    const refs = Array.from({ length: 1100 }, (_, k) => `MB-${String(k).padStart(4, "0")}`);
    const held = await upload("dispatcher", csv(refs.slice(600, 610).map((ref) => row(ref))), "");
    expect(held.json()).toMatchObject({ imported: 10 });
    const before = await counts();
    const answer = await upload("dispatcher", csv(refs.map((ref) => row(ref))), "");
    expect(answer.statusCode, answer.body).toBe(201);
    expect(answer.json()).toMatchObject({ rows: 1100, good: 1100, new: 1090, existing: 10, imported: 1090 });
    expect(await counts()).toEqual({ cases: before.cases + 1090, events: before.events + 1090 });
    const written = await t.ctx.db
      .selectFrom("cases")
      .select(["id", "external_ref"])
      .where("external_source", "=", MAPPING.sourceName)
      .where("external_ref", "like", "MB-%")
      .execute();
    expect(written.map((c) => c.external_ref).sort()).toEqual(refs);
    const logged = await t.ctx.db.selectFrom("case_event_log").select("case_id").where("case_id", "in", written.map((c) => c.id)).execute();
    expect(logged).toHaveLength(1100);
    expect(new Set(logged.map((entry) => entry.case_id)).size).toBe(1100);
  });

  it("imports orders of many communities once each, numbered without gaps and counted as a recount counts them", async () => {
    // Orders in 8 communities, more than a batch for each lane: on PostgreSQL the import writes two
    // lanes of communities at once, each batch drawing its numbers ahead of its statement.
    const grids = await t.ctx.db.selectFrom("grids").select(["code", "community_code"]).distinctOn("community_code").orderBy("community_code").limit(8).execute();
    expect(grids).toHaveLength(8);
    const rows = Array.from({ length: 1_600 }, (_, k) => {
      const [lng, lat] = t.ctx.grids.interiorPoint(grids[k % grids.length].code) as [number, number];
      return row(`LN-${String(k).padStart(4, "0")}`, { 问题地址: "", 经度: String(lng), 纬度: String(lat) });
    });
    const answer = await upload("dispatcher", csv(rows), "");
    expect(answer.statusCode, answer.body).toBe(201);
    expect(answer.json()).toMatchObject({ new: 1_600, imported: 1_600 });
    const written = await t.ctx.db.selectFrom("cases").select(["number", "community_code"]).where("external_ref", "like", "LN-%").execute();
    expect(written).toHaveLength(1_600);
    const communities = new Map<string, number>();
    for (const c of written) communities.set(c.community_code, (communities.get(c.community_code) ?? 0) + 1);
    expect([...communities.values()]).toEqual(Array(8).fill(200));
    // Nothing else wrote meanwhile: the import's numbers are one run, each once.
    const ordinals = written.map((c) => Number(c.number.split("-")[2])).sort((a, b) => a - b);
    expect(new Set(ordinals).size).toBe(1_600);
    expect(ordinals[1_599] - ordinals[0]).toBe(1_599);
    // Each batch counted its cases into its communities' rollup rows, as a recount from the cases does.
    const today = async () =>
      (await sql`select kind, community_code, value, accepted from case_counts where day = gridgov_day(now()) and accepted > 0 order by 1, 2, 3`.execute(t.ctx.db)).rows;
    const counted = await today();
    await rebuildRollups(t.ctx.db, "530103");
    expect(await today()).toEqual(counted);
  });

  it("writes each order once when the same file is imported twice at the same time", async () => {
    const refs = Array.from({ length: 700 }, (_, k) => `TW-${String(k).padStart(4, "0")}`);
    const file = csv(refs.map((ref) => row(ref)));
    const [first, second] = await Promise.all([upload("dispatcher", file, ""), upload("dispatcher", file, "")]);
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    expect(first.json().imported + second.json().imported).toBe(700);
    const written = await t.ctx.db.selectFrom("cases").select("external_ref").where("external_ref", "like", "TW-%").execute();
    expect(written.map((c) => c.external_ref).sort()).toEqual(refs);
  });

  it("deletes a mapping, audited, and answers 404 for it afterwards", async () => {
    const created = await as("admin", "POST", "/api/v1/exchange/hotline-mappings", { payload: { ...MAPPING, name: "临时" } });
    const id = created.json().mapping.id;
    expect((await as("admin", "DELETE", `/api/v1/exchange/hotline-mappings/${id}`)).statusCode).toBe(204);
    expect((await as("admin", "GET", `/api/v1/exchange/hotline-mappings/${id}`)).statusCode).toBe(404);
  });
});

/** GB18030 bytes of a text: Node decodes GB18030 but does not encode it, so the two-byte table is read back from the decoder. */
function gb18030(text: string): Buffer {
  const bytes: number[] = [];
  const decoder = new TextDecoder("gb18030");
  // Every character of these test rows is ASCII or in GBK's two-byte range.
  const table = new Map<string, number[]>();
  for (let high = 0xb0; high <= 0xf7; high++) {
    for (let low = 0xa1; low <= 0xfe; low++) table.set(decoder.decode(Uint8Array.from([high, low])), [high, low]);
  }
  for (let hi = 0x81; hi <= 0xa0; hi++) for (let low = 0x40; low <= 0xfe; low++) if (low !== 0x7f) table.set(decoder.decode(Uint8Array.from([hi, low])), [hi, low]);
  for (let hi = 0xa1; hi <= 0xa9; hi++) for (let low = 0xa1; low <= 0xfe; low++) table.set(decoder.decode(Uint8Array.from([hi, low])), [hi, low]);
  for (const char of text) {
    if (char.charCodeAt(0) < 0x80) bytes.push(char.charCodeAt(0));
    else {
      const pair = table.get(char);
      if (!pair) throw new Error(`no GB18030 bytes for ${char}`);
      bytes.push(...pair);
    }
  }
  return Buffer.from(bytes);
}

/** A one-entry zip whose sheet inflates from about 50 KB to 50 MB. */
function zipBomb(): Buffer {
  const content = Buffer.alloc(50 * 1024 * 1024, 0x20);
  const data = zlib.deflateRawSync(content);
  const name = Buffer.from("xl/worksheets/sheet1.xml");
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(name.length, 26);
  const entry = Buffer.alloc(46);
  entry.writeUInt32LE(0x02014b50, 0);
  entry.writeUInt16LE(8, 10);
  entry.writeUInt32LE(data.length, 20);
  entry.writeUInt32LE(content.length, 24);
  entry.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(entry.length + name.length, 12);
  end.writeUInt32LE(local.length + name.length + data.length, 16);
  return Buffer.concat([local, name, data, entry, name, end]);
}

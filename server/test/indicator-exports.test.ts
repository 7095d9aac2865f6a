import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIGURE_COLUMNS, NO_FIGURE } from "../src/modules/evaluation/indicators-workbook.ts";
import { insertGroup } from "./case-sets.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

type Figures = Record<string, number | null>;

/** The indicators and rankings as workbooks: the API's figures, in the API's scope. */
describe("indicator and ranking workbooks", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of ["leader", "leader-001", "dispatcher"]) cookies[username] = await t.login(username);
    // Cases in two streets, so that both have figures and rates.
    const month = { created: "2026-10-05", registered: "2026-10-05", dispatched: "2026-10-05", deadline: "2026-10-16" };
    await insertGroup(t.ctx.db, { ...month, count: 40, handled: "2026-10-08", closed: "2026-10-09", status: "closed", reworked: 3 });
    await insertGroup(t.ctx.db, { ...month, count: 7, status: "in_progress", extended: 2 });
  });
  afterAll(() => t.close());

  const get = (who: string, url: string) => t.app.inject({ method: "GET", url, headers: { cookie: cookies[who] } });

  /** The sheet's rows under its header row, as values; the header block above it as text. */
  async function read(body: Buffer) {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(body as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    const values: ExcelJS.CellValue[][] = [];
    sheet.eachRow((row) => values.push((row.values as ExcelJS.CellValue[]).slice(1)));
    const headerAt = values.findIndex((row) => row.length > 3);
    return { sheet, lines: values.slice(0, headerAt).map((row) => String(row[0])), headers: values[headerAt], rows: values.slice(headerAt + 1) };
  }
  const figuresOf = (cells: ExcelJS.CellValue[]): Figures =>
    Object.fromEntries(FIGURE_COLUMNS.map(([name], k) => [name, cells[k] === NO_FIGURE ? null : (cells[k] as number)]));

  it("writes every group's figures as GET /indicators answers them, with a header block and rates as percentages", async () => {
    for (const groupBy of ["street", "person", "month"]) {
      const query = `division=530103&from=2026-10-01&to=2026-10-31&groupBy=${groupBy}`;
      const api = (await get("leader", `/api/v1/indicators?${query}`)).json();
      const response = await get("leader", `/api/v1/exchange/exports/indicators.xlsx?${query}`);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers["content-type"]).toContain("spreadsheetml");
      expect(response.headers["content-disposition"]).toBe('attachment; filename="indicators-530103-2026-10-01-2026-10-31.xlsx"');
      const { sheet, lines, headers, rows } = await read(response.rawPayload);
      expect(lines).toEqual(expect.arrayContaining(["区域：盘龙区（530103）", "统计范围：盘龙区（530103）", "统计期间：2026-10-01 至 2026-10-31"]));
      expect(lines.some((line) => /^生成时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）$/.test(line))).toBe(true);
      expect(headers.slice(2)).toEqual(FIGURE_COLUMNS.map(([, header]) => header));
      expect(rows).toHaveLength(api.rows.length + 1);
      api.rows.forEach((row: { key: string; name: string | null; figures: Figures }, k: number) => {
        expect(rows[k][0]).toBe(row.key === "" ? "（无）" : row.key);
        expect(rows[k][1] ?? null).toBe(row.name);
        expect(figuresOf(rows[k].slice(2))).toEqual(row.figures);
      });
      expect(rows.at(-1)?.[0]).toBe("合计");
      expect(figuresOf(rows.at(-1)!.slice(2))).toEqual(api.total);
      const closureColumn = 3 + FIGURE_COLUMNS.findIndex(([name]) => name === "closureRate");
      expect(sheet.getRow(lines.length + 2 + rows.length).getCell(closureColumn).numFmt).toBe("0.00%");
    }
    // Persons are staff, named as the API names them: no resident and no phone.
    const persons = await get("leader", "/api/v1/exchange/exports/indicators.xlsx?division=530103&from=2026-10-01&to=2026-10-31&groupBy=person");
    expect(persons.rawPayload.toString("latin1")).not.toMatch(/1[3-9]\d{9}/);
  });

  it("writes a finder's reports and cases handled on the spot, and a dash for what is not counted per finder", async () => {
    const finder = await t.login("gw-530103001001-1");
    const report = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: { description: "导出测试：井盖缺失", gridCode: "530103001001001" }, headers: { cookie: finder } });
    expect(report.statusCode, report.body).toBe(201);
    const api = (await get("leader", "/api/v1/indicators?division=530103&groupBy=reporter")).json();
    const { rows } = await read((await get("leader", "/api/v1/exchange/exports/indicators.xlsx?division=530103&groupBy=reporter")).rawPayload);
    const { id } = await t.ctx.db.selectFrom("users").select("id").where("username", "=", "gw-530103001001-1").executeTakeFirstOrThrow();
    const own = api.rows.findIndex((row: { key: string }) => row.key === id);
    expect(own).toBeGreaterThanOrEqual(0);
    expect(rows[own][0]).toBe(id);
    const cells = figuresOf(rows[own].slice(2));
    expect({ accepted: cells.accepted, onSpot: cells.onSpot }).toEqual(api.rows[own].figures);
    expect(Object.entries(cells).filter(([, value]) => value !== null).map(([name]) => name)).toEqual(["accepted", "onSpot"]);
  });

  it("keeps a street leader to their street, with the indicators' errors", async () => {
    const own = await get("leader-001", "/api/v1/exchange/exports/indicators.xlsx?from=2026-10-01&to=2026-10-31&groupBy=community");
    expect(own.statusCode, own.body).toBe(200);
    const { lines, rows } = await read(own.rawPayload);
    expect(lines).toContain("统计范围：拓东街道（530103001）");
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.slice(0, -1).every((row) => String(row[0]).startsWith("530103001"))).toBe(true);
    expect((await get("leader-001", "/api/v1/exchange/exports/indicators.xlsx?division=530103002")).json().error.code).toBe("division_not_found");
    expect((await get("leader-001", "/api/v1/exchange/exports/indicators.xlsx?division=530103")).statusCode).toBe(404);
    expect((await get("leader", "/api/v1/exchange/exports/indicators.xlsx?from=2026-10-31&to=2026-10-01")).json().error.code).toBe("invalid_period");
    const audit = await t.ctx.db.selectFrom("audit_log").select(["action", "target_id"]).where("action", "=", "indicators.export").execute();
    expect(audit.length).toBeGreaterThan(0);
  });

  it("writes a ranking as GET /rankings answers it", async () => {
    const api = (await get("leader", "/api/v1/rankings?kind=street&period=2026-10")).json();
    const response = await get("leader", "/api/v1/exchange/exports/rankings.xlsx?kind=street&period=2026-10");
    expect(response.statusCode, response.body).toBe(200);
    const { lines, headers, rows } = await read(response.rawPayload);
    expect(lines).toContain("考核周期：2026-10（2026-10-01 至 2026-10-31）");
    expect(headers.slice(0, 5)).toEqual(["排名", "街道名称", "街道编码", "治理指数", "名次变化"]);
    expect(rows).toHaveLength(api.rows.length);
    api.rows.forEach((row: { rank: number | null; code: string; name: string; index: number | null; figures: Figures }, k: number) => {
      expect(rows[k].slice(0, 4)).toEqual([row.rank ?? undefined, row.name, row.code, row.index ?? NO_FIGURE]);
      expect(figuresOf(rows[k].slice(5))).toEqual(row.figures);
    });
    const workers = await get("dispatcher", "/api/v1/exchange/exports/rankings.xlsx?kind=grid_worker&period=2026-10-H1");
    expect(workers.statusCode, workers.body).toBe(200);
    expect((await read(workers.rawPayload)).headers.slice(0, 6)).toEqual(["排名", "姓名", "治理指数", "名次变化", "上报数", "就地处置数"]);
  });
});

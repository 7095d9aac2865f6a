import ExcelJS from "exceljs";
import { uuidv7 } from "../src/ids.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../src/modules/auth/passwords.ts";
import { readTable } from "../src/modules/exchange/table-reader.ts";
import { writeCsv, writeXlsx } from "../src/modules/exchange/table-writer.ts";
import { DEMO_PASSWORD } from "./databases.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DEPARTMENT_HEADERS = ["部门编码", "部门名称", "所属区划编码", "值班电话"];
const STAFF_HEADERS = ["用户名", "姓名", "手机号", "角色", "管辖区划编码", "部门编码", "初始密码"];
const PLACE_HEADERS = ["层级", "编码", "名称", "经度", "纬度"];

describe("reference-data imports: staff, departments, places", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};

  const upload = (who: string, kind: string, file: Buffer | string, query = "", type = "text/csv") =>
    t.app.inject({ method: "POST", url: `/api/v1/exchange/imports/${kind}${query}`, headers: { cookie: cookies[who], "content-type": type }, payload: Buffer.from(file) });
  const download = (who: string, url: string) => t.app.inject({ method: "GET", url, headers: { cookie: cookies[who] } });
  const count = async (table: "users" | "departments" | "divisions" | "audit_log") =>
    Number((await t.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
  const snapshot = async () => ({ users: await count("users"), departments: await count("departments"), divisions: await count("divisions"), audit: await count("audit_log") });
  const auditActions = async (action: string) => (await t.ctx.db.selectFrom("audit_log").select(["action", "details"]).where("action", "=", action).execute()).length;

  beforeAll(async () => {
    t = await createTestApp("demo");
    const streetAdmin = uuidv7();
    await t.ctx.db
      .insertInto("users")
      .values({ id: streetAdmin, username: "street-admin-001", display_name: "拓东街道管理员", phone: null, password_hash: await hashPassword(DEMO_PASSWORD), roles: ["admin"], scope_code: "530103001", department_id: null })
      .execute();
    for (const who of ["admin", "secadmin", "dispatcher", "street-admin-001"]) cookies[who] = await t.login(who);
  });
  afterAll(() => t.close());

  it("offers each kind's template: the Chinese header row and a 说明 sheet with every column, the allowed values and an example", async () => {
    const staff = await download("admin", "/api/v1/exchange/templates/staff.xlsx");
    expect(staff.statusCode).toBe(200);
    expect(staff.headers["content-type"]).toBe(XLSX);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(staff.rawPayload as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(["人员", "说明"]);
    expect((await readTable(staff.rawPayload)).headers).toEqual(STAFF_HEADERS);
    const notes = workbook.getWorksheet("说明");
    const text = JSON.stringify(notes?.getSheetValues());
    expect(text).toContain("网格员（grid_worker）");
    expect(text).toContain("三员分立");
    expect(text).toContain("gw-zhangsan");
    const places = await download("admin", "/api/v1/exchange/templates/places.xlsx");
    expect((await readTable(places.rawPayload)).headers).toEqual(PLACE_HEADERS);
    expect(JSON.stringify(await (async () => {
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(places.rawPayload as unknown as ArrayBuffer);
      return book.getWorksheet("说明")?.getSheetValues();
    })())).toContain("楼栋");
    expect((await download("dispatcher", "/api/v1/exchange/templates/staff.xlsx")).statusCode).toBe(403);
  });

  it("departments: bad rows leave the database unchanged and are each reported; goodRowsOnly imports exactly the good ones; the same file again changes nothing", async () => {
    const file = writeCsv(DEPARTMENT_HEADERS, [
      ["imp-a", "拓东街道综合执法队", "530103001", "0871-65000001"],
      ["imp-b", "区园林绿化局", "530103", ""],
      ["imp-a", "重复的部门", "530103", ""],
      ["imp-c", "不存在的区划", "530103999", ""],
      ["cgj", "城市管理局（新名）", "530103", "12"],
    ]);
    const before = await snapshot();
    const refused = await upload("admin", "departments", file);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe("invalid_rows");
    expect(refused.json().error.details.problems).toEqual([
      { row: 4, column: "部门编码", code: "duplicate_in_file", reason: "部门编码与第2行重复" },
      { row: 5, column: "所属区划编码", code: "division_not_found", reason: "您的管辖范围内没有区划「530103999」" },
      { row: 6, column: "值班电话", code: "invalid_phone", reason: expect.stringContaining("格式不对") },
    ]);
    expect(await snapshot()).toEqual(before);

    const preview = await upload("admin", "departments", file, "?preview=true");
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({ preview: true, rows: 5, good: 2, bad: 3, created: 2, updated: 0, unchanged: 0, changes: [{ row: 2, key: "imp-a", action: "create" }, { row: 3, key: "imp-b", action: "create" }] });
    expect(await snapshot()).toEqual(before);

    const imported = await upload("admin", "departments", file, "?goodRowsOnly=true");
    expect(imported.statusCode, imported.body).toBe(201);
    expect(imported.json()).toMatchObject({ created: 2, updated: 0, bad: 3 });
    const rows = await t.ctx.db.selectFrom("departments").select(["code", "name", "division_code", "duty_phone"]).where("code", "in", ["imp-a", "imp-b", "imp-c", "cgj"]).orderBy("code").execute();
    expect(rows).toEqual([
      { code: "cgj", name: "盘龙区城市管理局", division_code: "530103", duty_phone: expect.anything() },
      { code: "imp-a", name: "拓东街道综合执法队", division_code: "530103001", duty_phone: "0871-65000001" },
      { code: "imp-b", name: "区园林绿化局", division_code: "530103", duty_phone: null },
    ]);
    expect(await auditActions("department.create")).toBe(2);

    const again = await upload("admin", "departments", file, "?goodRowsOnly=true");
    expect(again.json()).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    const renamed = await upload("admin", "departments", writeCsv(["code", "name", "divisionCode"], [["imp-b", "区园林局", "530103"]]));
    expect(renamed.json()).toMatchObject({ created: 0, updated: 1, unchanged: 0 });
    expect((await t.ctx.db.selectFrom("departments").select("name").where("code", "=", "imp-b").executeTakeFirstOrThrow()).name).toBe("区园林局");
    expect((await download("dispatcher", "/api/v1/exchange/exports/departments.xlsx")).statusCode).toBe(403);
  });

  it("staff: every bad row reported (two of the three administrator roles refused row by row); goodRowsOnly creates the good ones with one-time passwords shown once", async () => {
    const file = await writeXlsx("人员", STAFF_HEADERS, [
      ["imp-gw-1", "王网格", "13800001111", "网格员", "530103001001", "", "Grid-worker-2026!"],
      ["imp-gw-2", "李网格", "", "grid_worker、志愿者", "530103001002", "", ""],
      ["imp-two-admins", "两员", "", "系统管理员,安全审计员", "530103", "", ""],
      ["imp-bad-role", "无名", "", "队长", "530103", "", ""],
      ["imp-weak", "弱密码", "", "网格员", "530103001001", "", "123456"],
      ["imp-no-scope", "无范围", "", "派遣员", "", "", ""],
      ["imp-dept", "无部门", "", "处置人员", "530103", "nosuch", ""],
      ["Bad Name", "坏用户名", "", "网格员", "530103", "", ""],
      ["admin", "改管理员", "", "网格员", "530103", "", ""],
    ]);
    const before = await snapshot();
    const refused = await upload("admin", "staff", file, "", XLSX);
    expect(refused.statusCode).toBe(422);
    const problems = refused.json().error.details.problems as { row: number; column: string; code: string; reason: string }[];
    expect(problems.map((p) => [p.row, p.column, p.code])).toEqual([
      [4, "角色", "administrator_roles_exclusive"],
      [5, "角色", "unknown_role"],
      [6, "初始密码", "weak_password"],
      [7, "管辖区划编码", "scope_required"],
      [8, "部门编码", "department_not_found"],
      [9, "用户名", "invalid_username"],
      [10, "用户名", "own_account"],
    ]);
    expect(problems[0].reason).toContain("三员分立");
    expect(await snapshot()).toEqual(before);

    // The security administrator may grant the administrator roles, but still not two of them to one account.
    const bySecurity = await upload("secadmin", "staff", writeCsv(STAFF_HEADERS, [["imp-two-admins", "两员", "", "系统管理员、安全审计员", "530103", "", ""]]), "?preview=true");
    expect(bySecurity.json().problems).toEqual([expect.objectContaining({ row: 2, column: "角色", code: "administrator_roles_exclusive" })]);
    // The system administrator may not grant the auditor role at all.
    const notManaged = await upload("admin", "staff", writeCsv(STAFF_HEADERS, [["imp-auditor", "审计", "", "审计员", "530103", "", ""]]), "?preview=true");
    expect(notManaged.json().problems).toEqual([expect.objectContaining({ code: "role_not_managed" })]);

    const imported = await upload("admin", "staff", file, "?goodRowsOnly=true", XLSX);
    expect(imported.statusCode, imported.body).toBe(201);
    expect(imported.json()).toMatchObject({ created: 2, updated: 0, bad: 7 });
    const passwords = imported.json().passwords as { row: number; username: string; password: string }[];
    expect(passwords.map((p) => p.username)).toEqual(["imp-gw-2"]);
    const users = await t.ctx.db.selectFrom("users").select(["username", "roles", "scope_code", "phone", "password_change_required"]).where("username", "like", "imp-%").orderBy("username").execute();
    expect(users).toEqual([
      { username: "imp-gw-1", roles: ["grid_worker"], scope_code: "530103001001", phone: "13800001111", password_change_required: true },
      { username: "imp-gw-2", roles: ["grid_worker", "volunteer"], scope_code: "530103001002", phone: null, password_change_required: true },
    ]);
    // The generated password signs in once, and is nowhere in the audit log.
    expect((await t.login("imp-gw-2", passwords[0].password)).length).toBeGreaterThan(0);
    expect(await t.login("imp-gw-1", "Grid-worker-2026!")).toBeTruthy();
    const log = JSON.stringify(await t.ctx.db.selectFrom("audit_log").select("details").where("action", "in", ["user.create", "exchange.reference_import"]).execute());
    expect(log).not.toContain(passwords[0].password);
    expect(log).not.toContain("Grid-worker-2026!");
    expect(await auditActions("exchange.reference_import")).toBeGreaterThanOrEqual(1);

    // Again: nothing changes, and no password is made or reset.
    const again = await upload("admin", "staff", file, "?goodRowsOnly=true", XLSX);
    expect(again.json()).toMatchObject({ created: 0, updated: 0, unchanged: 2, passwords: [] });
    // A change where the row differs only; the session of a changed account ends.
    const gw2 = await t.login("imp-gw-2", passwords[0].password);
    const changed = await upload("admin", "staff", writeCsv(STAFF_HEADERS.slice(0, 5), [["imp-gw-2", "李网格", "", "网格员", "530103001002"]]));
    expect(changed.json()).toMatchObject({ created: 0, updated: 1 });
    expect((await t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie: gw2 } })).statusCode).toBe(401);
  });

  it("places: courtyards and buildings in one sheet, buildings under a courtyard of the same file, bad rows reported, found by the places search", async () => {
    const community = "530103001001";
    const [lng, lat] = t.ctx.grids.interiorPoint(`${community}001`) as [number, number];
    const [farLng, farLat] = t.ctx.grids.interiorPoint("530103002001001") as [number, number];
    const file = writeCsv(PLACE_HEADERS, [
      ["楼栋", `${community}901001`, "1栋", String(lng), String(lat)],
      ["小区", `${community}901`, "导入测试花园", String(lng), String(lat)],
      ["楼栋", `${community}902001`, "2栋", "", ""],
      ["小区", `${community}903`, "远处小区", String(farLng), String(farLat)],
      ["院子", `${community}904`, "层级错误", "", ""],
      ["小区", `${community}9051`, "编码错误", "", ""],
    ]);
    const before = await snapshot();
    const refused = await upload("admin", "places", file);
    expect(refused.json().error.details.problems.map((p: { row: number; code: string }) => [p.row, p.code])).toEqual([
      [4, "parent_not_found"],
      [5, "point_outside"],
      [6, "invalid_level"],
      [7, "invalid_code"],
    ]);
    expect(await snapshot()).toEqual(before);
    const imported = await upload("admin", "places", file, "?goodRowsOnly=true");
    expect(imported.statusCode, imported.body).toBe(201);
    expect(imported.json()).toMatchObject({ created: 2, bad: 4 });
    const found = await t.app.inject({ method: "GET", url: `/api/v1/places?q=${encodeURIComponent("导入测试花园")}`, headers: { cookie: cookies.dispatcher } });
    expect(found.json().places[0]).toMatchObject({ kind: "courtyard", code: `${community}901`, community: { code: community } });
    expect(await auditActions("division.create")).toBe(2);
  });

  it("a street administrator imports into their street only", async () => {
    const before = await snapshot();
    const staff = await upload("street-admin-001", "staff", writeCsv(STAFF_HEADERS, [
      ["imp-street-1", "本街道", "", "网格员", "530103001001", "", ""],
      ["imp-street-2", "别的街道", "", "网格员", "530103002001", "", ""],
    ]));
    expect(staff.statusCode).toBe(422);
    expect(staff.json().error.details.problems).toEqual([expect.objectContaining({ row: 3, column: "管辖区划编码", code: "division_not_found" })]);
    const places = await upload("street-admin-001", "places", writeCsv(PLACE_HEADERS, [["小区", "530103002001911", "别街小区", "", ""]]));
    expect(places.json().error.details.problems).toEqual([expect.objectContaining({ row: 2, column: "编码", code: "division_not_found" })]);
    const departments = await upload("street-admin-001", "departments", writeCsv(DEPARTMENT_HEADERS, [["cgj", "城管", "530103", ""]]));
    expect(departments.json().error.details.problems.map((p: { code: string }) => p.code)).toEqual(["department_code_taken", "division_not_found"]);
    expect(await snapshot()).toEqual(before);
    // Its export holds its street alone.
    const exported = await readTable((await download("street-admin-001", "/api/v1/exchange/exports/places.xlsx")).rawPayload);
    expect(exported.rows.length).toBeGreaterThan(0);
    expect(exported.rows.every((row) => row.cells[1].startsWith("530103001"))).toBe(true);
  });

  it("round trips: an export imports back into the same database unchanged, and after deleting reproduces the data", async () => {
    for (const kind of ["departments", "places", "staff"] as const) {
      const exported = await download("admin", `/api/v1/exchange/exports/${kind}.xlsx`);
      expect(exported.statusCode).toBe(200);
      const back = await upload("admin", kind, exported.rawPayload, "?preview=true", XLSX);
      expect(back.json(), `${kind} ${JSON.stringify(back.json().changes)}`).toMatchObject({ bad: 0, created: 0, updated: 0, problems: [] });
      expect(back.json().unchanged).toBe((await readTable(exported.rawPayload)).rows.length);
    }
    const staffExport = await readTable((await download("admin", "/api/v1/exchange/exports/staff.xlsx")).rawPayload);
    expect(staffExport.rows.find((row) => row.cells[0] === "imp-gw-1")?.cells.slice(0, 5)).toEqual(["imp-gw-1", "王网格", "138****1111", "网格员", "530103001001"]);
    // The security administrator's own and the administrators' accounts are not the system administrator's to export.
    expect(staffExport.rows.some((row) => ["admin", "secadmin", "auditor"].includes(row.cells[0]))).toBe(false);

    const places = async () => t.ctx.db.selectFrom("divisions").selectAll().where("code", "like", "530103001001%").where("level", "in", ["courtyard", "building"]).orderBy("code").execute();
    const departments = async () => t.ctx.db.selectFrom("departments").select(["code", "name", "division_code"]).where("code", "like", "imp-%").orderBy("code").execute();
    const placesBefore = await places();
    const departmentsBefore = await departments();
    const placesFile = (await download("admin", "/api/v1/exchange/exports/places.xlsx")).rawPayload;
    const departmentsFile = (await download("admin", "/api/v1/exchange/exports/departments.xlsx")).rawPayload;
    await t.ctx.db.deleteFrom("divisions").where("code", "like", "5301030010019%").where("level", "=", "building").execute();
    await t.ctx.db.deleteFrom("divisions").where("code", "like", "5301030010019%").execute();
    await t.ctx.db.deleteFrom("departments").where("code", "like", "imp-%").execute();
    const placesAgain = await upload("admin", "places", placesFile, "", XLSX);
    expect(placesAgain.json()).toMatchObject({ created: 2, updated: 0, bad: 0 });
    expect(await places()).toEqual(placesBefore);
    const departmentsAgain = await upload("admin", "departments", departmentsFile, "?goodRowsOnly=true", XLSX);
    // imp-a's duty phone was exported masked: a new department cannot take it, and says so.
    expect(departmentsAgain.json()).toMatchObject({ created: 1, problems: [expect.objectContaining({ column: "值班电话", code: "masked_phone" })] });
    expect((await departments()).map((row) => row.code)).toEqual(["imp-b"]);
  });

  it("refuses a file over 20 MiB with 413, raw or in a form", async () => {
    const huge = Buffer.alloc(21 * 1024 * 1024, 0x41);
    const raw = await upload("admin", "departments", huge, "?preview=true");
    expect([raw.statusCode, raw.json().error.code]).toEqual([413, "body_too_large"]);
    const form = await upload("admin", "departments", huge, "?preview=true", "multipart/form-data; boundary=x");
    expect([form.statusCode, form.json().error.code]).toEqual([413, "body_too_large"]);
  });

  it("takes the file as a multipart form's file field", async () => {
    const boundary = "----gridgov-test";
    const csv = writeCsv(DEPARTMENT_HEADERS, [["imp-form", "表单部门", "530103", ""]]);
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="departments.csv"\r\nContent-Type: text/csv\r\n\r\n`),
      Buffer.from(csv),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const response = await upload("admin", "departments", body, "?preview=true", `multipart/form-data; boundary=${boundary}`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ rows: 1, created: 1 });
  });
});

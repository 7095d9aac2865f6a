import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";

/** What a district configures: departments with their duty phones, and its grids from a GeoJSON file. */
describe("administration: departments and grid import", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of ["admin", "secadmin", "dispatcher"]) cookies[username] = await t.login(username);
    // A system administrator of one street only (the security administrator grants that role).
    const created = await t.app.inject({
      method: "POST",
      url: "/api/v1/users",
      payload: { username: "street-admin", displayName: "街道管理员", password: "Panlong-Kunming-2026", roles: ["admin"], scopeCode: "530103001" },
      headers: { cookie: cookies.secadmin },
    });
    expect(created.statusCode, created.body).toBe(201);
    cookies.street = await t.login("street-admin", "Panlong-Kunming-2026");
    const changed = await call("street", "POST", "/api/v1/auth/password", { currentPassword: "Panlong-Kunming-2026", newPassword: "Dianchi-Lake-2027" });
    expect(changed.statusCode, changed.body).toBeLessThan(300);
    cookies.street = await t.login("street-admin", "Dianchi-Lake-2027");
  });
  afterAll(() => t.close());

  const call = (who: string, method: "GET" | "POST" | "PATCH", url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }), headers: { cookie: cookies[who], ...headers } });

  it("creates and edits departments in scope with a masked duty phone, audited", async () => {
    const created = await call("admin", "POST", "/api/v1/departments", { code: "xfj", name: "盘龙区消防救援大队", divisionCode: "530103", dutyPhone: "0871-65123456" });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().department).toMatchObject({ code: "xfj", dutyPhone: "087******456", version: 1 });
    expect((await call("admin", "POST", "/api/v1/departments", { code: "xfj", name: "重复", divisionCode: "530103" })).json().error.code).toBe("department_code_taken");
    const listed = (await call("dispatcher", "GET", "/api/v1/departments")).json().departments;
    expect(listed.find((d: { code: string }) => d.code === "xfj").dutyPhone).toBe("087******456");
    expect(JSON.stringify(listed)).not.toContain("65123456");

    expect((await call("admin", "PATCH", "/api/v1/departments/xfj", { dutyPhone: "13812345678" })).statusCode).toBe(428);
    const edited = await call("admin", "PATCH", "/api/v1/departments/xfj", { dutyPhone: "13812345678", name: "消防救援大队" }, { "if-match": '"1"' });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json().department).toMatchObject({ name: "消防救援大队", dutyPhone: "138****5678", version: 2 });
    expect((await call("admin", "PATCH", "/api/v1/departments/xfj", { name: "旧版本" }, { "if-match": '"1"' })).statusCode).toBe(412);
    const stored = await t.ctx.db.selectFrom("departments").select("duty_phone").where("code", "=", "xfj").executeTakeFirstOrThrow();
    expect(stored.duty_phone).toBe("13812345678");
    const audit = await t.ctx.db.selectFrom("audit_log").select(["action", "details"]).where("target_type", "=", "department").orderBy("seq").execute();
    expect(audit.map((entry) => entry.action)).toEqual(["department.create", "department.update"]);
    expect(JSON.stringify(audit)).not.toContain("13812345678");

    // A street's administrator: departments of the street only; a district department answers as unknown.
    expect((await call("street", "POST", "/api/v1/departments", { code: "s1", name: "街道城管科", divisionCode: "530103002" })).json().error.code).toBe("division_not_found");
    expect((await call("street", "POST", "/api/v1/departments", { code: "s1", name: "街道城管科", divisionCode: "530103001" })).statusCode).toBe(201);
    expect((await call("street", "PATCH", "/api/v1/departments/xfj", { name: "x" }, { "if-match": '"2"' })).statusCode).toBe(404);
    expect((await call("dispatcher", "POST", "/api/v1/departments", { code: "s2", name: "x", divisionCode: "530103" })).statusCode).toBe(403);
  });

  it("reports every problem of a grid file by grid code before loading, and loads nothing while one remains", async () => {
    const stored = await t.ctx.db.selectFrom("grids").select(["code", "name", "geometry"]).where("community_code", "=", "530103001001").orderBy("code").execute();
    const feature = (code: string, geometry: unknown, name = "导入网格") => ({ type: "Feature", properties: { code, name }, geometry });
    const file = {
      type: "FeatureCollection",
      features: [
        feature(stored[0].code, stored[0].geometry, "尚义社区第一网格（新名）"),
        // A second grid on top of the first: an overlap.
        feature("530103001001901", stored[0].geometry),
        // An open ring.
        feature("530103001001902", { type: "Polygon", coordinates: [[[102.7, 25.04], [102.71, 25.04], [102.71, 25.05]]] }),
      ],
    };
    const before = await t.ctx.db.selectFrom("grids").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    const dryRun = await call("admin", "POST", "/api/v1/grids/import?dryRun=true", file);
    expect(dryRun.statusCode, dryRun.body).toBe(200);
    const problems: { code: string; gridCodes: string[] }[] = dryRun.json().problems;
    expect(problems.some((p) => p.gridCodes.includes("530103001001901"))).toBe(true);
    expect(problems.some((p) => p.gridCodes.includes("530103001001902"))).toBe(true);
    const load = await call("admin", "POST", "/api/v1/grids/import", file);
    expect(load.statusCode, load.body).toBe(422);
    expect(load.json().error).toMatchObject({ code: "invalid_grids", details: { problems } });
    const after = await t.ctx.db.selectFrom("grids").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));

    // The sound part alone loads, audited.
    const sound = { type: "FeatureCollection", features: [file.features[0]] };
    expect((await call("admin", "POST", "/api/v1/grids/import?dryRun=true", sound)).json()).toEqual({ dryRun: true, grids: 1, problems: [] });
    const loaded = await call("admin", "POST", "/api/v1/grids/import", sound);
    expect(loaded.statusCode, loaded.body).toBe(201);
    expect((await t.ctx.db.selectFrom("grids").select("name").where("code", "=", stored[0].code).executeTakeFirstOrThrow()).name).toBe("尚义社区第一网格（新名）");
    const audit = await t.ctx.db.selectFrom("audit_log").select(["actor_id", "details"]).where("action", "=", "grid.import").execute();
    expect(audit.at(-1)?.details).toMatchObject({ grids: 1, codes: [stored[0].code] });

    // Only an administrator of the whole district.
    expect((await call("street", "POST", "/api/v1/grids/import?dryRun=true", sound)).json().error.code).toBe("district_scope_required");
    expect((await call("dispatcher", "POST", "/api/v1/grids/import?dryRun=true", sound)).statusCode).toBe(403);
    // Not a FeatureCollection: one problem, nothing loaded.
    expect((await call("admin", "POST", "/api/v1/grids/import?dryRun=true", { type: "Feature", features: [] })).json().error).toMatchObject({ code: "invalid_grids" });
  });

  it("lists the grid workers who cover a community for a dispatcher, a street's worker among them", async () => {
    const created = await call("secadmin", "POST", "/api/v1/users", {
      username: "gw-street-roving", displayName: "街道机动网格员", password: "Panlong-Roving-2026", roles: ["grid_worker"], scopeCode: "530103001",
    });
    expect(created.statusCode, created.body).toBe(201);
    const listed = await call("dispatcher", "GET", "/api/v1/users?covers=530103001001&role=grid_worker&limit=500");
    expect(listed.statusCode, listed.body).toBe(200);
    const users = listed.json().users as { username: string; roles: string[]; scopeCode: string }[];
    const names = users.map((user) => user.username);
    expect(names).toContain("gw-530103001001-1");
    expect(names).toContain("gw-street-roving");
    expect(users.every((user) => user.roles.includes("grid_worker") && "530103001001".startsWith(user.scopeCode))).toBe(true);
    expect(names.some((name) => name.startsWith("gw-530103001002"))).toBe(false);
    // Outside the caller's scope, the division answers as unknown.
    expect((await call("street", "GET", "/api/v1/users?covers=530103002001")).json().error.code).toBe("division_not_found");
    expect((await call("dispatcher", "GET", "/api/v1/users?covers=5301x")).statusCode).toBe(400);
  });

  it("keeps category settings to administrators of the whole district", async () => {
    const response = await call("street", "PATCH", "/api/v1/categories/appeal.hotline.consultation", { active: true }, { "if-match": '"1"' });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe("district_scope_required");
  });
});

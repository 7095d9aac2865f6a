import type { KyselyPlugin } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uuidv7 } from "../src/ids.ts";
import { insertReportedCases, type NewReport } from "../src/modules/cases/cases.repository.ts";
import { ReportWriter } from "../src/modules/cases/report-writer.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

/** Intakes under load: batched writes, numbers, routing, and one bad report among good ones. */
describe("case intake under load", () => {
  let t: TestApp;
  let seat: string;
  let point: { lat: number; lng: number };
  const communityCode = "530103001001";
  beforeAll(async () => {
    t = await createTestApp("demo");
    seat = await t.login("seat-01");
    const grid = await t.ctx.db.selectFrom("grids").select("code").where("community_code", "=", communityCode).executeTakeFirstOrThrow();
    const interior = t.ctx.grids.interiorPoint(grid.code);
    if (!interior) throw new Error("no grid");
    point = { lng: interior[0], lat: interior[1] };
  });
  afterAll(() => t.close());

  const report = (body: Record<string, unknown>) =>
    t.app.inject({ method: "POST", url: "/api/v1/cases", payload: body, headers: { cookie: seat } });

  it("places reports by grid code at the grid's interior point, found once for each load of the grids", async () => {
    const grid = await t.ctx.db.selectFrom("grids").select("code").where("community_code", "=", communityCode).executeTakeFirstOrThrow();
    const first = t.ctx.grids.interiorPoint(grid.code);
    expect(t.ctx.grids.interiorPoint(grid.code)).toBe(first);
    const answer = await report({ description: "网格里的路灯不亮了，晚上很黑", gridCode: grid.code });
    expect(answer.statusCode, answer.body).toBe(201);
    expect(answer.json().case).toMatchObject({ gridCode: grid.code, location: { lng: first?.[0], lat: first?.[1] } });
    expect(t.ctx.grids.interiorPoint("530103999999999")).toBeUndefined();
    // Grids loaded again (an import) are found again.
    await t.ctx.grids.load(t.ctx.db);
    const again = t.ctx.grids.interiorPoint(grid.code);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it("numbers sixty concurrent reports without a gap or a repeat, each with its report event", async () => {
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, index) => report({ description: `第${index}号：人行道上的井盖松动，踩上去会晃`, location: { ...point, crs: "wgs84" } })),
    );
    expect(answers.map((answer) => answer.statusCode)).toEqual(answers.map(() => 201));
    const numbers = answers.map((answer) => answer.json().case.number as string);
    const serials = numbers.map((number) => Number(number.split("-")[2])).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(60);
    expect(serials.at(-1)! - serials[0]).toBe(59);
    const ids = answers.map((answer) => answer.json().case.id as string);
    const events = await t.ctx.db.selectFrom("case_events").select(["case_id", "action", "to_status"]).where("case_id", "in", ids).execute();
    expect(events).toHaveLength(60);
    expect(new Set(events.map((event) => event.case_id)).size).toBe(60);
    expect(events.every((event) => event.action === "report" && event.to_status === "reported")).toBe(true);
  });

  it("routes a case to the department of the most specific routing rule of its community", async () => {
    const category = await t.ctx.db
      .selectFrom("categories")
      .select(["code", "department_code"])
      .where("department_code", "is not", null)
      .where("photo_required", "=", false)
      .where("parent_code", "is not", null)
      .executeTakeFirstOrThrow();
    const other = await t.ctx.db.selectFrom("departments").select("code").where("code", "!=", category.department_code).orderBy("code").executeTakeFirstOrThrow();
    const plain = await report({ description: "路边有问题需要处理", categoryCode: category.code, location: { ...point, crs: "wgs84" } });
    expect(plain.json().case.departmentCode).toBe(category.department_code);

    const admin = await t.login("admin");
    const rule = (divisionCode: string, method: "PUT" | "DELETE", departmentCode?: string) =>
      t.app.inject({
        method,
        url: `/api/v1/routing-rules/${category.code}/${divisionCode}`,
        headers: { cookie: admin },
        ...(departmentCode ? { payload: { departmentCode } } : {}),
      });
    // A street-wide rule, then a community rule over it: the community's (more specific) wins.
    expect((await rule(communityCode.slice(0, 9), "PUT", category.department_code ?? "")).statusCode).toBe(200);
    const put = await rule(communityCode, "PUT", other.code);
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().rule).toEqual({ categoryCode: category.code, divisionCode: communityCode, departmentCode: other.code });
    const listed = await t.app.inject({ method: "GET", url: `/api/v1/routing-rules?category=${category.code}`, headers: { cookie: admin } });
    expect(listed.json().rules.map((r: { divisionCode: string }) => r.divisionCode)).toEqual([communityCode.slice(0, 9), communityCode]);

    const routed = await report({ description: "路边有问题需要处理", categoryCode: category.code, location: { ...point, crs: "wgs84" } });
    expect(routed.statusCode).toBe(201);
    expect(routed.json().case.departmentCode).toBe(other.code);
    const event = await t.ctx.db.selectFrom("case_events").select("details").where("case_id", "=", routed.json().case.id).executeTakeFirstOrThrow();
    expect(event.details).toMatchObject({ department: other.code });
    const audited = await t.ctx.db.selectFrom("audit_log").select(["action", "details"]).where("target_id", "=", `${category.code}@${communityCode}`).execute();
    expect(audited).toEqual([expect.objectContaining({ action: "routing_rule.put", details: { departmentCode: other.code, previousDepartmentCode: null } })]);

    expect((await rule(communityCode, "DELETE")).statusCode).toBe(204);
    expect((await rule(communityCode, "DELETE")).json().error.code).toBe("routing_rule_not_found");
    const after = await report({ description: "路边有问题需要处理", categoryCode: category.code, location: { ...point, crs: "wgs84" } });
    expect(after.json().case.departmentCode).toBe(category.department_code);
  });

  it("refuses a routing rule to an unknown department, outside the scope, or from a role without the right", async () => {
    const admin = await t.login("admin");
    const put = (cookie: string, path: string, departmentCode: string) =>
      t.app.inject({ method: "PUT", url: `/api/v1/routing-rules/${path}`, headers: { cookie }, payload: { departmentCode } });
    expect((await put(admin, `event.street_order.road_occupation/${communityCode}`, "nope")).json().error.code).toMatch(/not_found$/);
    expect((await put(admin, `event.street_order.road_occupation/530102001`, "cgj")).statusCode).toBe(404);
    expect((await put(await t.login("dispatcher"), `event.street_order.road_occupation/${communityCode}`, "cgj")).statusCode).toBe(403);
    expect(await t.ctx.db.selectFrom("routing_rules").select("division_code").where("division_code", "=", "530102001").execute()).toEqual([]);
  });

  /** Reports as the writer takes them, made from a case reported through the API, of a category or none. */
  async function reportMaker(): Promise<(categoryCode: string | null) => NewReport> {
    const good = await report({ description: "垃圾桶满了没人清理", location: { ...point, crs: "wgs84" } });
    const template = await t.ctx.db.selectFrom("cases").selectAll().where("id", "=", good.json().case.id).executeTakeFirstOrThrow();
    return (categoryCode) => {
      const { number: _number, department_code: _department, version: _version, created_at: _created, updated_at: _updated, co_handlers: _co, ...values } = template;
      return {
        case: { ...values, id: uuidv7(), category_code: categoryCode, assignment: null, return_request: null },
        day: template.number.split("-")[1],
        defaultDepartment: null,
        event: { actorId: null, details: {} },
      };
    };
  }

  it("fails one bad report of a batch alone: the others are written, the bad one leaves nothing", async () => {
    const reportOf = await reportMaker();
    const reports = [reportOf(null), reportOf("no.such.category"), reportOf(null)];
    const before = await t.ctx.db.selectFrom("cases").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    const outcomes = await Promise.allSettled(reports.map((one) => t.ctx.reports.write(one)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const after = await t.ctx.db.selectFrom("cases").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    expect(Number(after.n) - Number(before.n)).toBe(2);
    const orphans = await t.ctx.db.selectFrom("case_events").select("id").where("case_id", "=", reports[1].case.id).execute();
    expect(orphans).toEqual([]);
    // The same batch written as one statement fails whole: the writer's retry is what isolates it.
    await expect(insertReportedCases(t.ctx.db, [reportOf(null), reportOf("no.such.category")], t.ctx.config.duplicates)).rejects.toThrow();
  });

  it("writes the reports that came while every connection was busy in one statement, once a connection is free", async () => {
    const reportOf = await reportMaker();
    const batches: number[] = [];
    const counting: KyselyPlugin = {
      transformQuery: ({ node }) => node,
      transformResult: async ({ result }) => {
        if (result.rows[0] && "nearby" in result.rows[0]) batches.push(result.rows.length);
        return result;
      },
    };
    const writer = new ReportWriter(t.ctx.db.withPlugin(counting), t.ctx.config.duplicates);
    let release = () => {};
    const busy = new Promise<void>((resolve) => (release = resolve));
    const taken: Promise<void>[] = [];
    const held = Array.from({ length: t.database.connections }, () => {
      let took = () => {};
      taken.push(new Promise<void>((resolve) => (took = resolve)));
      return t.ctx.db.connection().execute(async () => {
        took();
        await busy;
      });
    });
    await Promise.all(taken);
    const reports = Array.from({ length: 10 }, () => reportOf(null));
    const written = Promise.all(reports.map((one) => writer.write(one)));
    release();
    await Promise.all(held);
    expect((await written).map(({ row }) => row.id)).toEqual(reports.map((one) => one.case.id));
    expect(batches).toEqual([10]);
  });

  it("refuses a logged-out session at once, though it was just used", async () => {
    const cookie = await t.login("seat-02");
    expect((await t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: "POST", url: "/api/v1/auth/logout", headers: { cookie } })).statusCode).toBe(204);
    expect((await t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie } })).statusCode).toBe(401);
  });
});

describe("the public limit", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp("demo", { PUBLIC_REQUESTS_PER_MINUTE: "3" });
  });
  afterAll(() => t.close());

  it("refuses an address's anonymous reports past the limit with 429 and writes nothing; signed-in callers count under their own limit", async () => {
    const body = { description: "路灯不亮了", gridCode: "530103001001001" };
    const anonymous = () => t.app.inject({ method: "POST", url: "/api/v1/cases", payload: body, remoteAddress: "203.0.113.7" });
    const answers = [await anonymous(), await anonymous(), await anonymous(), await anonymous()];
    expect(answers.map((answer) => answer.statusCode)).toEqual([201, 201, 201, 429]);
    expect(answers[3].json().error.code).toBe("rate_limited");
    expect(Number(answers[3].headers["retry-after"])).toBeGreaterThan(0);
    const count = await t.ctx.db.selectFrom("cases").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(3);

    const other = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: body, remoteAddress: "203.0.113.8" });
    expect(other.statusCode).toBe(201);
    const login = await t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username: "seat-01", password: "demo-pass-123" }, remoteAddress: "203.0.113.9" });
    const cookie = String(login.headers["set-cookie"]).split(";")[0];
    for (let i = 0; i < 5; i++) {
      const signedIn = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: body, headers: { cookie }, remoteAddress: "203.0.113.9" });
      expect(signedIn.statusCode).toBe(201);
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertGroup } from "./case-sets.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

const COMMUNITY = "530103001001";

describe("indicators", () => {
  let t: TestApp;
  let leader: string;

  beforeAll(async () => {
    t = await createTestApp("demo");
    leader = await t.login("leader");
  });
  afterAll(() => t.close());

  const indicators = async (query: string) => {
    const response = await t.app.inject({ method: "GET", url: `/api/v1/indicators?${query}`, headers: { cookie: leader } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };
  const percent = (rate: number | null) => (rate === null ? null : (rate * 100).toFixed(2));

  it("reproduces Zhengzhou's monthly report to two decimals", async () => {
    // November 2025. 51,571 reported, 51,229 registered and due in the month (342 never registered),
    // 49,151 dispatched; 1,205 closed in November after an October deadline (carried: due in
    // November too). Of the 51,229: 40,394 closed on time, 1,924 closed late within the month,
    // 8,911 still open (2,078 of them never dispatched).
    const reg = { created: "2025-11-03", registered: "2025-11-03", deadline: "2025-11-14" };
    await insertGroup(t.ctx.db, { ...reg, count: 40_394, dispatched: "2025-11-03", handled: "2025-11-06", closed: "2025-11-07", status: "closed", reworked: 200, extended: 80 });
    await insertGroup(t.ctx.db, { ...reg, count: 1_924, dispatched: "2025-11-03", handled: "2025-11-18", closed: "2025-11-19", status: "closed", reworked: 40, extended: 10 });
    await insertGroup(t.ctx.db, { ...reg, count: 8_911 - 2_078, dispatched: "2025-11-03", status: "in_progress", reworked: 20, extended: 14 });
    await insertGroup(t.ctx.db, { ...reg, count: 2_078, status: "registered" });
    await insertGroup(t.ctx.db, { count: 342, created: "2025-11-20", deadline: "2025-12-05", status: "reported" });
    await insertGroup(t.ctx.db, { count: 1_205, created: "2025-10-09", registered: "2025-10-09", dispatched: "2025-10-09", deadline: "2025-10-20", handled: "2025-11-04", closed: "2025-11-05", status: "closed", reworked: 16 });

    const { total } = await indicators("division=530103&from=2025-11-01&to=2025-11-30");
    expect(total).toMatchObject({ accepted: 51_571, registered: 51_229, dispatched: 49_151, dueToClose: 52_434, closed: 43_523, closedOnTime: 40_394, reworked: 276, extended: 104 });
    expect([total.registrationRate, total.dispatchRate, total.closureRate, total.onTimeClosureRate, total.reworkRate, total.extensionRate].map(percent)).toEqual([
      "99.34", "95.94", "83.01", "77.04", "0.53", "0.20",
    ]);
  });

  it("reproduces Huai'an's closure and handling rates, and Tianmen's closure rate", async () => {
    // August 2025, Huai'an: 14,173 due to close, all dispatched; 13,117 closed on time, 451 more
    // handled on time and closed late; 517 handled in August after a July deadline, not closed
    // yet, so due to handle in August (14,690) but not due to close.
    const due = { created: "2025-08-04", registered: "2025-08-04", dispatched: "2025-08-04", deadline: "2025-08-15" };
    await insertGroup(t.ctx.db, { ...due, count: 13_117, handled: "2025-08-08", closed: "2025-08-09", status: "closed" });
    await insertGroup(t.ctx.db, { ...due, count: 451, handled: "2025-08-10", closed: "2025-08-20", status: "closed" });
    await insertGroup(t.ctx.db, { ...due, count: 14_173 - 13_117 - 451, handled: "2025-08-22", status: "handled" });
    await insertGroup(t.ctx.db, { count: 517, created: "2025-07-01", registered: "2025-07-01", dispatched: "2025-07-01", deadline: "2025-07-10", handled: "2025-08-05", status: "handled" });
    const huaian = (await indicators("division=530103&from=2025-08-01&to=2025-08-31")).total;
    expect(huaian).toMatchObject({ dueToClose: 14_173, closedOnTime: 13_117, dueToHandle: 14_690, handledOnTime: 13_568 });
    expect([percent(huaian.onTimeClosureRate), percent(huaian.onTimeHandlingRate)]).toEqual(["92.55", "92.36"]);

    // May 2025, Tianmen: 972 due, 911 closed.
    const may = { created: "2025-05-06", registered: "2025-05-06", dispatched: "2025-05-06", deadline: "2025-05-16" };
    await insertGroup(t.ctx.db, { ...may, count: 911, handled: "2025-05-12", closed: "2025-05-13", status: "closed" });
    await insertGroup(t.ctx.db, { ...may, count: 61, status: "in_progress" });
    const tianmen = (await indicators("division=530103&from=2025-05-01&to=2025-05-31")).total;
    expect([tianmen.dueToClose, tianmen.closed, percent(tianmen.closureRate)]).toEqual([972, 911, "93.72"]);
  });

  it("counts the hotline's three rates (三率): responded, resolved and satisfied", async () => {
    // A hotline month built by hand, March 2025: 1,250 work orders dispatched, 1,203 acknowledged
    // within the response limit; 1,100 closed, 1,000 of them rated: 812 满意, 141 基本满意, 47
    // 不满意, and 936 said solved. 响应率 1,203 / 1,250 = 96.24%; 解决率 936 / 1,000 = 93.60%;
    // 满意率 (812 + 141) / 1,000 = 95.30%.
    const march = { created: "2025-03-10", registered: "2025-03-10", dispatched: "2025-03-10", deadline: "2025-03-20" };
    await insertGroup(t.ctx.db, { ...march, count: 1_100, handled: "2025-03-13", closed: "2025-03-14", status: "closed", responded: 1_080, rated: 1_000, satisfied: 812, basicallySatisfied: 141, resolved: 936 });
    await insertGroup(t.ctx.db, { ...march, count: 150, status: "in_progress", responded: 123 });
    const { total } = await indicators("division=530103&from=2025-03-01&to=2025-03-31");
    expect(total).toMatchObject({ dispatched: 1_250, responded: 1_203, rated: 1_000, resolved: 936, satisfied: 953 });
    expect([total.responseRate, total.resolutionRate, total.satisfactionRate].map(percent)).toEqual(["96.24", "93.60", "95.30"]);
    // Every one of the three is a list of cases too.
    for (const [counted, expected] of [["responded", 1_203], ["resolved", 936], ["satisfied", 953]] as const) {
      let listed = 0;
      let cursor: string | null = null;
      do {
        const page: { statusCode: number; body: string; json(): { cases: unknown[]; nextCursor: string | null } } = await t.app.inject({
          method: "GET",
          url: `/api/v1/cases?counted=${counted}&from=2025-03-01&to=2025-03-31&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
          headers: { cookie: leader },
        });
        expect(page.statusCode, page.body).toBe(200);
        listed += page.json().cases.length;
        cursor = page.json().nextCursor;
      } while (cursor);
      expect([counted, listed]).toEqual([counted, expected]);
    }
  });

  it("answers per street, per day and per category, the groups adding up to the total", async () => {
    const byStreet = await indicators("division=530103&from=2025-11-01&to=2025-11-30&groupBy=street");
    expect(byStreet.rows).toEqual([expect.objectContaining({ key: "530103001", name: expect.any(String) })]);
    expect(byStreet.rows[0].figures).toEqual(byStreet.total);
    const byDay = await indicators("division=530103&from=2025-11-01&to=2025-11-30&groupBy=day");
    const sum = (name: string) => byDay.rows.reduce((total: number, row: { figures: Record<string, number> }) => total + row.figures[name], 0);
    expect(sum("accepted")).toBe(byDay.total.accepted);
    expect(sum("closedOnTime")).toBe(byDay.total.closedOnTime);
    const byCategory = await indicators("division=530103001&from=2025-11-01&to=2025-11-30&groupBy=category");
    expect(byCategory.rows.map((row: { key: string; name: string }) => [row.key, row.name])).toEqual([["component.public_facility.street_light", expect.stringContaining("路灯")]]);
  });

  it("groups by finder only staff, with only the figures counted per finder: a resident who reported is no group", async () => {
    const users = await t.ctx.db.selectFrom("users").select(["id", "username"]).where("username", "in", ["resident", "gw-530103001001-1"]).execute();
    const idOf = (username: string) => users.find((user) => user.username === username)!.id;
    for (const username of ["resident", "gw-530103001001-1"]) {
      const cookie = await t.login(username);
      const report = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: { description: "指标测试：井盖缺失", gridCode: `${COMMUNITY}001` }, headers: { cookie } });
      expect(report.statusCode, report.body).toBe(201);
    }
    const byFinder = await indicators("division=530103&groupBy=reporter");
    const keys = byFinder.rows.map((row: { key: string }) => row.key);
    expect(keys).toContain(idOf("gw-530103001001-1"));
    expect(keys).not.toContain(idOf("resident"));
    expect(keys).not.toContain("");
    // Reports and cases handled on the spot; closures and the rest are not counted by finder, so absent rather than zero.
    expect(byFinder.rows.find((row: { key: string }) => row.key === idOf("gw-530103001001-1")).figures).toEqual({ accepted: 1, onSpot: 0 });
    expect(Object.keys(byFinder.total)).toContain("closureRate");
  });

  it("lists the cases behind a figure with the case list's counted filter", async () => {
    const list = await t.app.inject({
      method: "GET",
      url: "/api/v1/cases?counted=closed&from=2025-05-01&to=2025-05-31&division=530103001&limit=200",
      headers: { cookie: leader },
    });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().cases).toHaveLength(200);
    const missing = await t.app.inject({ method: "GET", url: "/api/v1/cases?counted=closed&from=2025-05-01", headers: { cookie: leader } });
    expect([missing.statusCode, missing.json().error.code]).toEqual([400, "invalid_period"]);
  });

  it("refuses another street's indicators as a division that does not exist, and bad periods and groupings", async () => {
    const streetLeader = await t.login("leader-002");
    const other = await t.app.inject({ method: "GET", url: "/api/v1/indicators?division=530103001", headers: { cookie: streetLeader } });
    expect([other.statusCode, other.json().error.code]).toEqual([404, "division_not_found"]);
    const own = await t.app.inject({ method: "GET", url: "/api/v1/indicators?division=530103002&groupBy=community", headers: { cookie: streetLeader } });
    expect(own.statusCode).toBe(200);
    const reversed = await t.app.inject({ method: "GET", url: "/api/v1/indicators?from=2025-11-30&to=2025-11-01", headers: { cookie: leader } });
    expect([reversed.statusCode, reversed.json().error.code]).toEqual([400, "invalid_period"]);
    const grid = await t.app.inject({ method: "GET", url: `/api/v1/indicators?division=${COMMUNITY}001&groupBy=category`, headers: { cookie: leader } });
    expect([grid.statusCode, grid.json().error.code]).toEqual([422, "grouping_not_available"]);
    const handler = await t.login("handler-cgj-1");
    const forbidden = await t.app.inject({ method: "GET", url: "/api/v1/indicators", headers: { cookie: handler } });
    expect(forbidden.statusCode).toBe(403);
  });
});

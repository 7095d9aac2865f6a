import fc from "fast-check";
import { sql } from "kysely";
import { uuidv7 } from "../src/ids.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";

type Summary = { id: string; status: string; reporterPhone: string | null; deadline: string | null; handleWorkingMinutes: number | null };
type Page = { cases: Summary[]; nextCursor: string | null };

const USERS = [
  "community-530103001001",
  "dispatcher-001-1",
  "dispatcher",
  "dispatcher-002-1",
  "gw-530103001001-1",
  "handler-cgj-1",
  "admin",
];

// Grids of 尚义社区 (street 530103001) and of a community of another street (530103002).
const SHANGYI = "530103001001001";
const OTHER_STREET = "530103002001001";

describe("case queues and search", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  /** The cases of this file by name, in the order they were reported. */
  const ids: Record<string, string> = {};
  const order: string[] = [];

  const list = (who: string, query = "") => t.app.inject({ method: "GET", url: `/api/v1/cases${query ? `?${query}` : ""}`, headers: { cookie: cookies[who] } });
  async function page(who: string, query = ""): Promise<Page> {
    const response = await list(who, query);
    expect(response.statusCode, `${who} ?${query}: ${response.body}`).toBe(200);
    return response.json();
  }
  /** The names of the cases a listing returns, as a sorted list. */
  async function names(who: string, query = ""): Promise<string[]> {
    const byId = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
    return (await page(who, `limit=200&${query}`)).cases.map((summary) => byId.get(summary.id) ?? summary.id).sort();
  }

  async function report(name: string, who: string, body: Record<string, unknown>) {
    const response = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: body, headers: { cookie: cookies[who] } });
    expect(response.statusCode, response.body).toBe(201);
    ids[name] = response.json().case.id;
    order.push(name);
  }
  async function act(who: string, name: string, body: Record<string, unknown>) {
    const current = await t.app.inject({ method: "GET", url: `/api/v1/cases/${ids[name]}`, headers: { cookie: cookies[who] } });
    const response = await t.app.inject({
      method: "POST",
      url: `/api/v1/cases/${ids[name]}/transitions`,
      payload: body,
      headers: { cookie: cookies[who], "if-match": String(current.headers.etag) },
    });
    expect(response.statusCode, `${who} ${name} ${JSON.stringify(body)}: ${response.body}`).toBe(200);
  }
  const setHandleBy = (name: string, at: Date) => t.ctx.db.updateTable("cases").set({ handle_by: at }).where("id", "=", ids[name]).execute();
  const hours = (n: number) => new Date(Date.now() + n * 3600_000);

  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of USERS) cookies[username] = await t.login(username);

    await report("manhole", "gw-530103001001-1", { description: "小区门口的井盖不见了", gridCode: SHANGYI, reporter: { name: "李先生", phone: "13812345678" } });
    await report("neighbour", "admin", { description: "楼上漏水好几天了，敲门没人应", gridCode: SHANGYI, categoryCode: "governance.dispute.neighbour", source: "hotline" });
    await report("medical", "admin", { description: "社区医院看病排队太久", gridCode: SHANGYI, categoryCode: "governance.livelihood.medical" });
    await report("streetlight", "admin", { description: "路灯不亮了，晚上很黑", gridCode: OTHER_STREET, reporter: { phone: "13900001111" } });
    await report("dispatched", "admin", { description: "垃圾桶满了没人清理", gridCode: SHANGYI });
    await report("rejected", "admin", { description: "重复上报的事情", gridCode: SHANGYI });
    await report("overdue", "admin", { description: "人行道地砖松动", gridCode: SHANGYI });
    await report("near_due", "admin", { description: "树枝挡住了小路", gridCode: SHANGYI });
    await report("wages", "admin", { description: "工地拖欠工资三个月", gridCode: SHANGYI, categoryCode: "governance.dispute.labour" });
    await report("wages_cgj", "admin", { description: "包工头欠薪跑路", gridCode: SHANGYI, categoryCode: "governance.dispute.labour" });

    await act("community-530103001001", "dispatched", { action: "accept" });
    await act("community-530103001001", "dispatched", { action: "register" });
    await act("community-530103001001", "dispatched", { action: "dispatch", to: { divisionCode: "530103001001" } });
    await act("community-530103001001", "rejected", { action: "accept" });
    await act("community-530103001001", "rejected", { action: "reject", reasonCode: "duplicate", note: "重复上报" });
    await act("dispatcher", "wages_cgj", { action: "accept" });
    await act("dispatcher", "wages_cgj", { action: "register" });
    await act("dispatcher", "wages_cgj", { action: "dispatch", to: { departmentCode: "cgj" } });
    await setHandleBy("overdue", hours(-1));
    await setHandleBy("near_due", hours(2));
    await setHandleBy("rejected", hours(-1)); // finished: never overdue
  });
  afterAll(() => t.close());

  it("lists the cases in the caller's scope, newest first, phones masked", async () => {
    const all = await page("admin", "limit=200");
    expect(all.cases.map((summary) => summary.id)).toEqual(order.map((name) => ids[name]).reverse());
    expect(all.nextCursor).toBeNull();
    expect((await page("admin")).cases).toHaveLength(order.length); // the default limit is 50
    const manhole = all.cases.find((summary) => summary.id === ids.manhole);
    expect(manhole).toMatchObject({ status: "reported", level: "community", communityCode: "530103001001", streetCode: "530103001", source: "grid_worker", reporterPhone: "138****5678", deadline: "on_time" });
    const body = (await list("admin", "limit=200")).body;
    expect(body).not.toContain("13812345678");
    expect(body).not.toContain("13900001111");

    expect(await names("dispatcher-002-1")).toEqual(["streetlight"]);
    expect(await names("dispatcher-001-1")).toEqual(order.filter((name) => name !== "streetlight").sort());
    expect(await names("community-530103001001")).toEqual(order.filter((name) => name !== "streetlight").sort());
    expect(await names("admin", "division=530103002")).toEqual(["streetlight"]);
    expect(await names("dispatcher-001-1", "division=530103001001")).toEqual(order.filter((name) => name !== "streetlight").sort());
  });

  it("exports the matching cases of the caller's scope as CSV, phones masked, formulas defused, audited", async () => {
    const response = await t.app.inject({ method: "GET", url: "/api/v1/cases/export?status=reported", headers: { cookie: cookies["dispatcher-001-1"] } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/csv/);
    expect(response.headers["content-disposition"]).toMatch(/^attachment; filename="cases-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(response.body.startsWith("\uFEFFnumber,status,")).toBe(true);
    const lines = response.body.slice(1).trim().split("\r\n");
    const reported = (await page("dispatcher-001-1", "limit=200&status=reported")).cases;
    expect(lines).toHaveLength(reported.length + 1);
    expect(response.body).toContain("138****5678");
    expect(response.body).not.toContain("13812345678");
    expect(response.body).not.toContain("13900001111"); // the other street's case
    const audit = await t.ctx.db.selectFrom("audit_log").select(["details"]).where("action", "=", "case.export").execute();
    expect(audit.at(-1)?.details).toMatchObject({ count: reported.length, query: { statuses: ["reported"] } });

    expect((await t.app.inject({ method: "GET", url: "/api/v1/cases/export", headers: { cookie: cookies["gw-530103001001-1"] } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: "GET", url: "/api/v1/cases/export?division=530103002", headers: { cookie: cookies["dispatcher-001-1"] } })).statusCode).toBe(404);
  });

  it("counts a division's cases by status, open and overdue, per division one level below", async () => {
    const stats = async (who: string, query = "") => {
      const response = await t.app.inject({ method: "GET", url: `/api/v1/cases/stats${query}`, headers: { cookie: cookies[who] } });
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    };
    const district = await stats("admin");
    const all = (await page("admin", "limit=200")).cases;
    expect(district.division).toBe("530103");
    expect(district.total).toBe(all.length);
    expect(district.overdue).toBe(all.filter((summary) => summary.deadline === "overdue").length);
    expect(district.byStatus).toEqual(all.reduce<Record<string, number>>((counts, summary) => ({ ...counts, [summary.status]: (counts[summary.status] ?? 0) + 1 }), {}));
    expect(district.children.map((child: { code: string }) => child.code)).toEqual(["530103001", "530103002"]);
    expect(district.children[1]).toMatchObject({ code: "530103002", total: 1, open: 1, overdue: 0 });

    const street = await stats("dispatcher-001-1");
    expect(street.division).toBe("530103001");
    expect(street.total).toBe(all.length - 1);
    expect(street.children.map((child: { code: string }) => child.code)).toEqual(["530103001001"]);
    const community = await stats("dispatcher-001-1", "?division=530103001001");
    expect(community.children.map((child: { code: string }) => child.code)).toEqual(["530103001001001"]);
    const outside = await t.app.inject({ method: "GET", url: "/api/v1/cases/stats?division=530103002", headers: { cookie: cookies["dispatcher-001-1"] } });
    expect([outside.statusCode, outside.json().error.code]).toEqual([404, "division_not_found"]);
  });

  it("answers 404 for a division outside the caller's scope", async () => {
    for (const [who, division] of [
      ["dispatcher-002-1", "530103001"],
      ["dispatcher-002-1", "530103001001"],
      ["dispatcher-001-1", "530103"],
      ["admin", "530102"],
    ]) {
      const response = await list(who, `division=${division}`);
      expect([response.statusCode, response.json().error.code], `${who} ${division}`).toEqual([404, "division_not_found"]);
    }
  });

  it("fills the mine queue with the work dispatched to the caller, their department or division", async () => {
    expect(await names("community-530103001001", "queue=mine")).toEqual(["dispatched"]);
    expect(await names("handler-cgj-1", "queue=mine")).toEqual(["wages_cgj"]);
    // A grid worker works what is dispatched to their community; a dispatcher is no assignee.
    expect(await names("gw-530103001001-1", "queue=mine")).toEqual(["dispatched"]);
    expect(await names("dispatcher-001-1", "queue=mine")).toEqual([]);
  });

  it("fills the centre queue with the cases waiting for the caller's centre at their level", async () => {
    expect(await names("community-530103001001", "queue=centre")).toEqual(["manhole", "near_due", "neighbour", "overdue"]);
    expect(await names("dispatcher-001-1", "queue=centre")).toEqual(["medical"]);
    expect(await names("dispatcher", "queue=centre")).toEqual(["wages"]);
    expect(await names("dispatcher-002-1", "queue=centre")).toEqual([]);
  });

  it("fills the deadline queues with open cases and marks every case's deadline", async () => {
    expect(await names("admin", "queue=overdue")).toEqual(["overdue"]);
    expect(await names("admin", "queue=near_due")).toEqual(["near_due"]);
    expect(await names("dispatcher-002-1", "queue=overdue")).toEqual([]);
    expect(await names("admin", "queue=overdue&division=530103002")).toEqual([]);
    const deadlines = Object.fromEntries((await page("admin", "limit=200")).cases.map((summary) => [summary.id, summary.deadline]));
    expect(deadlines[ids.overdue]).toBe("overdue");
    expect(deadlines[ids.near_due]).toBe("near_due");
    expect(deadlines[ids.rejected]).toBeNull();
    expect(deadlines[ids.dispatched]).toBe("on_time");
  });

  it("tells each open case's working minutes to its handling deadline, negative past it, as its deadline says", async () => {
    const left = Object.fromEntries((await page("admin", "limit=200")).cases.map((summary) => [summary.id, summary.handleWorkingMinutes]));
    // On a working day an hour past is 60 working minutes past; on a day off, none have passed.
    expect(left[ids.overdue]).toBeLessThanOrEqual(0);
    expect(left[ids.overdue]).toBeGreaterThanOrEqual(-60);
    expect(left[ids.near_due]).toBeGreaterThanOrEqual(0);
    expect(left[ids.near_due]).toBeLessThanOrEqual(4 * 60);
    expect(left[ids.dispatched]).toBeGreaterThan(4 * 60);
    expect(left[ids.rejected]).toBeNull();
  });

  it("filters by status, category with its subcategories, level and source", async () => {
    expect(await names("admin", "status=dispatched")).toEqual(["dispatched", "wages_cgj"]);
    expect(await names("admin", "status=dispatched,rejected")).toEqual(["dispatched", "rejected", "wages_cgj"]);
    expect(await names("community-530103001001", "queue=centre&status=accepted")).toEqual([]);
    expect(await names("admin", "category=governance.dispute")).toEqual(["neighbour", "wages", "wages_cgj"]);
    expect(await names("admin", "category=governance.dispute.neighbour")).toEqual(["neighbour"]);
    expect(await names("admin", "category=governance")).toEqual(["medical", "neighbour", "wages", "wages_cgj"]);
    expect(await names("admin", "category=governance.dis")).toEqual([]);
    expect(await names("admin", "level=street")).toEqual(["medical"]);
    expect(await names("admin", "level=district")).toEqual(["wages", "wages_cgj"]);
    expect(await names("admin", "source=hotline")).toEqual(["neighbour"]);
    expect(await names("admin", "source=grid_worker&status=reported")).toEqual(["manhole"]);
  });

  it("filters by creation day in China Standard Time", async () => {
    const setCreated = (name: string, at: string) => t.ctx.db.updateTable("cases").set({ created_at: new Date(at) }).where("id", "=", ids[name]).execute();
    const originals = await t.ctx.db.selectFrom("cases").select(["id", "created_at"]).where("id", "in", [ids.manhole, ids.neighbour]).execute();
    await setCreated("manhole", "2026-01-15T23:30:00+08:00");
    await setCreated("neighbour", "2026-01-16T07:30:00+08:00"); // still 2026-01-15 in UTC
    try {
      expect(await names("admin", "from=2026-01-15&to=2026-01-15")).toEqual(["manhole"]);
      expect(await names("admin", "from=2026-01-16&to=2026-01-16")).toEqual(["neighbour"]);
      expect(await names("admin", "to=2026-01-16")).toEqual(["manhole", "neighbour"]);
      expect(await names("admin", "to=2026-01-14")).toEqual([]);
      const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
      expect(await names("admin", `from=${today}`)).toEqual(order.filter((name) => name !== "manhole" && name !== "neighbour").sort());
    } finally {
      for (const row of originals) await t.ctx.db.updateTable("cases").set({ created_at: row.created_at }).where("id", "=", row.id).execute();
    }
  });

  it("searches Chinese text: every word of the query must occur", async () => {
    expect(await names("admin", `q=${encodeURIComponent("井盖")}`)).toEqual(["manhole"]);
    expect(await names("admin", `q=${encodeURIComponent("门口 井盖")}`)).toEqual(["manhole"]);
    expect(await names("admin", `q=${encodeURIComponent("井盖 路灯")}`)).toEqual([]);
    expect(await names("admin", `q=${encodeURIComponent("欠薪")}`)).toEqual(["wages_cgj"]);
    expect(await names("admin", `q=${encodeURIComponent("路灯")}`)).toEqual(["streetlight"]);
    // Found by its text, but outside the caller's scope.
    expect(await names("dispatcher-001-1", `q=${encodeURIComponent("路灯")}`)).toEqual([]);
    // Nothing searchable: stop words, punctuation, LIKE wildcards.
    expect(await names("admin", `q=${encodeURIComponent("的")}`)).toEqual([]);
    expect(await names("admin", `q=${encodeURIComponent("%_")}`)).toEqual([]);
  });

  it("finds a case by its number, or by the number's day and ordinal in the caller's district", async () => {
    const { number } = (await t.app.inject({ method: "GET", url: `/api/v1/cases/${ids.manhole}`, headers: { cookie: cookies.admin } })).json().case;
    expect(await names("admin", `q=${encodeURIComponent(number)}`)).toEqual(["manhole"]);
    expect(await names("admin", `q=${encodeURIComponent(number.slice(7))}`)).toEqual(["manhole"]);
    expect(await names("dispatcher-002-1", `q=${encodeURIComponent(number)}`)).toEqual([]);
    expect(await names("admin", `q=${encodeURIComponent(`${number}9`)}`)).toEqual([]);
  });

  it("pages with a cursor through every case exactly once, also where creation times tie", async () => {
    // Three cases created in the same microsecond (the id breaks the tie) and one a fraction of a
    // millisecond later, which a cursor of JavaScript Date precision would skip.
    const setCreated = (names: string[], at: string) =>
      t.ctx.db.updateTable("cases").set({ created_at: sql<Date>`${at}::timestamptz` }).where("id", "in", names.map((name) => ids[name])).execute();
    await setCreated(["rejected", "dispatched", "overdue"], "2026-06-01T00:00:00.123456Z");
    await setCreated(["near_due"], "2026-06-01T00:00:00.123789Z");
    const expected = (await page("admin", "limit=200")).cases.map((summary) => summary.id);
    expect(new Set(expected).size).toBe(order.length);

    for (const [limit, query] of [[1, ""], [3, ""], [4, ""], [2, "status=reported"]] as const) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const next: Page = await page("admin", `limit=${limit}${query ? `&${query}` : ""}${cursor ? `&cursor=${cursor}` : ""}`);
        expect(next.cases.length).toBeLessThanOrEqual(limit);
        seen.push(...next.cases.map((summary) => summary.id));
        cursor = next.nextCursor;
        pages++;
      } while (cursor && pages < 50);
      const wanted = query ? (await page("admin", `limit=200&${query}`)).cases.map((summary) => summary.id) : expected;
      expect(seen, `limit=${limit} ${query}`).toEqual(wanted);
      expect(pages).toBe(Math.max(1, Math.ceil(wanted.length / limit)));
    }
  });

  it("refuses a bad cursor, an unknown parameter and bad values with 400", async () => {
    const encode = (text: string) => Buffer.from(text).toString("base64url");
    for (const cursor of [
      "not*base64",
      encode("hello"),
      encode("2026-02-30T00:00:00.000000Z|0190b2f4-0000-7000-8000-000000000000"),
      encode("2026-01-01T00:00:00.000000Z|not-a-uuid"),
      encode("2026-01-01T00:00:00.000000Z|0190b2f4-0000-7000-8000-000000000000|x"),
      encode("0000-01-01T00:00:00.000000Z|0190b2f4-0000-7000-8000-000000000000"),
      encode("0000-12-31T23:59:59.999999Z|0190b2f4-0000-7000-8000-000000000000"),
      "A".repeat(300),
    ]) {
      const response = await list("admin", `cursor=${encodeURIComponent(cursor)}`);
      expect([response.statusCode, response.json().error.code], cursor).toEqual([400, "invalid_cursor"]);
    }
    // Any cursor of the right shape is a page or a 400, never a failure of the database.
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(fc.stringMatching(/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$/), fc.uuid()),
        fc.constantFrom("", "&queue=overdue", "&from=0000-01-01", "&to=9999-12-31"),
        async ([at, id], query) => {
          const response = await list("admin", `cursor=${encode(`${at}|${id}`)}${query}`);
          expect([200, 400], `${at} ${query}: ${response.body}`).toContain(response.statusCode);
          if (response.statusCode === 400) expect(response.json().error.code).toBe("invalid_cursor");
        },
      ),
      { seed: 20261203, numRuns: 60 },
    );
    for (const query of ["foo=1", "limit=0", "limit=201", "status=bogus", "status=reported,", "queue=everything", "level=city", "from=2026-13-01", "division=5301030010", "category=Bad%20Code"]) {
      const response = await list("admin", query);
      expect([response.statusCode, response.json().error.code], query).toEqual([400, "validation_failed"]);
    }
  });
});

describe("case lists over more cases than a search window or an export page", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  const get = (who: string, url: string) => t.app.inject({ method: "GET", url, headers: { cookie: cookies[who] } });
  const ids = async (who: string, query: string) => {
    const response = await get(who, `/api/v1/cases?limit=200&${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as Page).cases.map((summary) => summary.id);
  };
  /** Copies of a reported case, `count` of them, each a minute newer than the one before, from `start`. */
  async function copies(id: string, count: number, start: Date, changes: Record<string, string>): Promise<string[]> {
    const row = await t.ctx.db.selectFrom("cases").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    const rows = Array.from({ length: count }, (_, k) => ({
      ...row,
      ...changes,
      assignment: null,
      answers: "{}",
      co_handlers: "[]",
      return_request: null,
      id: uuidv7(),
      number: `${row.number}-${changes.street_code ?? ""}${k}`,
      created_at: new Date(start.getTime() + k * 60_000),
    }));
    for (let k = 0; k < rows.length; k += 250) await t.ctx.db.insertInto("cases").values(rows.slice(k, k + 250)).execute();
    return rows.map((copy) => copy.id);
  }
  let older: string;
  let newer: string;
  let street9: string[];
  let spread: string[];

  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of ["admin", "dispatcher-001-1", "dispatcher-009-1", "dispatcher-010-1", "community-530103001001"]) cookies[username] = await t.login(username);
    const report = async (description: string, gridCode: string) => {
      const response = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: { description, gridCode }, headers: { cookie: cookies.admin } });
      expect(response.statusCode, response.body).toBe(201);
      return response.json().case.id as string;
    };
    older = await report("小区门口的井盖不见了", SHANGYI);
    const filler = await report("路灯不亮了", SHANGYI);
    newer = await report("井盖又丢了一个", SHANGYI);
    const base = Date.now() - 3 * 86_400_000;
    await t.ctx.db.updateTable("cases").set({ created_at: new Date(base - 2 * 60_000) }).where("id", "=", older).execute();
    await t.ctx.db.updateTable("cases").set({ created_at: new Date(base + 86_400_000) }).where("id", "=", newer).execute();
    // 2,500 cases between the two matches, more than a search looks through before asking its index.
    await copies(filler, 2_500, new Date(base), {});
    // Cases of two streets whose codes differ in the last digits: 530103009 and 530103010.
    const gridOf = (street: string) =>
      t.ctx.db.selectFrom("grids").select(["code", "community_code"]).where("code", "like", `${street}%`).orderBy("code").executeTakeFirstOrThrow();
    const grid9 = await gridOf("530103009");
    const grid10 = await gridOf("530103010");
    street9 = await copies(filler, 30, new Date(base), { grid_code: grid9.code, community_code: grid9.community_code, street_code: "530103009" });
    await copies(filler, 20, new Date(base), { grid_code: grid10.code, community_code: grid10.community_code, street_code: "530103010" });
    // 130 more matches older still, one every 11 hours over two months: many search periods.
    const start = new Date(base - 86_400_000 - 130 * 11 * 3_600_000);
    spread = await copies(newer, 130, start, {});
    for (const [k, id] of spread.entries()) {
      await t.ctx.db.updateTable("cases").set({ created_at: new Date(start.getTime() + k * 11 * 3_600_000) }).where("id", "=", id).execute();
    }
  });
  afterAll(() => t.close());

  it("searches past the newest cases through the index and keeps the newest first", async () => {
    expect(await ids("admin", `q=${encodeURIComponent("井盖")}`)).toEqual([newer, older, ...[...spread].reverse()]);
    expect(await ids("admin", `q=${encodeURIComponent("井盖 门口")}`)).toEqual([older]);
  });

  it("pages a search back through its periods in creation order, each match once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await get("admin", `/api/v1/cases?limit=7&q=${encodeURIComponent("丢了 井盖")}${cursor ? `&cursor=${cursor}` : ""}`);
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json() as Page;
      seen.push(...page.cases.map((summary) => summary.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([newer, ...[...spread].reverse()]);
    // A lone character, which no term indexes, and a term together.
    expect(await ids("admin", `q=${encodeURIComponent("丢 井盖")}`)).toEqual([newer, ...[...spread].reverse()]);
  });

  it("keeps a street's cases to its own code, not the street whose code follows it", async () => {
    expect((await ids("dispatcher-009-1", "")).sort()).toEqual([...street9].sort());
    expect(await ids("dispatcher-010-1", "")).toHaveLength(20);
    expect((await ids("admin", "division=530103009")).sort()).toEqual([...street9].sort());
  });

  it("searches a street's or a community's cases through the index, and no other street's", async () => {
    const grid9 = await t.ctx.db.selectFrom("grids").select(["code", "community_code"]).where("code", "like", "530103009%").orderBy("code").executeTakeFirstOrThrow();
    // Matches in another street, older than the periods a search walks one by one.
    const elsewhere = await copies(newer, 3, new Date(Date.now() - 90 * 86_400_000), { grid_code: grid9.code, community_code: grid9.community_code, street_code: "530103009" });
    const here = [newer, older, ...[...spread].reverse()];
    expect(await ids("dispatcher-001-1", `q=${encodeURIComponent("井盖")}`)).toEqual(here);
    expect(await ids("community-530103001001", `q=${encodeURIComponent("井盖")}`)).toEqual(here);
    expect(await ids("dispatcher-009-1", `q=${encodeURIComponent("井盖")}`)).toEqual([...elsewhere].reverse());
    expect(await ids("admin", `q=${encodeURIComponent("井盖")}`)).toEqual([...here, ...[...elsewhere].reverse()]);
    expect(await ids("admin", `division=530103009&q=${encodeURIComponent("井盖")}`)).toEqual([...elsewhere].reverse());
  });

  it("exports every matching case across pages, in the list's order", async () => {
    const response = await get("admin", "/api/v1/cases/export");
    expect(response.statusCode, response.body.slice(0, 200)).toBe(200);
    const lines = response.body.slice(1).trimEnd().split("\r\n");
    const total = await t.ctx.db.selectFrom("cases").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    expect(lines).toHaveLength(Number(total.n) + 1);
    const numbers = await t.ctx.db.selectFrom("cases").select("number").orderBy("created_at", "desc").orderBy("id", "desc").execute();
    expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual(numbers.map((row) => row.number));
  });
});

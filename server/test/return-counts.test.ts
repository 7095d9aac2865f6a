import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";

type Returns = { departmentCode: string; requested: number; approved: number }[];

// Grids of 尚义社区 (street 530103001) and of a community of another street (530103002).
const SHANGYI = "530103001001001";
const OTHER_STREET = "530103002001001";

describe("returns counted per department without reading the events", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of ["dispatcher", "handler-cgj-1", "seat-01"]) cookies[username] = await t.login(username);
  });
  afterAll(() => t.close());

  const get = (id: string) => t.app.inject({ method: "GET", url: `/api/v1/cases/${id}`, headers: { cookie: cookies.dispatcher } });
  async function act(who: string, id: string, body: Record<string, unknown>, etag?: string) {
    const current = etag ?? String((await get(id)).headers.etag);
    return t.app.inject({ method: "POST", url: `/api/v1/cases/${id}/transitions`, payload: body, headers: { cookie: cookies[who], "if-match": current } });
  }
  async function dispatched(gridCode: string): Promise<string> {
    const response = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: { description: "占道堆放建筑垃圾", gridCode }, headers: { cookie: cookies["seat-01"] } });
    const id = response.json().case.id as string;
    for (const body of [{ action: "accept" }, { action: "register", level: "district" }, { action: "dispatch", to: { departmentCode: "cgj" } }]) {
      expect((await act("dispatcher", id, body)).statusCode).toBe(200);
    }
    return id;
  }
  const stats = async (division: string): Promise<Returns> =>
    (await t.app.inject({ method: "GET", url: `/api/v1/cases/stats?division=${division}`, headers: { cookie: cookies.dispatcher } })).json().returnsByDepartment;
  /** The same figures recounted from the return events. */
  async function recount(division: string): Promise<Returns> {
    const { rows } = await sql<{ departmentCode: string; requested: number; approved: number }>`
      select e.details->>'department' as "departmentCode", count(*) filter (where e.action = 'return')::int as requested,
        count(*) filter (where e.action = 'approve_return')::int as approved
      from case_events e join cases c on c.region_code = e.region_code and c.id = e.case_id
      where e.action in ('return', 'approve_return') and e.details->>'department' is not null and c.community_code like ${`${division}%`}
      group by 1 order by 1`.execute(t.ctx.db);
    return rows;
  }

  it("counts requests and approvals where they happen, once each, and equals a recount at every level", async () => {
    const here = await dispatched(SHANGYI);
    const there = await dispatched(OTHER_STREET);
    // Asked, denied, asked again and approved here; asked and approved there.
    const asked = await act("handler-cgj-1", here, { action: "return", reasonCode: "not_our_duty", note: "应由街道处理" });
    expect(asked.statusCode, asked.body).toBe(200);
    // A retry with the old version changes nothing and counts nothing.
    const stale = await act("handler-cgj-1", here, { action: "return", reasonCode: "not_our_duty" }, `"${asked.json().case.version - 1}"`);
    expect(stale.statusCode).toBe(412);
    expect((await act("dispatcher", here, { action: "deny_return", note: "请继续办理" })).statusCode).toBe(200);
    expect((await act("handler-cgj-1", here, { action: "return", reasonCode: "private_property" })).statusCode).toBe(200);
    expect((await act("dispatcher", here, { action: "approve_return" })).statusCode).toBe(200);
    expect((await act("handler-cgj-1", there, { action: "return", reasonCode: "not_our_duty" })).statusCode).toBe(200);
    expect((await act("dispatcher", there, { action: "approve_return" })).statusCode).toBe(200);

    expect(await stats("530103001001")).toEqual([{ departmentCode: "cgj", requested: 2, approved: 1 }]);
    expect(await stats("530103002")).toEqual([{ departmentCode: "cgj", requested: 1, approved: 1 }]);
    for (const division of ["530103", "530103001", "530103001001", "530103002", "530103002001"]) {
      expect(await stats(division), division).toEqual(await recount(division));
    }
  });
});

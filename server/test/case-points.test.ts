import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { actorOfSession } from "../src/modules/auth/auth.service.ts";
import { findCasePoints, fingerprint, type LightClock } from "../src/modules/cases/case-points.repository.ts";
import { OPEN, resolveFilter } from "../src/modules/cases/case-queue.service.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

type Points = {
  count: number;
  truncated: boolean;
  // Every column comes unless `fields` names fewer.
  id: string[];
  number: string[];
  lng: number[];
  lat: number[];
  status: string[];
  light: string[];
  category: (string | null)[];
  level: string[];
  source: string[];
};

// Grids of 尚义社区 (street 530103001) and of a community of another street (530103002).
const SHANGYI = "530103001001001";
const OTHER_STREET = "530103002001001";

describe("GET /api/v1/cases/points", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  const ids: Record<string, string> = {};

  const get = (who: string, query = "", headers: Record<string, string> = {}) =>
    t.app.inject({ method: "GET", url: `/api/v1/cases/points${query ? `?${query}` : ""}`, headers: { cookie: cookies[who], ...headers } });
  async function points(who: string, query = ""): Promise<Points> {
    const response = await get(who, query);
    expect(response.statusCode, `${who} ?${query}: ${response.body}`).toBe(200);
    return response.json();
  }
  /** The names of this file's cases an answer holds, sorted (cases other files or the template made are left out). */
  async function names(who: string, query = ""): Promise<string[]> {
    const byId = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
    return (await points(who, query)).id.flatMap((id) => byId.get(id) ?? []).sort();
  }
  async function report(name: string, body: Record<string, unknown>, at: { lng: number; lat: number }) {
    const response = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: body, headers: { cookie: cookies.dispatcher } });
    expect(response.statusCode, response.body).toBe(201);
    ids[name] = response.json().case.id;
    await t.ctx.db.updateTable("cases").set(at).where("id", "=", ids[name]).execute();
  }
  const set = (name: string, values: { status?: string; handle_by?: Date; category_code?: string; level?: "community" | "street" | "district" }) =>
    t.ctx.db.updateTable("cases").set(values).where("id", "=", ids[name]).execute();

  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const who of ["dispatcher", "leader-001", "leader-002", "dispatcher-001-1"]) cookies[who] = await t.login(who);
    await report("road", { description: "尚义社区路面破损，坑洼积水", gridCode: SHANGYI, source: "hotline" }, { lng: 102.7001, lat: 25.0401 });
    await report("lamp", { description: "尚义社区路灯不亮", gridCode: SHANGYI }, { lng: 102.7101, lat: 25.0501 });
    await report("other", { description: "另一街道垃圾堆放", gridCode: OTHER_STREET }, { lng: 102.7501, lat: 25.0801 });
    await report("closed", { description: "尚义社区井盖缺失", gridCode: SHANGYI }, { lng: 102.7002, lat: 25.0402 });
    await set("closed", { status: "closed" });
    const event = await t.ctx.db.selectFrom("categories").select("code").where("code", "like", "event.%.%").orderBy("code").executeTakeFirstOrThrow();
    await set("road", { category_code: event.code, level: "street" });
    for (const name of ["lamp", "other"]) await set(name, { category_code: "component.road_traffic", level: "community" });
    await set("lamp", { handle_by: new Date(Date.now() - 3600_000) });
    await set("other", { handle_by: new Date(Date.now() + 60_000) });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("answers the open cases in scope as columns of one length, with the light of each", async () => {
    const answer = await points("dispatcher");
    expect(answer.truncated).toBe(false);
    for (const column of ["id", "number", "lng", "lat", "status", "light", "category", "level", "source"] as const) expect(answer[column]).toHaveLength(answer.count);
    expect(await names("dispatcher")).toEqual(["lamp", "other", "road"]);
    const at = (name: string) => answer.id.indexOf(ids[name]);
    expect(answer.light[at("lamp")]).toBe("overdue");
    expect(answer.light[at("other")]).toBe("near_due");
    expect(answer.light[at("road")]).toBe("on_time");
    expect([answer.lng[at("road")], answer.lat[at("road")]]).toEqual([102.7001, 25.0401]);
    expect(answer.source[at("road")]).toBe("hotline");
    expect(answer.number[at("road")]).toMatch(/^530103-\d{8}-\d{5}$/);
  });

  it("answers only the columns `fields` names, the same cases in the same order, and refuses a name that is not a column", async () => {
    const whole = await points("dispatcher");
    const narrow = await points("dispatcher", "fields=id,lng,lat,status,light");
    expect(Object.keys(narrow).sort()).toEqual(["count", "id", "lat", "light", "lng", "status", "truncated"]);
    expect(narrow).toEqual({ count: whole.count, truncated: false, id: whole.id, lng: whole.lng, lat: whole.lat, status: whole.status, light: whole.light });
    expect(Object.keys(await points("dispatcher", "fields=number"))).toEqual(["count", "truncated", "number"]);
    // A narrower answer is another answer: its own ETag.
    const etags = await Promise.all(["", "fields=id", "fields=id,light"].map(async (query) => String((await get("dispatcher", query)).headers.etag)));
    expect(new Set(etags).size).toBe(3);
    for (const bad of ["", "id,", "id,colour", "ID", "id;lng"]) {
      const response = await get("dispatcher", `fields=${encodeURIComponent(bad)}`);
      expect(response.statusCode, bad).toBe(400);
      expect(response.json().error.code, bad).toBe("invalid_fields");
    }
  });

  it("keeps a street's leader and dispatcher to their street", async () => {
    expect(await names("leader-001")).toEqual(["lamp", "road"]);
    expect(await names("dispatcher-001-1")).toEqual(["lamp", "road"]);
    expect(await names("leader-002")).toEqual(["other"]);
    // A division outside the scope is not found, as in the list.
    const outside = await get("leader-001", "division=530103002");
    expect(outside.statusCode).toBe(404);
  });

  it("filters as the list does: status, category, level, source, period, near due and overdue", async () => {
    expect(await names("dispatcher", "status=closed")).toEqual([]);
    expect(await names("dispatcher", "status=closed,reported,accepted,registered")).toEqual(["lamp", "other", "road"]);
    expect(await names("dispatcher", "category=event")).toEqual(["road"]);
    expect(await names("dispatcher", "level=street")).toEqual(["road"]);
    expect(await names("dispatcher", "source=hotline")).toEqual(["road"]);
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    expect(await names("dispatcher", `from=${today}&to=${today}`)).toEqual(["lamp", "other", "road"]);
    expect(await names("dispatcher", "to=2020-01-01")).toEqual([]);
    expect(await names("dispatcher", "queue=overdue")).toEqual(["lamp"]);
    expect(await names("dispatcher", "queue=near_due")).toEqual(["other"]);
  });

  it("keeps the points inside a box, and refuses a box that is not one", async () => {
    expect(await names("dispatcher", "bbox=102.69,25.03,102.705,25.045")).toEqual(["road"]);
    expect(await names("dispatcher", "bbox=102.69,25.03,102.76,25.09")).toEqual(["lamp", "other", "road"]);
    for (const bad of ["1,2,3", "a,b,c,d", "102.7,25.1,102.6,25.2", "102.6,25.1,102.7,25.0", "-181,0,0,1", "0,-91,1,0", "1e2,0,1,1", "0,0,1,1,2", ""]) {
      const response = await get("dispatcher", `bbox=${encodeURIComponent(bad)}`);
      expect(response.statusCode, bad).toBe(400);
      expect(response.json().error.code, bad).toMatch(/^(invalid_bbox|invalid_request|validation_failed)$/);
    }
    const response = await get("dispatcher", "bbox=102.7,25.1,102.6,25.2");
    expect(response.json().error.code).toBe("invalid_bbox");
  });

  it("says when the answer was cut off at the limit, and then keeps the newest cases", async () => {
    const newest = await t.ctx.db
      .selectFrom("cases")
      .select("id")
      .where("status", "in", ["reported", "accepted", "registered", "dispatched", "in_progress", "handled", "suspended"])
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(2)
      .execute();
    const cut = await points("dispatcher", "limit=1");
    expect(cut).toMatchObject({ count: 1, truncated: true });
    expect(cut.id).toEqual([newest[0].id]);
    const two = await points("dispatcher", "limit=2");
    expect(two).toMatchObject({ count: 2, truncated: true });
    for (const column of ["id", "number", "lng", "lat", "status", "light", "category", "level", "source"] as const) expect(two[column]).toHaveLength(2);
    expect(two.id).toEqual(newest.map((row) => row.id));
    const whole = await points("leader-001", "limit=2&bbox=102.69,25.03,102.72,25.06");
    expect(whole).toMatchObject({ count: 2, truncated: false });
    expect((await get("dispatcher", "limit=100001")).statusCode).toBe(400);
  });

  it("rounds the coordinates to seven decimals, about a centimetre", async () => {
    await t.ctx.db.updateTable("cases").set({ lng: 102.70012345678, lat: 25.04019876543 }).where("id", "=", ids.road).execute();
    try {
      const answer = await points("dispatcher", "fields=id,lng,lat");
      const at = answer.id.indexOf(ids.road);
      expect([answer.lng[at], answer.lat[at]]).toEqual([102.7001235, 25.0401988]);
    } finally {
      await t.ctx.db.updateTable("cases").set({ lng: 102.7001, lat: 25.0401 }).where("id", "=", ids.road).execute();
    }
  });

  it("answers 304 to its own ETag until something in it changes, and never across scopes", async () => {
    const first = await get("dispatcher");
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers["cache-control"]).toBe("private, no-cache");
    const again = await get("dispatcher", "", { "if-none-match": etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe("");
    expect((await get("dispatcher", "", { "if-none-match": `W/${etag}` })).statusCode).toBe(304);
    // Another filter, another answer.
    expect((await get("dispatcher", "level=street", { "if-none-match": etag })).statusCode).toBe(200);
    // Two scopes whose answers hold the same cases (none) still differ.
    const empty = "bbox=0,0,1,1";
    const street1 = await get("leader-001", empty);
    const street2 = await get("leader-002", empty);
    expect(street1.body).toBe(street2.body);
    expect(street1.headers.etag).not.toBe(street2.headers.etag);
    expect((await get("leader-002", empty, { "if-none-match": String(street1.headers.etag) })).statusCode).toBe(200);
    // A change in the answer: a case closed.
    await set("lamp", { status: "closed" });
    const changed = await get("dispatcher", "", { "if-none-match": etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    await set("lamp", { status: "reported" });
  });

  it("answers 200 when a case changes in place, its count and cases the same, and 304 again after", async () => {
    const first = await get("dispatcher");
    const etag = String(first.headers.etag);
    expect((await get("dispatcher", "", { "if-none-match": etag })).statusCode).toBe(304);
    await t.ctx.db.updateTable("cases").set({ lng: 102.7003 }).where("id", "=", ids.road).execute();
    const moved = await get("dispatcher", "", { "if-none-match": etag });
    expect(moved.statusCode).toBe(200);
    const answer = moved.json() as Points;
    expect(answer.lng[answer.id.indexOf(ids.road)]).toBe(102.7003);
    expect((await get("dispatcher", "", { "if-none-match": String(moved.headers.etag) })).statusCode).toBe(304);
    // Another user of the same scope is answered on its own, the same answer for the same cases.
    const seat = await get("leader-001", "", { "if-none-match": etag });
    expect(seat.statusCode).toBe(200);
  });

  it("answers 200 when a deadline passes between two polls, no case having changed, and 304 again after", async () => {
    const start = Date.now();
    await set("other", { handle_by: new Date(start + 90_000) });
    const first = await get("dispatcher");
    const before = first.json() as Points;
    expect(before.light[before.id.indexOf(ids.other)]).toBe("near_due");
    vi.useFakeTimers({ toFake: ["Date"], now: start + 3 * 60_000 });
    try {
      const later = await get("dispatcher", "", { "if-none-match": String(first.headers.etag) });
      expect(later.statusCode).toBe(200);
      const after = later.json() as Points;
      expect(after.light[after.id.indexOf(ids.other)]).toBe("overdue");
      expect((await get("dispatcher", "", { "if-none-match": String(later.headers.etag) })).statusCode).toBe(304);
    } finally {
      vi.useRealTimers();
    }
  });

  it("reads each case's light against the near-due limit of its own region's calendar", async () => {
    const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const inTwoDays = new Date(now.getTime() + 2 * 86_400_000);
    await set("other", { handle_by: inTwoDays });
    const actor = await actorOfSession(t.ctx, cookies.dispatcher.split(";")[0].split("=")[1]);
    const filter = resolveFilter(actor!, { statuses: OPEN }, now)!;
    const read = async (clock: LightClock) => {
      const columns = await findCasePoints(t.ctx.db, actor!, filter, undefined, 100_000, new Set(["ids", "lights"]), false, clock);
      const lights = columns.lights!.split(",");
      return { light: lights[columns.ids!.split(",").indexOf(ids.other)], fingerprint: fingerprint(columns) };
    };
    // The national calendar's limit before the deadline; the district's own after it.
    const national = await read({ now, otherwise: now, regions: [], limits: [] });
    const ownCalendar = await read({ now, otherwise: now, regions: ["530102", "530103"], limits: [now, new Date(inTwoDays.getTime() + 60_000)] });
    expect(national.light).toBe("on_time");
    expect(ownCalendar.light).toBe("near_due");
    expect(ownCalendar.fingerprint).not.toBe(national.fingerprint);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";

/** What the console's case detail and hotline form read: duplicates, the reporter reveal, the intake preview, follow-ups and places. */
describe("case detail and hotline intake", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  const SHANGYI = "530103001001001"; // a grid of 尚义社区 (530103001001), street 530103001
  const OTHER_COMMUNITY_GRID = "530103001002001";
  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of ["community-530103001001", "community-530103001002", "dispatcher-001-1", "dispatcher", "seat-01", "gw-530103001001-1", "supervisor-001", "resident"]) {
      cookies[username] = await t.login(username);
    }
  });
  afterAll(() => t.close());

  const read = (who: string, id: string) => t.app.inject({ method: "GET", url: `/api/v1/cases/${id}`, headers: { cookie: cookies[who] } });
  const report = async (body: Record<string, unknown>, who?: string) => {
    const response = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: body, headers: who ? { cookie: cookies[who] } : {} });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().case as { id: string; number: string; location: { lat: number; lng: number } };
  };
  const preview = (body: Record<string, unknown>, who?: string) =>
    t.app.inject({ method: "POST", url: "/api/v1/cases/preview", payload: body, headers: who ? { cookie: cookies[who] } : {} });

  it("lists an open case's probable duplicates in its detail, only those in the caller's scope, with what a merge needs", async () => {
    const manhole = { categoryCode: "component.public_facility.manhole_cover_sewage", source: "hotline" };
    const first = await report({ description: "小区门口的井盖松动了，车一压就响", gridCode: SHANGYI, ...manhole }, "seat-01");
    const second = await report({ description: "小区门口井盖松动，车压过去响", location: first.location, ...manhole }, "seat-01");
    const unrelated = await report({ description: "广场舞音响声音太大", location: first.location });
    const detail = (await read("community-530103001001", second.id)).json();
    expect(detail.duplicates).toEqual([
      expect.objectContaining({ id: first.id, number: first.number, status: "reported", title: expect.any(String), createdAt: expect.any(String), distanceMeters: 0 }),
    ]);
    expect(detail.duplicates[0].similarity).toBeGreaterThan(0.3);
    expect(detail.duplicates.map((d: { id: string }) => d.id)).not.toContain(unrelated.id);
    expect(detail.duplicates.map((d: { id: string }) => d.id)).not.toContain(second.id);
    // A manhole cover is the district's: its dispatchers may merge.
    expect((await read("dispatcher", second.id)).json().case.actions).toContain("merge");

    // A case just across the community line, at the same point, is outside the neighbouring centre's scope.
    const neighbour = (await read("community-530103001002", second.id)).statusCode;
    expect(neighbour).toBe(404);
    await t.ctx.db.updateTable("cases").set({ community_code: "530103001002", grid_code: OTHER_COMMUNITY_GRID }).where("id", "=", first.id).execute();
    expect((await read("community-530103001001", second.id)).json().duplicates).toEqual([]);
    expect((await read("dispatcher-001-1", second.id)).json().duplicates.map((d: { id: string }) => d.id)).toEqual([first.id]);
    await t.ctx.db.updateTable("cases").set({ community_code: "530103001001", grid_code: SHANGYI }).where("id", "=", first.id).execute();

    // Merged, the first is no longer open: neither a candidate nor shown any.
    const etag = String((await read("dispatcher", first.id)).headers.etag);
    const merged = await t.app.inject({ method: "POST", url: `/api/v1/cases/${first.id}/transitions`, payload: { action: "merge", into: second.id }, headers: { cookie: cookies.dispatcher, "if-match": etag } });
    expect(merged.statusCode, merged.body).toBe(200);
    expect((await read("dispatcher-001-1", second.id)).json().duplicates).toEqual([]);
    expect((await read("dispatcher-001-1", first.id)).json().duplicates).toEqual([]);
  });

  it("tells the working minutes left to each stage's deadline, on the region's calendar, negative once past", async () => {
    const created = await report({ description: "路边的垃圾桶倒了", gridCode: SHANGYI });
    const before = (await read("dispatcher", created.id)).json().case;
    const { acceptBy, dispatchBy, feedbackBy, handleBy } = before.deadlineWorkingMinutes;
    expect(acceptBy).toBeLessThanOrEqual(dispatchBy);
    expect(dispatchBy).toBeLessThanOrEqual(feedbackBy);
    expect(feedbackBy).toBeLessThanOrEqual(handleBy);
    expect(handleBy).toBeGreaterThan(0);
    // Never more working minutes than minutes on the clock.
    expect(handleBy).toBeLessThanOrEqual(Math.ceil((Date.parse(before.deadlines.handleBy) - Date.now()) / 60_000) + 1);
    // Three working days past (a week on the clock, across a weekend at least): negative.
    await t.ctx.db.updateTable("cases").set({ accept_by: new Date(Date.now() - 7 * 86400_000) }).where("id", "=", created.id).execute();
    const past = (await read("dispatcher", created.id)).json().case.deadlineWorkingMinutes.acceptBy;
    expect(past).toBeLessThan(-3 * 8 * 60);
    expect(past).toBeGreaterThan(-7 * 24 * 60);
  });

  it("tells the client whether this user may reveal the reporter's phone, and audits each reveal", async () => {
    const created = await report({ description: "楼下有人占道经营", gridCode: SHANGYI, reporter: { name: "王先生", phone: "13912345678" } });
    const seen = (await read("seat-01", created.id)).json().case.reporter;
    expect(seen).toMatchObject({ name: "王先生", phone: "139****5678", canReveal: true });
    expect((await read("supervisor-001", created.id)).json().case.reporter).toMatchObject({ phone: "139****5678", canReveal: false });
    const revealed = await t.app.inject({ method: "POST", url: `/api/v1/cases/${created.id}/reporter-contact`, headers: { cookie: cookies["seat-01"] } });
    expect(revealed.json()).toEqual({ name: "王先生", phone: "13912345678" });
    const refused = await t.app.inject({ method: "POST", url: `/api/v1/cases/${created.id}/reporter-contact`, headers: { cookie: cookies["supervisor-001"] } });
    expect(refused.statusCode).toBe(403);
    const audit = await t.ctx.db.selectFrom("audit_log").select("action").where("target_id", "=", created.id).execute();
    expect(audit).toEqual([{ action: "case.reveal_contact" }]);
    const anonymous = await report({ description: "路边垃圾没人清", gridCode: SHANGYI });
    expect((await read("seat-01", anonymous.id)).json().case.reporter).toMatchObject({ phone: null, canReveal: false });
  });

  it("previews an intake without writing: place, suggested category, urgency, department, deadlines and duplicates", async () => {
    const existing = await report({ description: "路口的井盖不见了，很危险", gridCode: SHANGYI });
    const before = await t.ctx.db.selectFrom("cases").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    const body = { description: "路口井盖不见了，太危险了", location: existing.location, reporter: { phone: "13800001111" } };
    const answer = await preview(body, "seat-01");
    expect(answer.statusCode, answer.body).toBe(200);
    const result = answer.json();
    expect(result).toMatchObject({
      grid: { code: SHANGYI, name: expect.any(String) },
      community: { code: "530103001001", name: expect.stringContaining("社区") },
      street: { code: "530103001", name: expect.any(String) },
      category: null,
      urgency: "emergency",
      departmentCode: "swj",
    });
    expect(result.suggestedCategories[0]).toEqual({ code: "event.emergency.manhole_cover_missing", name: "井盖丢失" });
    expect(new Date(result.deadlines.acceptBy).getTime()).toBeGreaterThan(Date.now());
    expect(result.duplicates.map((d: { id: string }) => d.id)).toEqual([existing.id]);
    const after = await t.ctx.db.selectFrom("cases").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);

    // The public sees the place and the suggestion, never another case.
    const anonymous = await preview({ description: body.description, location: existing.location });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.json().duplicates).toEqual([]);
    // The same refusals as intake.
    const outside = await preview({ description: "测试", gridCode: OTHER_COMMUNITY_GRID }, "gw-530103001001-1");
    expect([outside.statusCode, outside.json().error.code]).toEqual([404, "outside_scope"]);
    const claimed = await preview({ description: "测试", gridCode: SHANGYI, urgency: "emergency" }, "resident");
    expect([claimed.statusCode, claimed.json().error.code]).toEqual([403, "urgency_not_allowed"]);
    const unknown = await preview({ description: "测试", gridCode: SHANGYI, categoryCode: "no.such" }, "seat-01");
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([400, "unknown_category"]);
  });

  it("attaches a caller to an existing case with follow_up: on the timeline with the phone masked, state unchanged", async () => {
    const existing = await report({ description: "小区里路灯坏了好几天", gridCode: SHANGYI });
    const detail = await read("seat-01", existing.id);
    expect(detail.json().case.actions).toContain("follow_up");
    expect((await read("supervisor-001", existing.id)).json().case.actions).not.toContain("follow_up");
    const response = await t.app.inject({
      method: "POST",
      url: `/api/v1/cases/${existing.id}/transitions`,
      payload: { action: "follow_up", note: "又有居民来电反映同一问题", caller: { name: "李女士", phone: "13711112222" } },
      headers: { cookie: cookies["seat-01"], "if-match": String(detail.headers.etag) },
    });
    expect(response.statusCode, response.body).toBe(200);
    const { case: after, timeline } = response.json();
    expect(after).toMatchObject({ status: "reported", version: detail.json().case.version + 1 });
    expect(timeline.at(-1)).toMatchObject({ action: "follow_up", from: "reported", to: "reported", note: "又有居民来电反映同一问题", details: { caller: { name: "李女士", phone: "137****2222" } } });
    const noNote = await t.app.inject({
      method: "POST",
      url: `/api/v1/cases/${existing.id}/transitions`,
      payload: { action: "follow_up" },
      headers: { cookie: cookies["seat-01"], "if-match": `"${after.version}"` },
    });
    expect([noNote.statusCode, noNote.json().error.code]).toEqual([400, "invalid_transition_input"]);
  });

  it("finds places in the caller's scope by a few characters, best first, with their point and grid, community and street", async () => {
    const search = (who: string, q: string, limit = 10) =>
      t.app.inject({ method: "GET", url: `/api/v1/places?q=${encodeURIComponent(q)}&limit=${limit}`, headers: { cookie: cookies[who] } });
    const community = await t.ctx.db.selectFrom("divisions").select("name").where("code", "=", "530103001001").executeTakeFirstOrThrow();
    const places = (await search("seat-01", community.name)).json().places;
    expect(places[0]).toMatchObject({ kind: "community", code: "530103001001", name: community.name, grid: null, street: { code: "530103001" } });
    expect(places[0].location).toEqual({ lat: expect.any(Number), lng: expect.any(Number) });
    // Two characters of the name find it too, among others.
    const short = (await search("seat-01", Array.from(community.name).slice(0, 2).join(""), 50)).json().places;
    expect(short.map((p: { code: string }) => p.code)).toContain("530103001001");

    const courtyard = await t.ctx.db.selectFrom("divisions").select(["code", "name"]).where("level", "=", "courtyard").where("code", "like", "530103001001%").orderBy("code").executeTakeFirstOrThrow();
    const [found] = (await search("seat-01", courtyard.name)).json().places;
    expect(found).toMatchObject({ kind: "courtyard", code: courtyard.code, community: { code: "530103001001" }, street: { code: "530103001" } });
    expect(found.grid.code.startsWith("530103001001")).toBe(true);
    // A grid worker of another community finds nothing of 尚义社区.
    const other = await t.login("gw-530103001002-1");
    const theirs = (await t.app.inject({ method: "GET", url: `/api/v1/places?q=${encodeURIComponent(courtyard.name)}`, headers: { cookie: other } })).json().places;
    expect(theirs.filter((p: { code: string }) => p.code.startsWith("530103001001"))).toEqual([]);
    // A building is named with its courtyard; a grid comes with itself as its grid.
    const buildings = (await search("community-530103001001", "1栋", 5)).json().places;
    expect(buildings.length).toBeGreaterThan(0);
    expect(buildings[0]).toMatchObject({ kind: "building", name: "1栋", courtyard: { name: expect.any(String) } });
    const grid = (await search("seat-01", "第1网格", 50)).json().places.find((p: { kind: string }) => p.kind === "grid");
    expect(grid.grid).toEqual({ code: grid.code, name: grid.name });
    // Bounded, and refused to those without geography.
    expect((await search("seat-01", "社区", 3)).json().places).toHaveLength(3);
    expect((await search("resident", "社区")).statusCode).toBe(403);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertGroup } from "./case-sets.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

describe("rankings", () => {
  let t: TestApp;
  const streets: { code: string; community: string }[] = [];

  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const street of ["530103001", "530103002", "530103003"]) {
      const community = await t.ctx.db.selectFrom("divisions").select("code").where("parent_code", "=", street).orderBy("code").executeTakeFirstOrThrow();
      streets.push({ code: street, community: community.code });
    }
    const due = { registered: "2025-03-03", dispatched: "2025-03-03", deadline: "2025-03-14", created: "2025-03-03" };
    // Two streets alike (every case due in March closed on time): a tie. The third closes half.
    for (const { community } of streets.slice(0, 2)) await insertGroup(t.ctx.db, { ...due, community, count: 10, handled: "2025-03-05", closed: "2025-03-06", status: "closed" });
    await insertGroup(t.ctx.db, { ...due, community: streets[2].community, count: 5, handled: "2025-03-05", closed: "2025-03-06", status: "closed" });
    await insertGroup(t.ctx.db, { ...due, community: streets[2].community, count: 5, status: "in_progress" });
    // In February only the third street had cases, all closed on time: first then.
    await insertGroup(t.ctx.db, { community: streets[2].community, created: "2025-02-03", registered: "2025-02-03", dispatched: "2025-02-03", deadline: "2025-02-12", handled: "2025-02-04", closed: "2025-02-05", count: 4, status: "closed" });
  });
  afterAll(() => t.close());

  const rankings = async (cookie: string, query: string) => {
    const response = await t.app.inject({ method: "GET", url: `/api/v1/rankings?${query}`, headers: { cookie } });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  };

  it("ranks the streets by index with ties sharing a rank, the change since the month before, and the rest unranked", async () => {
    const answer = await rankings(await t.login("leader"), "kind=street&period=2025-03");
    expect(answer.previous).toEqual({ code: "2025-02", from: "2025-02-01", to: "2025-02-28" });
    const [first, second, third, ...rest] = answer.rows;
    // (35·1 + 20·1 + 10·0 + 10·1 + 5·1) / 80 = 87.5: satisfaction unrated is left out, no acknowledgement in time.
    expect([first.code, first.rank, first.index, first.change]).toEqual([streets[0].code, 1, 87.5, null]);
    expect([second.code, second.rank, second.index]).toEqual([streets[1].code, 1, 87.5]);
    // (35·0.5 + 20·0.5 + 0 + 10 + 5) / 80 = 53.125; first in February, third now.
    expect([third.code, third.rank, third.index, third.change]).toEqual([streets[2].code, 3, 53.13, -2]);
    expect(rest.length).toBeGreaterThan(0);
    expect(rest.every((row: { rank: number | null; index: number | null }) => row.rank === null && row.index === null)).toBe(true);
  });

  it("shows the whole region's ranking to a street's leader, and an empty period unranked", async () => {
    const streetLeader = await t.login("leader-002");
    const answer = await rankings(streetLeader, "kind=street&period=2025-03-H1");
    expect(answer.rows.slice(0, 3).map((row: { code: string }) => row.code)).toEqual(streets.map((street) => street.code));
    // The cases behind another street's figure stay out of reach.
    const behind = await t.app.inject({ method: "GET", url: `/api/v1/cases?counted=closed&from=2025-03-01&to=2025-03-15&division=${streets[0].code}`, headers: { cookie: streetLeader } });
    expect([behind.statusCode, behind.json().error.code]).toEqual([404, "division_not_found"]);
    const empty = await rankings(streetLeader, "kind=community&period=2024-01");
    expect(empty.rows.length).toBeGreaterThan(10);
    expect(empty.rows.every((row: { rank: number | null }) => row.rank === null)).toBe(true);
    const workers = await rankings(streetLeader, "kind=grid_worker&period=2025-03");
    expect(workers.rows.length).toBeGreaterThan(100);
    // A grid worker's figures are those counted per finder; their activity is beside them.
    expect(Object.keys(workers.rows[0].figures).sort()).toEqual(["accepted", "onSpot"]);
    expect(workers.rows[0]).toMatchObject({ reports: workers.rows[0].figures.accepted, onSpot: workers.rows[0].figures.onSpot, patrolHours: expect.any(Number) });
    const bad = await t.app.inject({ method: "GET", url: "/api/v1/rankings?kind=street&period=2025-13", headers: { cookie: streetLeader } });
    expect(bad.statusCode).toBe(400);
  });
});

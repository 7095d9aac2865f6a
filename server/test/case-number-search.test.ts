import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";

/** The case list's `q` finds a case by a whole or partial number as well as by its words. */
describe("search by case number", () => {
  let t: TestApp;
  let cookie: string;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    t = await createTestApp("demo");
    cookie = await t.login("dispatcher");
    // Numbers and days set by hand, so that two days share an ordinal and the text holds one too.
    const cases: [name: string, description: string, number: string, createdAt: string][] = [
      ["first", "路灯不亮，晚上很黑", "530103-20261201-00012", "2026-12-01T02:00:00Z"],
      ["second", "垃圾桶满了没人清理", "530103-20261202-00012", "2026-12-02T02:00:00Z"],
      ["other", "井盖松动，车压过去就响", "530103-20261202-00013", "2026-12-02T03:00:00Z"],
      ["worded", "门牌00012号附近路面破损", "530103-20261203-00001", "2026-12-03T01:00:00Z"],
    ];
    for (const [name, description, number, createdAt] of cases) {
      const response = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: { description, gridCode: "530103001001001" } });
      expect(response.statusCode, response.body).toBe(201);
      ids[name] = response.json().case.id;
      await t.ctx.db.updateTable("cases").set({ number, created_at: new Date(createdAt) }).where("id", "=", ids[name]).execute();
    }
  });
  afterAll(() => t.close());

  const found = async (q: string, extra = "") => {
    const response = await t.app.inject({ method: "GET", url: `/api/v1/cases?q=${encodeURIComponent(q)}${extra}`, headers: { cookie } });
    expect(response.statusCode, response.body).toBe(200);
    const byId = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
    return (response.json().cases as { id: string }[]).map((summary) => byId.get(summary.id) ?? "another");
  };

  it("finds the whole number, its day and ordinal, and its ordinal alone (newest first, with cases whose text holds the digits)", async () => {
    expect(await found("530103-20261201-00012")).toEqual(["first"]);
    expect(await found("20261202-00012")).toEqual(["second"]);
    expect(await found("20261202-12")).toEqual(["second"]);
    expect(await found("00012")).toEqual(["worded", "second", "first"]);
    expect(await found("12")).toEqual(["second", "first"]);
    expect(await found("00013")).toEqual(["other"]);
  });

  it("finds a day's cases by the day of the number, within the other filters", async () => {
    expect(await found("20261202")).toEqual(["other", "second"]);
    expect(await found("530103-20261202")).toEqual(["other", "second"]);
    expect(await found("20261202", "&from=2026-12-03")).toEqual([]);
    expect(await found("530102-20261202")).toEqual([]);
  });

  it("pages through the merged matches of an ordinal and the text without losing or repeating one", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/cases?q=00012&limit=1${cursor ? `&cursor=${cursor}` : ""}`;
      const page = (await t.app.inject({ method: "GET", url, headers: { cookie } })).json();
      seen.push(...page.cases.map((summary: { id: string }) => summary.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([ids.worded, ids.second, ids.first]);
  });

  it("keeps the Chinese text search", async () => {
    expect(await found("路灯")).toEqual(["first"]);
    expect(await found("垃圾桶")).toEqual(["second"]);
  });

  it("finds no number outside the caller's scope", async () => {
    const other = await t.login("dispatcher-002-1");
    const response = await t.app.inject({ method: "GET", url: `/api/v1/cases?q=00012`, headers: { cookie: other } });
    expect(response.json().cases).toEqual([]);
  });
});

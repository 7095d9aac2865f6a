import { describe, expect, it } from "vitest";
import { correctionsBetween } from "./bulletin-corrections.ts";
import type { BulletinData, RankedRow } from "./bulletin-data.ts";

const period = { code: "2026-11-H1", from: "2026-11-01", to: "2026-11-15" };
const row = (rank: number, code: string, name: string, figures: RankedRow["figures"]): RankedRow =>
  ({ rank, code, name, index: 90 - rank, change: 0, figures });

function published(): BulletinData {
  return {
    regionCode: "530103",
    regionName: "盘龙区",
    period,
    generatedAt: "2026-11-16T00:30:00.000Z",
    totals: { accepted: 100, dueToClose: 80, closed: 60, closureRate: 0.75, reworkRate: null },
    levels: [
      { kind: "department", rows: [row(1, "D001", "区城市管理局", { closed: 30, closureRate: 0.75 })] },
      {
        kind: "street",
        rows: [
          row(1, "530103002", "鼓楼街道", { closed: 20, closureRate: 0.8 }),
          row(2, "530103001", "拓东街道", { closed: 10, closureRate: 0.5 }),
        ],
      },
    ],
    worst: 3,
    overdueCases: [],
    corrections: [],
    locale: "zh-CN",
  };
}

describe("correctionsBetween", () => {
  it("finds nothing when the period computes to the same figures", () => {
    expect(correctionsBetween(published(), published())).toEqual([]);
  });

  it("ignores arithmetic noise in a rate but not a real change", () => {
    const now = published();
    now.totals.closureRate = (0.1 + 0.2) * 2.5;
    expect(now.totals.closureRate).not.toBe(0.75);
    expect(correctionsBetween(published(), now)).toEqual([]);
    now.totals.closureRate = 0.7501;
    expect(correctionsBetween(published(), now)).toEqual([
      { period, kind: "region", code: "530103", name: "盘龙区", indicator: "closureRate", published: 0.75, now: 0.7501 },
    ]);
  });

  it("lists every changed figure: totals first, then streets before departments by code, indicators in bulletin order", () => {
    const now = published();
    // A late closure of a case of 拓东街道 handled by 区城市管理局.
    now.totals = { ...now.totals, closed: 61, closureRate: 61 / 80 };
    now.levels[0].rows[0].figures = { closed: 31, closureRate: 31 / 40 };
    now.levels[1].rows[1].figures = { closed: 11, closureRate: 0.55 };
    // The rank and index are not figures: a new ranking is not a correction.
    now.levels[1].rows[1].rank = 1;
    expect(correctionsBetween(published(), now).map((c) => [c.kind, c.code, c.indicator, c.published, c.now])).toEqual([
      ["region", "530103", "closed", 60, 61],
      ["region", "530103", "closureRate", 0.75, 61 / 80],
      ["street", "530103001", "closed", 10, 11],
      ["street", "530103001", "closureRate", 0.5, 0.55],
      ["department", "D001", "closed", 30, 31],
      ["department", "D001", "closureRate", 0.75, 31 / 40],
    ]);
  });

  it("treats a rate that gains or loses its denominator, and a figure that appears, as changes from or to null", () => {
    const now = published();
    now.totals = { ...now.totals, reworkRate: 0.0125, overdue: 3 };
    expect(correctionsBetween(published(), now).map((c) => [c.indicator, c.published, c.now])).toEqual([
      ["reworkRate", null, 0.0125],
      ["overdue", null, 3],
    ]);
    const back = correctionsBetween(now, published());
    expect(back.map((c) => [c.indicator, c.published, c.now])).toEqual([
      ["reworkRate", 0.0125, null],
      ["overdue", 3, null],
    ]);
  });

  it("compares a level on the columns both its tables show: a column added or dropped is no correction of each unit", () => {
    // Published when a grid worker's row carried every figure; computed now with only reports and cases handled on the spot.
    const then = published();
    then.levels.push({ kind: "grid_worker", rows: [row(1, "w1", "张伟", { accepted: 12, registered: 0, closed: 0, closureRate: null })] });
    const now = published();
    now.levels.push({ kind: "grid_worker", rows: [row(1, "w1", "张伟", { accepted: 12, onSpot: 3 })] });
    expect(correctionsBetween(then, now)).toEqual([]);
    now.levels[2].rows[0].figures = { accepted: 13, onSpot: 3 };
    expect(correctionsBetween(then, now).map((c) => [c.kind, c.code, c.indicator, c.published, c.now])).toEqual([["grid_worker", "w1", "accepted", 12, 13]]);
  });

  it("counts a unit present on one side only against null, under its current name", () => {
    const now = published();
    now.levels[1].rows = [
      row(1, "530103002", "鼓楼街道（新）", { closed: 20, closureRate: 0.8 }),
      row(2, "530103003", "东华街道", { closed: 5, closureRate: null }),
    ];
    expect(correctionsBetween(published(), now).map((c) => [c.code, c.name, c.indicator, c.published, c.now])).toEqual([
      ["530103001", "拓东街道", "closed", 10, null],
      ["530103001", "拓东街道", "closureRate", 0.5, null],
      ["530103003", "东华街道", "closed", null, 5],
    ]);
  });

  it("gives the same list whatever the order of levels and rows", () => {
    const now = published();
    now.levels[1].rows[0].figures.closed = 21;
    now.levels[0].rows[0].figures.closed = 29;
    const shuffled = published();
    shuffled.levels.reverse();
    shuffled.levels[0].rows.reverse();
    const reordered = structuredClone(now);
    reordered.levels.reverse();
    expect(correctionsBetween(shuffled, reordered)).toEqual(correctionsBetween(published(), now));
  });

  it("refuses to compare different periods or regions", () => {
    expect(() => correctionsBetween(published(), { ...published(), period: { ...period, code: "2026-11-H2" } })).toThrow(RangeError);
    expect(() => correctionsBetween(published(), { ...published(), regionCode: "530102" })).toThrow(RangeError);
  });
});

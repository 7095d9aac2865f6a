import { describe, expect, it } from "vitest";
import { DEFAULT_WEIGHTS, governanceIndex, previousPeriod, rankByIndex } from "./governance-index.ts";
import { figuresOf, ZERO_SUMS } from "./indicators.ts";

describe("the governance index", () => {
  it("weighs the rates that have a denominator, counting rework and extension against the unit", () => {
    const figures = { ...figuresOf(ZERO_SUMS), onTimeClosureRate: 0.8, closureRate: 0.9, satisfactionRate: null, responseRate: 1, reworkRate: 0.1, extensionRate: 0 };
    // (35·0.8 + 20·0.9 + 10·1 + 10·0.9 + 5·1) / 80, satisfaction left out.
    expect(governanceIndex({ figures }, DEFAULT_WEIGHTS.street)).toBe(87.5);
    expect(governanceIndex({ figures: figuresOf(ZERO_SUMS) }, DEFAULT_WEIGHTS.street)).toBeNull();
  });

  it("scores a grid worker's activity against the region's most active worker", () => {
    const figures = figuresOf(ZERO_SUMS);
    const bests = { reports: 40, onSpot: 10, patrolHours: 20 };
    expect(governanceIndex({ figures, reports: 40, onSpot: 10, patrolHours: 20 }, DEFAULT_WEIGHTS.grid_worker, bests)).toBe(100);
    expect(governanceIndex({ figures, reports: 20, onSpot: 0, patrolHours: 10 }, DEFAULT_WEIGHTS.grid_worker, bests)).toBe(35);
    expect(governanceIndex({ figures, reports: 0, onSpot: 0, patrolHours: 0 }, DEFAULT_WEIGHTS.grid_worker, {})).toBeNull();
  });

  it("ranks ties together in code order, and units without an index last and unranked", () => {
    const ranked = rankByIndex([
      { code: "c", index: 70 },
      { code: "b", index: 90 },
      { code: "e", index: null },
      { code: "a", index: 90 },
      { code: "d", index: 50 },
    ]);
    expect(ranked.map((unit) => [unit.code, unit.rank])).toEqual([
      ["a", 1],
      ["b", 1],
      ["c", 3],
      ["d", 4],
      ["e", null],
    ]);
  });

  it("knows the period before each period", () => {
    expect(["2026-11", "2026-01", "2026-11-H1", "2026-11-H2", "2026-01-H1"].map(previousPeriod)).toEqual(["2026-10", "2025-12", "2026-10-H2", "2026-11-H1", "2025-12-H2"]);
  });
});

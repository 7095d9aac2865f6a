import { describe, expect, it } from "vitest";
import { halfOf, lateSegmentsOf, periodOf, segmentsOf } from "./indicators.ts";

describe("a bucket as rollup rows", () => {
  it("names the half month of a day by its first day", () => {
    expect([halfOf("2026-02-01"), halfOf("2026-02-15"), halfOf("2026-02-16"), halfOf("2026-02-28")]).toEqual(["2026-02-01", "2026-02-01", "2026-02-16", "2026-02-16"]);
  });

  it("reads whole half months from the half-month rows", () => {
    expect(segmentsOf({ key: "m", ...periodOf("2026-02")! }, "all")).toEqual([{ key: "m", grain: "half", from: "2026-02-01", to: "2026-02-16" }]);
    expect(segmentsOf({ key: "h", ...periodOf("2026-12-H2")! }, "all")).toEqual([{ key: "h", grain: "half", from: "2026-12-16", to: "2026-12-16" }]);
    expect(segmentsOf({ key: "y", from: "2025-12-16", to: "2026-01-31" }, "all")).toEqual([{ key: "y", grain: "half", from: "2025-12-16", to: "2026-01-16" }]);
  });

  it("reads the days outside whole half months from the day rows", () => {
    expect(segmentsOf({ key: "s", from: "2026-01-10", to: "2026-03-20" }, "all")).toEqual([
      { key: "s", grain: "day", from: "2026-01-10", to: "2026-01-15" },
      { key: "s", grain: "half", from: "2026-01-16", to: "2026-03-01" },
      { key: "s", grain: "day", from: "2026-03-16", to: "2026-03-20" },
    ]);
    // A leap February's second half ends on the 29th.
    expect(segmentsOf({ key: "l", from: "2028-02-16", to: "2028-02-28" }, "all")).toEqual([{ key: "l", grain: "day", from: "2028-02-16", to: "2028-02-28" }]);
    expect(segmentsOf({ key: "l", from: "2028-02-16", to: "2028-02-29" }, "all")).toEqual([{ key: "l", grain: "half", from: "2028-02-16", to: "2028-02-16" }]);
    expect(segmentsOf({ key: "d", from: "2026-05-03", to: "2026-05-03" }, "all")).toEqual([{ key: "d", grain: "day", from: "2026-05-03", to: "2026-05-03" }]);
  });

  it("reads kinds kept only by day from the day rows", () => {
    expect(segmentsOf({ key: "m", ...periodOf("2026-02")! }, "department")).toEqual([{ key: "m", grain: "day", from: "2026-02-01", to: "2026-02-28" }]);
  });

  it("reads the cases a bucket carries in by half month when it starts on one, for every kind", () => {
    expect(lateSegmentsOf({ key: "m", ...periodOf("2026-02")! })).toEqual([{ key: "m", grain: "half", from: "2026-02-01", to: "2026-02-16" }]);
    expect(lateSegmentsOf({ key: "s", from: "2026-01-16", to: "2026-03-20" })).toEqual([
      { key: "s", grain: "half", from: "2026-01-16", to: "2026-03-01" },
      { key: "s", grain: "day", from: "2026-03-16", to: "2026-03-20" },
    ]);
    // Due before the 10th is not known from the half month due: the days, then.
    expect(lateSegmentsOf({ key: "s", from: "2026-01-10", to: "2026-03-20" })).toEqual([{ key: "s", grain: "day", from: "2026-01-10", to: "2026-03-20" }]);
  });
});

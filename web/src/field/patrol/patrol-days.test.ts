import { describe, expect, it } from "vitest";
import { gapsOf, shiftDay, todayInChina } from "./patrol-days";

describe("patrol days", () => {
  it("counts days in China Standard Time and steps across months", () => {
    expect(todayInChina(new Date("2026-12-02T16:30:00Z"))).toBe("2026-12-03");
    expect(todayInChina(new Date("2026-12-02T15:30:00Z"))).toBe("2026-12-02");
    expect(shiftDay("2026-03-01", -1)).toBe("2026-02-28");
    expect(shiftDay("2026-12-31", 1)).toBe("2027-01-01");
  });

  it("times each gap by the fixes on either side of it", () => {
    const at = (minute: number) => ({ at: new Date(Date.UTC(2026, 11, 3, 1, minute)).toISOString() });
    const segments = [[at(0), at(1)], [at(9)], [at(10), at(11)]];
    const gaps = [
      { from: 1, to: 2, reason: "silence" as const },
      { from: 2, to: 3, reason: "jump" as const },
    ];
    expect(gapsOf(segments, gaps)).toEqual([
      { from: at(1).at, to: at(9).at, seconds: 480, reason: "silence" },
      { from: at(9).at, to: at(10).at, seconds: 60, reason: "jump" },
    ]);
  });
});

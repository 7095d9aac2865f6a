import { describe, expect, it } from "vitest";
import { periodDays, periodOfParam, periodParam, type Period } from "./data";

describe("the dashboard's period in its address", () => {
  const today = "2026-12-03";

  it("reads back every period it writes", () => {
    const periods: Period[] = [{ kind: "today" }, { kind: "month", month: "2026-11" }, { kind: "half", month: "2026-10", half: 2 }, { kind: "half", month: "2026-12", half: 1 }];
    for (const period of periods) expect(periodOfParam(periodParam(period), today)).toEqual(period);
  });

  it("is this month when the address names none, a malformed one or one not yet begun", () => {
    for (const text of [null, "", "2026-13", "2026-11-H3", "last month", "2027-01", "2026-12-H2"]) {
      expect(periodOfParam(text, today), String(text)).toEqual({ kind: "month", month: "2026-12" });
    }
  });

  it("gives the days a half month covers, a running one ending today", () => {
    expect(periodDays(periodOfParam("2026-11-H2", today), today)).toEqual({ from: "2026-11-16", to: "2026-11-30" });
    expect(periodDays(periodOfParam("2026-12-H1", today), today)).toEqual({ from: "2026-12-01", to: "2026-12-03" });
  });
});

import { describe, expect, it } from "vitest";
import type { BulletinLevel } from "./bulletin-data.ts";
import { bulletinTitle, formatChange, formatFigure, formatShanghaiTime, levelIndicators, periodLabel, periodRange, worstRows } from "./bulletin-text.ts";
import { sampleBulletin } from "./bulletin-sample.ts";

describe("bulletin text", () => {
  it("names half months, months and other periods in both languages", () => {
    const h2 = { code: "2026-11-H2", from: "2026-11-16", to: "2026-11-30" };
    expect(periodLabel(h2, "zh-CN")).toBe("2026年11月下半月");
    expect(periodLabel({ ...h2, code: "2026-02-H1" }, "zh-CN")).toBe("2026年2月上半月");
    expect(periodLabel({ code: "2026-11", from: "2026-11-01", to: "2026-11-30" }, "zh-CN")).toBe("2026年11月");
    expect(periodLabel(h2, "en")).toBe("November 2026, second half");
    expect(periodLabel({ code: "2026-W47", from: "2026-11-16", to: "2026-11-22" }, "zh-CN")).toBe("2026年11月16日至2026年11月22日");
    expect(periodRange(h2, "en")).toBe("2026-11-16 to 2026-11-30");
    expect(bulletinTitle(sampleBulletin({ streets: 1, communities: 0, departments: 0, gridWorkers: 0, overdueCases: 0 })))
      .toBe("盘龙区网格化服务管理工作通报（2026年11月下半月）");
  });

  it("writes rates as percentages with two decimals, counts grouped, and no denominator as a dash", () => {
    expect(formatFigure("closureRate", 43_523 / 52_434)).toBe("83.01%");
    expect(formatFigure("registrationRate", 1)).toBe("100.00%");
    expect(formatFigure("accepted", 51_571)).toBe("51,571");
    expect(formatFigure("averageHandlingHours", 12.5)).toBe("12.50");
    expect(formatFigure("reworkRate", null)).toBe("—");
    expect([formatChange(3, "zh-CN"), formatChange(-2, "zh-CN"), formatChange(0, "zh-CN"), formatChange(null, "zh-CN"), formatChange(null, "en")])
      .toEqual(["↑3", "↓2", "0", "新", "new"]);
  });

  it("shows instants in Beijing time", () => {
    expect(formatShanghaiTime("2026-11-30T16:05:00.000Z")).toBe("2026-12-01 00:05");
  });

  it("orders a level's figure columns as bulletins do, whatever the order of the rows' keys", () => {
    const level: BulletinLevel = {
      kind: "street",
      rows: [
        { rank: 1, code: "a", name: "甲", index: 90, change: 0, figures: { closureRate: 0.9, accepted: 10 } },
        { rank: 2, code: "b", name: "乙", index: 80, change: 0, figures: { overdue: 1 } },
      ],
    };
    expect(levelIndicators(level)).toEqual(["accepted", "closureRate", "overdue"]);
  });

  it("names the lowest ranked, with everyone tied with the last of them", () => {
    const rows = [1, 2, 3, 3, 5, 5, 5].map((rank, k) => ({ rank, code: `c${k}`, name: `单位${k}`, index: 100 - rank, change: 0, figures: {} }));
    const level: BulletinLevel = { kind: "community", rows };
    expect(worstRows(level, 2).map((row) => row.code)).toEqual(["c4", "c5", "c6"]);
    expect(worstRows(level, 4).map((row) => row.code)).toEqual(["c4", "c5", "c6", "c2", "c3"]);
    expect(worstRows(level, 10)).toHaveLength(7);
    expect(worstRows(level, 0)).toEqual([]);
    expect(worstRows({ kind: "street", rows: [] }, 3)).toEqual([]);
  });
});

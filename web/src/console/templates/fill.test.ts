import { describe, expect, it } from "vitest";
import { fillTemplate, insertIntoNote } from "./fill";

const values = { caseNumber: "530103-20261203-00017", deadline: "2026-12-05 18:00", department: "区城市管理局" };

describe("fillTemplate", () => {
  it("fills every placeholder, each time it appears", () => {
    expect(fillTemplate("已派遣至{department}，请于{deadline}前处置。", values)).toBe("已派遣至区城市管理局，请于2026-12-05 18:00前处置。");
    expect(fillTemplate("{caseNumber}/{caseNumber}", values)).toBe("530103-20261203-00017/530103-20261203-00017");
  });

  it("leaves a placeholder the case cannot fill yet, and any other brace", () => {
    expect(fillTemplate("派遣至{department}", { ...values, department: null })).toBe("派遣至{department}");
    expect(fillTemplate("{reporter} {} {caseNumber", values)).toBe("{reporter} {} {caseNumber");
  });
});

describe("insertIntoNote", () => {
  it("fills a blank note and adds a line to a written one", () => {
    expect(insertIntoNote(undefined, "甲")).toBe("甲");
    expect(insertIntoNote("  ", "甲")).toBe("甲");
    expect(insertIntoNote("已到场\n", "甲")).toBe("已到场\n甲");
  });
});

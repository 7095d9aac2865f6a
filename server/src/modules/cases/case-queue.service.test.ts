import { describe, expect, it } from "vitest";
import { csvCell } from "./case-queue.service.ts";

describe("csvCell", () => {
  it("quotes separators, quotes and line breaks", () => {
    expect(csvCell("井盖, 破损")).toBe('"井盖, 破损"');
    expect(csvCell('他说"快修"')).toBe('"他说""快修"""');
    expect(csvCell("第一行\n第二行")).toBe('"第一行\n第二行"');
    expect(csvCell(null)).toBe("");
    expect(csvCell("路灯不亮")).toBe("路灯不亮");
  });

  it("defuses text a spreadsheet would run as a formula", () => {
    expect(csvCell("=HYPERLINK(\"http://x\")")).toBe("\"'=HYPERLINK(\"\"http://x\"\")\"");
    expect(csvCell("+86 138")).toBe("'+86 138");
    expect(csvCell("-1")).toBe("'-1");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
  });
});

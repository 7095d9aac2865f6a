import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { BULLETIN_300_ROWS, handBulletin, sampleBulletin } from "./bulletin-sample.ts";
import { bulletinWorkbook } from "./bulletin-workbook.ts";

async function readBack(buffer: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  // ExcelJS declares an ArrayBuffer; a copy of the file's bytes is one.
  await workbook.xlsx.load(Uint8Array.from(buffer).buffer);
  return workbook;
}

/** The rows of a sheet from `from` on, as plain values. */
function rows(sheet: ExcelJS.Worksheet, from: number): unknown[][] {
  const out: unknown[][] = [];
  for (let r = from; r <= sheet.rowCount; r++) out.push((sheet.getRow(r).values as unknown[]).slice(1));
  return out;
}

const frozen = (sheet: ExcelJS.Worksheet) => {
  const view = sheet.views[0] as { state: string; xSplit?: number; ySplit?: number };
  return [view.state, view.xSplit ?? 0, view.ySplit ?? 0];
};

describe("bulletinWorkbook", () => {
  it("has a summary, a sheet per level, the lowest ranked, the overdue cases and the corrections", async () => {
    const workbook = await readBack(await bulletinWorkbook(handBulletin()));
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(["汇总", "街道排名", "部门排名", "排名靠后", "超期案件", "更正"]);
    expect(workbook.title).toBe("盘龙区网格化服务管理工作通报（2026年11月下半月）");
  });

  it("puts the totals on the summary under the title, rates as numbers shown as percentages", async () => {
    const summary = (await readBack(await bulletinWorkbook(handBulletin()))).getWorksheet("汇总")!;
    expect(summary.getCell("A1").value).toBe("盘龙区网格化服务管理工作通报（2026年11月下半月）");
    expect(summary.getCell("A2").value).toBe("统计时段：2026年11月16日至2026年11月30日");
    expect(summary.getCell("A3").value).toBe("生成时间：2026-12-01 08:30 （北京时间）");
    expect(rows(summary, 4).slice(0, 3)).toEqual([["指标", "数值"], ["受理数", 51_571], ["立案数", 51_229]]);
    expect(frozen(summary)).toEqual(["frozen", 0, 4]);
    // Not merged, so that the title runs on over the empty cells beside it instead of being cut.
    expect(summary.getCell("A1").isMerged).toBe(false);
    const byLabel = new Map(rows(summary, 5).map(([label], k) => [label, summary.getCell(5 + k, 2)]));
    expect(byLabel.get("结案率")!.value).toBeCloseTo(0.8301, 4);
    expect(byLabel.get("结案率")!.numFmt).toBe("0.00%");
    expect(byLabel.get("按期结案率")!.value).toBeCloseTo(0.7704, 4);
    expect(byLabel.get("受理数")!.numFmt).toBe("#,##0");
    expect(byLabel.get("平均处置时长（工作小时）")!.value).toBe(18.25);
    expect(byLabel.get("满意率")!.value).toBe("—");
    // Indicators absent from the totals are left out rather than shown empty.
    expect(byLabel.has("响应率")).toBe(false);
  });

  it("ranks each level with its index, change and figures, frozen at the header and names", async () => {
    const workbook = await readBack(await bulletinWorkbook(handBulletin()));
    const streets = workbook.getWorksheet("街道排名")!;
    expect(streets.getCell("A1").value).toBe("街道排名（2026年11月下半月）");
    expect(rows(streets, 2)).toEqual([
      ["排名", "名称", "代码", "治理指数", "名次变化", "受理数", "结案率", "满意率"],
      [1, "鼓楼街道", "530103002", 92.5, 2, 4_885, 0.9627, 0.95],
      [2, "滇源街道", "530103011", 79.6, "新", 3_604, 0.7849, "—"],
    ]);
    expect(frozen(streets)).toEqual(["frozen", 2, 2]);
    expect(streets.getCell("D3").numFmt).toBe("0.00");
    expect(streets.getCell("E3").numFmt).toBe("+0;-0;0");
    expect(streets.getCell("G3").numFmt).toBe("0.00%");
    const departments = workbook.getWorksheet("部门排名")!;
    expect(rows(departments, 3).map((row) => row.slice(0, 5))).toEqual([
      [1, "区城市管理局", "D001", 88.04, -1],
      [2, "市生态环境局盘龙分局", "D004", 71.3, 0],
    ]);
    // A Chinese character takes two widths: the longest name (10 characters) fits.
    expect(departments.getColumn(2).width).toBeGreaterThanOrEqual(20);
  });

  it("names the lowest ranked of each level, lists overdue cases longest first and the corrections", async () => {
    const workbook = await readBack(await bulletinWorkbook(handBulletin()));
    expect(rows(workbook.getWorksheet("排名靠后")!, 3)).toEqual([
      ["层级", "排名", "名称", "代码", "治理指数", "名次变化", "参评单位数"],
      ["街道", 2, "滇源街道", "530103011", 79.6, "新", 2],
      ["部门", 2, "市生态环境局盘龙分局", "D004", 71.3, 0, 2],
    ]);
    const overdue = workbook.getWorksheet("超期案件")!;
    expect(rows(overdue, 3).map((row) => [row[0], row[3], row[5]])).toEqual([
      ["202611200007", "区城市管理局", 130.5],
      ["202611210013", "—", 12],
    ]);
    // The deadline is a date (Beijing wall-clock time), formatted as one.
    expect(overdue.getCell("E3").value).toEqual(new Date("2026-11-20T17:30:00.000Z"));
    expect(overdue.getCell("E3").numFmt).toBe("yyyy-mm-dd hh:mm");
    const corrections = workbook.getWorksheet("更正")!;
    expect(rows(corrections, 3)).toEqual([
      ["2026年11月上半月", "街道", "530103011", "滇源街道", "结案数", 2_688, 2_690, 2],
      ["2026年11月上半月", "全区", "530103", "盘龙区", "结案率", 0.8301, 0.8305, expect.closeTo(0.0004, 10)],
    ]);
    expect(corrections.getCell("H4").numFmt).toBe("0.00%");
  });

  it("says so where there is nothing to show", async () => {
    const data = { ...handBulletin(), overdueCases: [], corrections: [] };
    const workbook = await readBack(await bulletinWorkbook(data));
    expect(workbook.getWorksheet("超期案件")!.getCell("A3").value).toBe("无。");
    expect(workbook.getWorksheet("更正")!.getCell("A3").value).toBe("无。");
  });

  it("is in English when the bulletin is", async () => {
    const workbook = await readBack(await bulletinWorkbook({ ...handBulletin(), locale: "en" }));
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([
      "Summary", "Street ranking", "Department ranking", "Lowest ranked", "Overdue cases", "Corrections",
    ]);
    expect(workbook.getWorksheet("Summary")!.getCell("A1").value).toBe("盘龙区 grid governance bulletin (November 2026, second half)");
    expect(workbook.getWorksheet("Street ranking")!.getCell("A1").value).toBe("Street ranking (November 2026, second half)");
    expect(rows(workbook.getWorksheet("Street ranking")!, 2)[0]).toContain("Closure rate");
  });

  it("holds a 300-row bulletin with every row read back", async () => {
    const data = sampleBulletin(BULLETIN_300_ROWS);
    const workbook = await readBack(await bulletinWorkbook(data));
    for (const level of data.levels) {
      const sheet = workbook.worksheets.find((candidate) => candidate.name.endsWith("排名") && candidate.getCell("A1").value?.toString().startsWith(
        { street: "街道", community: "社区", department: "部门", grid_worker: "网格员" }[level.kind],
      ))!;
      const names = rows(sheet, 3).map((row) => row[1]);
      expect(names.sort()).toEqual(level.rows.map((row) => row.name).sort());
    }
  });
});

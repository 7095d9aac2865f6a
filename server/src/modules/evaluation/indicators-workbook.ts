/**
 * The indicators table and a ranking as Excel workbooks: a header block (region, division, period,
 * grouping, generation time), one row per group with every named figure as a column under its
 * Chinese name, and the total. Counts and hours are numbers, rates fractions shown as percentages
 * by the cell's number format, so that the office can sort and chart them; a rate without a
 * denominator is "—". Pure.
 */
import type ExcelJS from "exceljs";
import { loadExcelJs } from "../../libraries.ts";
import type { Figures, Grouping, ReporterFigures } from "./indicators.ts";

type FigureName = keyof Figures;

/** Every figure of the indicators API in its order, with the name the glossary gives it. */
export const FIGURE_COLUMNS: readonly (readonly [FigureName, string])[] = [
  ["accepted", "受理数"],
  ["registered", "立案数"],
  ["registrationRate", "立案率"],
  ["dispatched", "派遣数"],
  ["dispatchRate", "派遣率"],
  ["dueToClose", "应结案数"],
  ["closed", "结案数"],
  ["closureRate", "结案率"],
  ["closedOnTime", "按期结案数"],
  ["onTimeClosureRate", "按期结案率"],
  ["overdue", "超期数"],
  ["reworked", "返工数"],
  ["reworkRate", "返工率"],
  ["extended", "延期数"],
  ["extensionRate", "延期率"],
  ["dueToHandle", "应处置数"],
  ["handledOnTime", "按期处置数"],
  ["onTimeHandlingRate", "按期处置率"],
  ["handled", "处置数"],
  ["averageHandlingHours", "平均处置时长（工作小时）"],
  ["responded", "按时签收数"],
  ["responseRate", "响应率"],
  ["closures", "期内结案数"],
  ["onSpot", "就地处置数"],
  ["rated", "评价数"],
  ["resolved", "已解决数"],
  ["resolutionRate", "解决率"],
  ["satisfied", "满意数"],
  ["satisfactionRate", "满意率"],
];

export const GROUPING_LABELS: Record<Grouping, string> = {
  street: "街道",
  community: "社区",
  grid: "网格",
  department: "部门",
  person: "人员",
  category: "问题类别",
  level: "案件等级",
  source: "案件来源",
  reporter: "发现人",
  day: "日",
  week: "周",
  month: "月",
};

export const NO_FIGURE = "—";
const RATE_FORMAT = "0.00%";
const COUNT_FORMAT = "#,##0";
const HOURS_FORMAT = "#,##0.00";
const HEADER_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFD9E1F2" } };
const TOTAL_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFF2F2F2" } };

const formatOf = (name: FigureName) => (name.endsWith("Rate") ? RATE_FORMAT : name === "averageHandlingHours" ? HOURS_FORMAT : COUNT_FORMAT);

/** Display width in Excel's character units: a Chinese character takes two. */
function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += /[\u2E80-\uFFEF]/u.test(char) ? 2 : 1;
  return width;
}

/** The Asia/Shanghai wall clock of an instant, yyyy-mm-dd hh:mm. */
export const shanghaiMinute = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace("T", " ");

type Column = { header: string; numFmt?: string };
type Value = string | number | null;

/**
 * One sheet: a bold title, the lines under it, a blank row, then the table with its header row
 * frozen; `totalRow` (the last row) is set off in bold. Numbers carry their columns' formats.
 */
async function workbookOf(sheetName: string, title: string, lines: string[], columns: Column[], rows: Value[][], totalRow: boolean): Promise<Buffer> {
  const { Workbook } = await loadExcelJs();
  const workbook = new Workbook();
  workbook.creator = "gridgov";
  const headerRow = lines.length + 3;
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: "frozen", ySplit: headerRow, xSplit: 2 }] });
  sheet.getCell(1, 1).value = title;
  sheet.getCell(1, 1).font = { bold: true, size: 14 };
  lines.forEach((line, k) => (sheet.getCell(2 + k, 1).value = line));
  const widths = columns.map((column) => textWidth(column.header));
  columns.forEach((column, c) => {
    const cell = sheet.getCell(headerRow, c + 1);
    cell.value = column.header;
    cell.font = { bold: true };
    cell.fill = HEADER_FILL;
    cell.alignment = { vertical: "middle", horizontal: "center", wrapText: true };
  });
  rows.forEach((values, r) => {
    const last = totalRow && r === rows.length - 1;
    values.forEach((value, c) => {
      const cell = sheet.getCell(headerRow + 1 + r, c + 1);
      cell.value = value;
      if (typeof value === "number" && columns[c].numFmt) cell.numFmt = columns[c].numFmt;
      if (value === NO_FIGURE) cell.alignment = { horizontal: "right" };
      if (last) {
        cell.font = { bold: true };
        cell.fill = TOTAL_FILL;
      }
      const shown = typeof value === "number" ? (columns[c].numFmt === RATE_FORMAT ? 8 : String(value).length + 2) : textWidth(value ?? "");
      widths[c] = Math.max(widths[c], shown);
    });
  });
  widths.forEach((width, c) => (sheet.getColumn(c + 1).width = Math.min(40, Math.max(8, width + 2))));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A figure the group does not count (a reporter's closures, say) is a dash. */
const figureCells = (figures: Partial<Figures>): Value[] => FIGURE_COLUMNS.map(([name]) => figures[name] ?? NO_FIGURE);
const figureHeaders: Column[] = FIGURE_COLUMNS.map(([name, header]) => ({ header, numFmt: formatOf(name) }));

export type IndicatorsSheet = {
  region: { code: string; name: string };
  division: { code: string; name: string };
  period: { from: string; to: string };
  groupBy: Grouping | null;
  rows: { key: string; name: string | null; figures: Figures | ReporterFigures }[];
  total: Figures;
  generatedAt: Date;
};

/** The indicators of a division as the API answers them: one row per group, then the total. */
export async function indicatorsWorkbook(data: IndicatorsSheet): Promise<Buffer> {
  const grouping = data.groupBy === null ? null : GROUPING_LABELS[data.groupBy];
  const lines = [
    `区域：${data.region.name}（${data.region.code}）`,
    `统计范围：${data.division.name}（${data.division.code}）`,
    `统计期间：${data.period.from} 至 ${data.period.to}`,
    `分组：${grouping ?? "不分组"}`,
    `生成时间：${shanghaiMinute(data.generatedAt)}（北京时间）`,
  ];
  const keyHeader = grouping === null ? "范围" : ["日", "周", "月"].includes(grouping) ? grouping : `${grouping}编码`;
  const columns: Column[] = [{ header: keyHeader }, { header: "名称" }, ...figureHeaders];
  const rows: Value[][] = [
    ...data.rows.map((row) => [row.key === "" ? "（无）" : row.key, row.name, ...figureCells(row.figures)]),
    ["合计", data.division.name, ...figureCells(data.total)],
  ];
  return workbookOf("考核指标", `考核指标 — ${data.division.name}`, lines, columns, rows, true);
}

export type RankingSheet = {
  region: { code: string; name: string };
  kind: "street" | "community" | "department" | "grid_worker";
  period: { code: string; from: string; to: string };
  rows: { rank: number | null; code: string; name: string; index: number | null; change: number | null; figures: Figures | ReporterFigures; reports?: number; onSpot?: number; patrolHours?: number }[];
  generatedAt: Date;
};

const KIND_LABELS: Record<RankingSheet["kind"], string> = { street: "街道", community: "社区", department: "部门", grid_worker: "网格员" };

/** A ranking by governance index: rank, unit, index, change of rank and every figure (a grid worker's: reports, on the spot, patrol). */
export async function rankingWorkbook(data: RankingSheet): Promise<Buffer> {
  const kind = KIND_LABELS[data.kind];
  const worker = data.kind === "grid_worker";
  const lines = [
    `区域：${data.region.name}（${data.region.code}）`,
    `排行对象：${kind}`,
    `考核周期：${data.period.code}（${data.period.from} 至 ${data.period.to}）`,
    `生成时间：${shanghaiMinute(data.generatedAt)}（北京时间）`,
  ];
  // A grid worker's code is an account id, of no use on paper.
  const columns: Column[] = [
    { header: "排名", numFmt: "0" },
    { header: worker ? "姓名" : `${kind}名称` },
    ...(worker ? [] : [{ header: `${kind}编码` }]),
    { header: "治理指数", numFmt: "0.00" },
    { header: "名次变化", numFmt: "+0;-0;0" },
    ...(worker ? [{ header: "上报数", numFmt: COUNT_FORMAT }, { header: "就地处置数", numFmt: COUNT_FORMAT }, { header: "巡查时长（小时）", numFmt: HOURS_FORMAT }] : figureHeaders),
  ];
  const rows: Value[][] = data.rows.map((row) => [
    row.rank,
    row.name,
    ...(worker ? [] : [row.code]),
    row.index ?? NO_FIGURE,
    row.change,
    ...(worker ? [row.reports ?? 0, row.onSpot ?? 0, row.patrolHours ?? 0] : figureCells(row.figures)),
  ]);
  return workbookOf("治理指数排行", `治理指数排行 — ${kind}`, lines, columns, rows, false);
}

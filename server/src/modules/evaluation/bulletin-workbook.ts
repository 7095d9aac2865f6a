/**
 * A bulletin as an Excel workbook: a summary sheet, one ranking sheet per level, the lowest ranked,
 * the overdue cases and the corrections to earlier bulletins. Figures are stored as numbers with a
 * number format (rates as fractions shown as percentages), so that the office can sort, sum and
 * chart them; a rate with no denominator is written "—".
 */
import type ExcelJS from "exceljs";
import { loadExcelJs } from "../../libraries.ts";
import type { BulletinData, BulletinLevel, IndicatorName } from "./bulletin-data.ts";
import {
  NO_FIGURE, bulletinTitle, bulletinWords, figureStyle, formatShanghaiTime, indicatorLabel, kindLabel, levelIndicators,
  overdueInOrder, periodLabel, periodRange, shanghaiWallClock, totalIndicators, worstRows, type FigureStyle,
} from "./bulletin-text.ts";

type Value = string | number | Date | null;
type Column = { header: string; numFmt?: string; align?: "left" | "center" | "right"; maxWidth?: number };

const NUMBER_FORMATS: Record<FigureStyle, string> = { count: "#,##0", rate: "0.00%", hours: "#,##0.00" };
const INDEX_FORMAT = "0.00";
/** Places gained shown with their sign; 0 for no change. */
const CHANGE_FORMAT = "+0;-0;0";
const DATE_TIME_FORMAT = "yyyy-mm-dd hh:mm";

const HEADER_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFD9E1F2" } };
const THIN: ExcelJS.Border = { style: "thin", color: { argb: "FFB4B4B4" } };
const BORDER: Partial<ExcelJS.Borders> = { top: THIN, left: THIN, bottom: THIN, right: THIN };

/** Display width in Excel's character units: a Chinese character takes two. */
function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += /[\u2E80-\uFFEF]/u.test(char) || char.codePointAt(0)! > 0xffff ? 2 : 1;
  return width;
}

function shownText(value: Value, column: Column): string {
  if (value === null) return "";
  if (value instanceof Date) return DATE_TIME_FORMAT;
  if (typeof value === "number") {
    if (column.numFmt?.includes("%")) return `${(value * 100).toFixed(2)}%`;
    return column.numFmt?.includes(".00") ? value.toFixed(2) : value.toLocaleString("en-US");
  }
  return value;
}

/**
 * Writes a titled table from row 1: the title, any lines under it,
 * then the header row, frozen with the columns before `frozenColumns`. Columns are sized to their
 * widest cell; a table with no rows says so.
 */
function writeTable(
  sheet: ExcelJS.Worksheet,
  title: string,
  lines: string[],
  columns: Column[],
  rows: Value[][],
  options: { frozenColumns?: number; empty: string },
): void {
  // Title and lines are not merged: a merged cell cuts its text at its edge, a plain one runs on
  // over the empty cells beside it.
  const titleCell = sheet.getCell(1, 1);
  titleCell.value = title;
  titleCell.font = { bold: true, size: 14 };
  titleCell.alignment = { vertical: "middle" };
  sheet.getRow(1).height = 24;
  lines.forEach((line, k) => {
    sheet.getCell(2 + k, 1).value = line;
  });
  const headerRow = 2 + lines.length;
  columns.forEach((column, c) => {
    const cell = sheet.getCell(headerRow, c + 1);
    cell.value = column.header;
    cell.font = { bold: true };
    cell.fill = HEADER_FILL;
    cell.border = BORDER;
    cell.alignment = { vertical: "middle", horizontal: "center", wrapText: true };
  });
  rows.forEach((values, r) => {
    values.forEach((value, c) => {
      const column = columns[c];
      const cell = sheet.getCell(headerRow + 1 + r, c + 1);
      cell.value = value;
      cell.border = BORDER;
      if (typeof value === "number" || value instanceof Date) {
        if (column.numFmt) cell.numFmt = column.numFmt;
        cell.alignment = { horizontal: column.align ?? "right" };
      } else if (value === NO_FIGURE) {
        cell.alignment = { horizontal: "right" };
      } else if (column.align) {
        cell.alignment = { horizontal: column.align };
      }
    });
  });
  if (rows.length === 0) sheet.getCell(headerRow + 1, 1).value = options.empty;
  let headerLines = 1;
  columns.forEach((column, c) => {
    const widest = Math.max(textWidth(column.header), ...rows.map((values) => textWidth(shownText(values[c] ?? null, column))));
    // At least 10: ExcelJS writes a width of 9, its default, without marking it as set.
    const width = Math.min(column.maxWidth ?? 60, Math.max(10, widest + 2));
    sheet.getColumn(c + 1).width = width;
    headerLines = Math.max(headerLines, Math.ceil(textWidth(column.header) / (width - 2)));
  });
  // Wrapped headers get the height of their lines; neither Excel nor LibreOffice grows a row on opening.
  if (headerLines > 1) sheet.getRow(headerRow).height = 15 * headerLines;
  sheet.views = [{ state: "frozen", xSplit: options.frozenColumns ?? 0, ySplit: headerRow, topLeftCell: sheet.getCell(headerRow + 1, (options.frozenColumns ?? 0) + 1).address }];
  // Printed, every page repeats the header row and the pages are as wide as the table.
  sheet.pageSetup = {
    ...sheet.pageSetup,
    paperSize: 9,
    orientation: columns.length > 8 ? "landscape" : "portrait",
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    printTitlesRow: `${headerRow}:${headerRow}`,
  };
}

const figure = (value: number | null | undefined): Value => (value === null || value === undefined ? NO_FIGURE : value);
const figureColumn = (indicator: IndicatorName, locale: BulletinData["locale"]): Column => ({
  header: indicatorLabel(indicator, locale),
  numFmt: NUMBER_FORMATS[figureStyle(indicator)],
  maxWidth: 14,
});

/** Sheet names are at most 31 characters, without []:*?/\, and unique. */
function sheetName(workbook: ExcelJS.Workbook, wanted: string): string {
  const base = wanted.replace(/[[\]:*?/\\]/g, " ").slice(0, 28);
  let name = base;
  for (let n = 2; workbook.getWorksheet(name); n++) name = `${base} ${n}`;
  return name;
}

export async function bulletinWorkbook(data: BulletinData): Promise<Buffer> {
  const { locale } = data;
  const words = bulletinWords(locale);
  const period = periodLabel(data.period, locale);
  const { Workbook } = await loadExcelJs();
  const workbook = new Workbook();
  workbook.creator = data.regionName;
  workbook.title = bulletinTitle(data);
  workbook.created = new Date(data.generatedAt);
  workbook.modified = workbook.created;

  const header = [
    `${words.period}${locale === "en" ? ": " : "："}${periodRange(data.period, locale)}`,
    `${words.generatedAt}${locale === "en" ? ": " : "："}${formatShanghaiTime(data.generatedAt)} ${words.beijingTime}`,
  ];
  const totals = totalIndicators(data.totals);
  const summary = workbook.addWorksheet(sheetName(workbook, words.summary));
  writeTable(
    summary,
    bulletinTitle(data),
    header,
    [{ header: words.indicator, maxWidth: 30 }, { header: words.value, maxWidth: 16 }],
    totals.map((indicator) => [indicatorLabel(indicator, locale), figure(data.totals[indicator])]),
    { empty: words.none },
  );
  totals.forEach((indicator, k) => {
    summary.getCell(2 + header.length + 1 + k, 2).numFmt = NUMBER_FORMATS[figureStyle(indicator)];
  });
  const notesRow = 2 + header.length + 1 + Math.max(totals.length, 1) + 1;
  [words.noFigureNote, words.changeNote].forEach((note, k) => {
    summary.getCell(notesRow + k, 1).value = note;
    summary.getCell(notesRow + k, 1).font = { color: { argb: "FF666666" } };
  });
  // The title spans the table; keep it whole on screen.
  summary.getColumn(1).width = Math.max(summary.getColumn(1).width ?? 0, 30);

  for (const level of data.levels) writeLevel(workbook, data, level, period);

  writeTable(
    workbook.addWorksheet(sheetName(workbook, words.worst)),
    `${words.worst}${words.bracket(period)}`,
    [words.worstHeading(data.worst)],
    [
      { header: words.level }, { header: words.rank, numFmt: "0" }, { header: words.name, maxWidth: 40 }, { header: words.code },
      { header: words.index, numFmt: INDEX_FORMAT }, { header: words.change, numFmt: CHANGE_FORMAT, align: "right" }, { header: words.ranked, numFmt: "0" },
    ],
    data.levels.flatMap((level) => worstRows(level, data.worst).map((row) => [
      kindLabel(level.kind, locale), row.rank, row.name, row.code, row.index, changeValue(row.change, locale), level.rows.length,
    ])),
    { frozenColumns: 1, empty: words.none },
  );

  writeTable(
    workbook.addWorksheet(sheetName(workbook, words.overdue)),
    `${words.overdue}${words.bracket(period)}`,
    [],
    [
      { header: words.caseNumber }, { header: words.caseTitle, maxWidth: 50 }, { header: words.division, maxWidth: 30 },
      { header: words.department, maxWidth: 30 }, { header: words.deadline, numFmt: DATE_TIME_FORMAT }, { header: words.overdueHours, numFmt: "#,##0.00" },
    ],
    overdueInOrder(data.overdueCases).map((item) => [
      item.number, item.title, item.divisionName, item.departmentName ?? NO_FIGURE, shanghaiWallClock(item.deadline), item.overdueWorkingHours,
    ]),
    { frozenColumns: 1, empty: words.none },
  );

  const corrections = workbook.addWorksheet(sheetName(workbook, words.corrections));
  writeTable(
    corrections,
    words.correctionsHeading,
    [],
    [
      { header: words.correctedPeriod }, { header: words.level }, { header: words.code }, { header: words.name, maxWidth: 40 },
      { header: words.indicator, maxWidth: 30 }, { header: words.published }, { header: words.now }, { header: words.difference },
    ],
    data.corrections.map((item) => [
      periodLabel(item.period, locale), kindLabel(item.kind, locale), item.code, item.name, indicatorLabel(item.indicator, locale),
      figure(item.published), figure(item.now),
      item.published === null || item.now === null ? NO_FIGURE : item.now - item.published,
    ]),
    { frozenColumns: 0, empty: words.none },
  );
  // Each correction's figures take its indicator's format.
  data.corrections.forEach((item, k) => {
    for (const column of [6, 7, 8]) corrections.getCell(3 + k, column).numFmt = NUMBER_FORMATS[figureStyle(item.indicator)];
  });

  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** In the workbook a change is a number (sortable); a unit not ranked before is marked in words. */
const changeValue = (change: number | null, locale: BulletinData["locale"]): Value => (change === null ? (locale === "en" ? "new" : "新") : change);

function writeLevel(workbook: ExcelJS.Workbook, data: BulletinData, level: BulletinLevel, period: string): void {
  const { locale } = data;
  const words = bulletinWords(locale);
  const indicators = levelIndicators(level);
  const rows = [...level.rows].sort((a, b) => a.rank - b.rank || a.code.localeCompare(b.code));
  writeTable(
    workbook.addWorksheet(sheetName(workbook, words.ranking(level.kind))),
    `${words.ranking(level.kind)}${words.bracket(period)}`,
    [],
    [
      { header: words.rank, numFmt: "0" }, { header: words.name, maxWidth: 40 }, { header: words.code },
      { header: words.index, numFmt: INDEX_FORMAT }, { header: words.change, numFmt: CHANGE_FORMAT, align: "right" },
      ...indicators.map((indicator) => figureColumn(indicator, locale)),
    ],
    rows.map((row) => [
      row.rank, row.name, row.code, row.index, changeValue(row.change, locale),
      ...indicators.map((indicator) => figure(row.figures[indicator])),
    ]),
    { frozenColumns: 2, empty: words.none },
  );
}

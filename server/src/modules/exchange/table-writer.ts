/**
 * Tables written for a clerk's spreadsheet: an Excel workbook of one sheet, or CSV in UTF-8 with a
 * byte-order mark (without it Excel on a Chinese Windows reads UTF-8 as GBK and garbles the text).
 */
import type ExcelJS from "exceljs";
import { loadExcelJs } from "../../libraries.ts";
import { csvCell } from "../cases/case-queue.service.ts";

export type TableValue = string | number | Date | null;
export type TableFormat = "xlsx" | "csv";

export const TABLE_TYPES: Record<TableFormat, string> = {
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  csv: "text/csv; charset=utf-8",
};

const HEADER_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFD9E1F2" } };

/** Display width in Excel's character units: a Chinese character takes two. */
function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += /[\u2E80-\uFFEF]/u.test(char) ? 2 : 1;
  return width;
}

/**
 * A workbook of one sheet: the header row bold, filled and frozen, columns sized to their widest
 * cell (at most 60), dates shown as yyyy-mm-dd hh:mm. Text is stored as text, never as a formula.
 * Dates are written as the Asia/Shanghai wall clock, which is what Excel shows without a zone.
 */
export async function writeXlsx(sheetName: string, headers: readonly string[], rows: readonly TableValue[][]): Promise<Buffer> {
  const { Workbook } = await loadExcelJs();
  const workbook = new Workbook();
  workbook.creator = "gridgov";
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31), { views: [{ state: "frozen", ySplit: 1 }] });
  const widths = headers.map((header) => textWidth(header));
  sheet.addRow([...headers]);
  for (const row of rows) {
    sheet.addRow(row.map((value) => (value instanceof Date ? new Date(value.getTime() + 8 * 3600_000) : value)));
    row.forEach((value, i) => {
      widths[i] = Math.max(widths[i] ?? 0, value instanceof Date ? 16 : value === null ? 0 : textWidth(String(value)));
    });
  }
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.eachCell((cell) => (cell.fill = HEADER_FILL));
  widths.forEach((width, i) => {
    const column = sheet.getColumn(i + 1);
    column.width = Math.min(60, width + 2);
    if (rows.some((row) => row[i] instanceof Date)) column.numFmt = "yyyy-mm-dd hh:mm";
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const shanghaiText = (date: Date) => new Date(date.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace("T", " ");

/** CSV in UTF-8 with a byte-order mark, CRLF lines; dates as Asia/Shanghai yyyy-mm-dd hh:mm:ss; formulas defused. */
export function writeCsv(headers: readonly string[], rows: readonly TableValue[][]): string {
  const line = (cells: readonly TableValue[]) =>
    `${cells.map((value) => csvCell(value === null ? null : value instanceof Date ? shanghaiText(value) : String(value))).join(",")}\r\n`;
  return `\uFEFF${line(headers)}${rows.map(line).join("")}`;
}

export async function writeTable(format: TableFormat, sheetName: string, headers: readonly string[], rows: readonly TableValue[][]): Promise<Buffer> {
  return format === "xlsx" ? writeXlsx(sheetName, headers, rows) : Buffer.from(writeCsv(headers, rows), "utf8");
}

/**
 * The workbooks of reference data: the template to fill in and the export, one layout for both so
 * that an export imports back as it is. The first sheet holds the Chinese headers and the rows
 * (codes and phones stored as text, so that Excel neither rounds an 18-digit code nor drops a
 * leading zero); the second, 说明, says of every column whether it is required, what it holds and
 * the values allowed, with an example row.
 */
import type ExcelJS from "exceljs";
import { loadExcelJs } from "../../libraries.ts";
import { DEPARTMENT_COLUMNS } from "./department-rows.ts";
import { PLACE_COLUMNS } from "./place-rows.ts";
import type { ColumnSpec, ReferenceKind } from "./reference-columns.ts";
import { STAFF_COLUMNS } from "./staff-rows.ts";

export const REFERENCE_COLUMNS: Record<ReferenceKind, readonly ColumnSpec[]> = { staff: STAFF_COLUMNS, departments: DEPARTMENT_COLUMNS, places: PLACE_COLUMNS };
export const SHEET_NAMES: Record<ReferenceKind, string> = { staff: "人员", departments: "部门", places: "小区楼栋" };

/** Columns holding numbers rather than text. */
const NUMERIC = new Set(["lng", "lat"]);
const HEADER_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFD9E1F2" } };
const NOTES_HEADERS = ["列名", "英文字段名", "是否必填", "说明", "示例"];

function width(text: string): number {
  let total = 0;
  for (const char of text) total += /[\u2E80-\uFFEF]/u.test(char) ? 2 : 1;
  return total;
}

export async function referenceWorkbook(kind: ReferenceKind, rows: readonly (string | number | null)[][]): Promise<Buffer> {
  const columns = REFERENCE_COLUMNS[kind];
  const { Workbook } = await loadExcelJs();
  const workbook = new Workbook();
  workbook.creator = "gridgov";
  const sheet = workbook.addWorksheet(SHEET_NAMES[kind], { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = columns.map((column) => ({
    header: column.header,
    key: column.field,
    width: Math.min(60, Math.max(width(column.header), width(column.example), ...rows.slice(0, 1000).map((row) => width(String(row[columns.indexOf(column)] ?? "")))) + 2),
    style: NUMERIC.has(column.field) ? {} : { numFmt: "@" },
  }));
  for (const row of rows) sheet.addRow(row.map((value, i) => (value === null ? null : NUMERIC.has(columns[i].field) ? value : String(value))));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.eachCell((cell) => (cell.fill = HEADER_FILL));

  const notes = workbook.addWorksheet("说明");
  notes.columns = [{ width: 14 }, { width: 16 }, { width: 10 }, { width: 80 }, { width: 24 }];
  notes.addRow(NOTES_HEADERS).font = { bold: true };
  for (const column of columns) {
    const added = notes.addRow([column.header, column.field, column.required ? "必填" : "可空", column.describe, column.example]);
    added.getCell(4).alignment = { wrapText: true, vertical: "top" };
  }
  notes.addRow([]);
  notes.addRow(["示例行（填在第一页）"]).font = { bold: true };
  notes.addRow(columns.map((column) => column.header)).font = { bold: true };
  notes.addRow(columns.map((column) => column.example));
  notes.addRow([]);
  notes.addRow(["表头写中文列名或英文字段名均可；每行按编码（人员按用户名）认出已有记录，只改不同之处，重复导入同一文件不会改变任何数据。有错误的行都会列出行号、列名和原因；默认有任何错误行就整份不导入，可选择只导入正确的行。"]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/**
 * Tables read from a clerk's spreadsheet: an Excel workbook (.xlsx, its first sheet) or a CSV file
 * (UTF-8 with or without a byte-order mark, or GB18030/GBK as Excel writes CSV on a Chinese
 * Windows). Every cell comes back as text; a table is its header row and its data rows, each with
 * the row number the spreadsheet shows, so that a report can point a clerk at it.
 */
import { Readable } from "node:stream";
import type ExcelJS from "exceljs";
import { AppError } from "../../errors.ts";
import { loadExcelJs } from "../../libraries.ts";
import { TimeSlices } from "./time-slices.ts";
import { mendWorkbookReader } from "./xlsx-reader.ts";
import { checkZip, type ZipLimits } from "./zip-guard.ts";

export type TableRow = { /** The row number as the spreadsheet shows it: the header is usually row 1. */ number: number; cells: string[] };
export type Table = { format: "xlsx" | "csv"; encoding: "utf-8" | "gb18030" | null; headers: string[]; rows: TableRow[] };

export type TableLimits = ZipLimits & { maxBytes: number; maxRows: number; maxColumns: number; maxCellChars: number };

export const TABLE_LIMITS: TableLimits = {
  maxBytes: 20 * 1024 * 1024,
  maxRows: 200_000,
  maxColumns: 100,
  // Excel's own limit for a cell.
  maxCellChars: 32_767,
  maxUncompressedBytes: 400 * 1024 * 1024,
  maxRatio: 100,
  maxEntries: 1000,
};

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const tooLarge = (limits: TableLimits) =>
  new AppError(413, "table_too_large", `A table file holds at most ${limits.maxBytes / 1024 / 1024} MiB`);
const tooManyRows = (limits: TableLimits) =>
  new AppError(422, "too_many_rows", `A table holds at most ${limits.maxRows.toLocaleString("en")} data rows: split the file`);
const tooManyColumns = (limits: TableLimits) => new AppError(422, "too_many_columns", `A table holds at most ${limits.maxColumns} columns`);

/**
 * Reads a table file, telling the format by its first bytes; refuses what exceeds the limits. A
 * large file is read in slices of the event loop, so the server answers other requests meanwhile.
 */
export async function readTable(data: Buffer, limits: TableLimits = TABLE_LIMITS): Promise<Table> {
  if (data.length > limits.maxBytes) throw tooLarge(limits);
  if (data.length === 0) throw new AppError(422, "empty_table", "The file is empty");
  if (data.subarray(0, 4).equals(OLE_MAGIC)) {
    throw new AppError(415, "unsupported_table_format", "Old Excel files (.xls) are not read: save the sheet as .xlsx or CSV");
  }
  const table = data.subarray(0, 4).equals(ZIP_MAGIC) ? await readXlsx(data, limits) : await readCsv(data, limits);
  if (table.headers.every((header) => header === "")) throw new AppError(422, "empty_table", "The table has no header row");
  return table;
}

/** The first sheet's rows; the header is the first row with any text. */
async function readXlsx(data: Buffer, limits: TableLimits): Promise<Table> {
  await checkZip(data, limits);
  const { stream } = await loadExcelJs();
  const reader = new stream.xlsx.WorkbookReader(Readable.from([data]), {
    sharedStrings: "cache",
    styles: "cache",
    hyperlinks: "ignore",
    worksheets: "emit",
    entries: "emit",
  });
  mendWorkbookReader(reader);
  const rows: TableRow[] = [];
  let headers: string[] | undefined;
  const slices = new TimeSlices();
  try {
    for await (const sheet of reader) {
      for await (const row of sheet as unknown as AsyncIterable<ExcelJS.Row>) {
        if (slices.due()) await slices.next();
        const values = row.values as ExcelJS.CellValue[];
        if (values.length - 1 > limits.maxColumns) throw tooManyColumns(limits);
        const cells = values.slice(1).map((value) => cellText(value, limits));
        // exceljs leaves holes for empty cells: fill them.
        for (let i = 0; i < cells.length; i++) cells[i] ??= "";
        if (cells.every((cell) => cell === "")) continue;
        if (!headers) headers = cells.map((cell) => cell.trim());
        else {
          rows.push({ number: row.number, cells });
          if (rows.length > limits.maxRows) throw tooManyRows(limits);
        }
      }
      // The first sheet only: a workbook's other sheets are notes and lookups.
      break;
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(400, "unreadable_table", `The workbook cannot be read: ${(error as Error).message}`);
  }
  return { format: "xlsx", encoding: null, headers: headers ?? [], rows };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** A cell's value as the text a clerk sees: dates as yyyy-mm-dd hh:mm:ss, formulas by their result. */
export function cellText(value: ExcelJS.CellValue | undefined, limits: Pick<TableLimits, "maxCellChars"> = TABLE_LIMITS): string {
  let text: string;
  if (value === null || value === undefined) return "";
  if (value instanceof Date) {
    // Excel stores a wall-clock time without a zone; exceljs reads it as if it were UTC.
    const date = `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
    const time = `${pad(value.getUTCHours())}:${pad(value.getUTCMinutes())}:${pad(value.getUTCSeconds())}`;
    text = time === "00:00:00" ? date : `${date} ${time}`;
  } else if (typeof value === "object") {
    if ("richText" in value) text = value.richText.map((part) => part.text).join("");
    else if ("formula" in value || "sharedFormula" in value) text = cellText((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue, limits);
    else if ("text" in value) text = String(value.text);
    else if ("error" in value) text = "";
    else text = String(value);
  } else text = String(value);
  if (text.length > limits.maxCellChars) throw new AppError(422, "cell_too_long", `A cell holds at most ${limits.maxCellChars} characters`);
  return text;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const gb18030 = new TextDecoder("gb18030", { fatal: true });

/** The text of a CSV file: UTF-8 (with or without BOM) when it is valid UTF-8, else GB18030 (a superset of GBK). */
export function decodeCsv(data: Buffer): { text: string; encoding: "utf-8" | "gb18030" } {
  if (data.subarray(0, 3).equals(UTF8_BOM)) {
    try {
      return { text: utf8.decode(data.subarray(3)), encoding: "utf-8" };
    } catch {
      throw new AppError(400, "unreadable_table", "The CSV file says it is UTF-8 but is not");
    }
  }
  try {
    return { text: utf8.decode(data), encoding: "utf-8" };
  } catch {
    try {
      return { text: gb18030.decode(data), encoding: "gb18030" };
    } catch {
      throw new AppError(400, "unreadable_table", "The CSV file is neither UTF-8 nor GB18030 (GBK) text");
    }
  }
}

/**
 * RFC 4180 CSV: quoted fields may hold separators, quotes ("") and line breaks; lines end in CRLF
 * or LF. The separator is a comma, or a tab when the first line has tabs and no comma.
 */
async function readCsv(data: Buffer, limits: TableLimits): Promise<Table> {
  const { text, encoding } = decodeCsv(data);
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const separator = !firstLine.includes(",") && firstLine.includes("\t") ? "\t" : ",";
  const rows: TableRow[] = [];
  let headers: string[] | undefined;
  let cells: string[] = [];
  let field = "";
  let line = 1;
  let rowStart = 1;
  let i = 0;
  const slices = new TimeSlices();
  const endField = () => {
    if (field.length > limits.maxCellChars) throw new AppError(422, "cell_too_long", `A cell holds at most ${limits.maxCellChars} characters`);
    cells.push(field);
    field = "";
    if (cells.length > limits.maxColumns) throw tooManyColumns(limits);
  };
  const endRow = () => {
    endField();
    if (cells.some((cell) => cell !== "")) {
      if (!headers) headers = cells.map((cell) => cell.trim());
      else {
        rows.push({ number: rowStart, cells });
        if (rows.length > limits.maxRows) throw tooManyRows(limits);
      }
    }
    cells = [];
    rowStart = line;
  };
  while (i < text.length) {
    const char = text[i];
    if (char === '"' && field === "") {
      // A quoted field runs to the next quote not doubled.
      let end = i + 1;
      for (;;) {
        const quote = text.indexOf('"', end);
        if (quote < 0) throw new AppError(400, "unreadable_table", `Row ${rowStart}: a quoted cell is never closed`);
        if (text[quote + 1] === '"') {
          end = quote + 2;
          continue;
        }
        field = text.slice(i + 1, quote).replaceAll('""', '"');
        for (const c of field) if (c === "\n") line++;
        i = quote + 1;
        break;
      }
      continue;
    }
    if (char === separator) endField();
    else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      line++;
      endRow();
      if (slices.due()) await slices.next();
    } else field += char;
    i++;
  }
  if (field !== "" || cells.length > 0) endRow();
  return { format: "csv", encoding, headers: headers ?? [], rows };
}

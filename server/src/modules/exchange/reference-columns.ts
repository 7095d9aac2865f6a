/**
 * The columns of the reference-data files (staff, departments, places): their Chinese headers, the
 * English field names also accepted, what the template's 说明 sheet says of each, and how a file's
 * header row is matched to them. Pure: the database is left to the service.
 */
import { AppError } from "../../errors.ts";

export const REFERENCE_KINDS = ["staff", "departments", "places"] as const;
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];

export type ColumnSpec<F extends string = string> = {
  field: F;
  /** The header the template and the export write. */
  header: string;
  /** The column must be in the file (a cell may still be empty where `describe` allows it). */
  required: boolean;
  /** For the template's 说明 sheet: what the cell holds and the values allowed. */
  describe: string;
  example: string;
};

/** A bad row as the clerk reads it: the row number the spreadsheet shows, the column's header, a stable code and the reason in Chinese. */
export type RowProblem = { row: number; column: string; code: string; reason: string };

/** Headers compare without surrounding spaces, English field names without case. */
const normal = (text: string) => text.trim().toLowerCase();

/**
 * Where each column is in a file's header row, by its Chinese header or its English field name;
 * 422 `columns_missing` naming the required columns the file lacks (with the file's headers).
 */
export function matchColumns<F extends string>(headers: readonly string[], specs: readonly ColumnSpec<F>[]): Partial<Record<F, number>> {
  const indexes: Partial<Record<F, number>> = {};
  const missing: string[] = [];
  for (const spec of specs) {
    const index = headers.findIndex((header) => header.trim() === spec.header || normal(header) === normal(spec.field));
    if (index >= 0) indexes[spec.field] = index;
    else if (spec.required) missing.push(spec.header);
  }
  if (missing.length > 0) {
    throw new AppError(422, "columns_missing", `The file has no column ${missing.join(", ")}`, { columns: missing, headers });
  }
  return indexes;
}

/** A row's cells by field: trimmed text, "" for an empty cell, undefined when the file lacks the column. */
export function rowReader<F extends string>(indexes: Partial<Record<F, number>>, cells: readonly string[]) {
  return (field: F): string | undefined => {
    const index = indexes[field];
    return index === undefined ? undefined : (cells[index] ?? "").trim();
  };
}

/** Collects a row's problems under the column headers of its kind. */
export function problemCollector<F extends string>(specs: readonly ColumnSpec<F>[], problems: RowProblem[]) {
  const headers = new Map(specs.map((spec) => [spec.field, spec.header]));
  return (row: number) => {
    const before = problems.length;
    return {
      add: (field: F, code: string, reason: string) => problems.push({ row, column: headers.get(field) ?? field, code, reason }),
      get clean() {
        return problems.length === before;
      },
    };
  };
}

/** A phone as the API takes it. */
export const PHONE = /^[0-9+\- ]{5,20}$/;
/** A cell holding a phone as exports write it (masked: 138****5678). */
export const isMasked = (text: string) => text.includes("*");

/** Splits a list cell at commas (also Chinese ones), 、, semicolons or spaces. */
export const listCell = (text: string) => text.split(/[,，、;；\s]+/).filter(Boolean);

/** What one row will do: create, change only what differs, or nothing. */
export type RowAction = "create" | "update" | "unchanged";

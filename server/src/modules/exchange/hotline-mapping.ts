/**
 * What a 12345 column mapping says and how a row of a work-order file is read through it: pure
 * functions, the database left to the service.
 */
import { AppError } from "../../errors.ts";

/** The fields a file's columns may hold, read on import. */
export const IMPORT_FIELDS = [
  "externalRef",
  "reportedAt",
  "title",
  "description",
  "address",
  "category",
  "callerName",
  "callerPhone",
  "lng",
  "lat",
  "deadline",
] as const;
/** The results written back on export, under the headers the mapping names. */
export const EXPORT_FIELDS = ["status", "department", "handlingNote", "closedAt", "rating"] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];
export type ExportField = (typeof EXPORT_FIELDS)[number];
export type MappingColumns = Partial<Record<ImportField | ExportField, string>>;

/** The headers a 12345 platform's results file uses when the mapping names none. */
export const DEFAULT_EXPORT_HEADERS: Record<ExportField, string> = {
  status: "办理状态",
  department: "承办单位",
  handlingNote: "办理结果",
  closedAt: "办结时间",
  rating: "满意度",
};

/** The field names as a clerk reads them, in the reports of bad rows. */
export const FIELD_LABELS: Record<ImportField, string> = {
  externalRef: "工单编号",
  reportedAt: "受理时间",
  title: "标题",
  description: "诉求内容",
  address: "地址",
  category: "类别",
  callerName: "来电人",
  callerPhone: "来电号码",
  lng: "经度",
  lat: "纬度",
  deadline: "办理时限",
};

/**
 * Refuses a mapping that cannot import: the work-order number and the content must be mapped, a
 * place by an address or by both coordinates, and no column may stand for two fields.
 */
export function checkMappingColumns(columns: MappingColumns): void {
  const problems: string[] = [];
  if (!columns.externalRef) problems.push("externalRef (the work-order number) must be mapped");
  if (!columns.description) problems.push("description (the content) must be mapped");
  if (Boolean(columns.lng) !== Boolean(columns.lat)) problems.push("lng and lat are mapped together");
  if (!columns.address && !columns.lng) problems.push("the place needs address, or lng and lat");
  const seen = new Map<string, string>();
  for (const field of IMPORT_FIELDS) {
    const header = columns[field];
    if (!header) continue;
    const other = seen.get(header);
    if (other) problems.push(`the column ${header} is mapped to both ${other} and ${field}`);
    seen.set(header, field);
  }
  if (problems.length > 0) throw new AppError(422, "invalid_mapping", `The mapping cannot import: ${problems.join("; ")}`, { problems });
}

/** The index of each mapped import column in a file's header row; 422 naming the columns the file lacks. */
export function columnIndexes(headers: readonly string[], columns: MappingColumns): Partial<Record<ImportField, number>> {
  const indexes: Partial<Record<ImportField, number>> = {};
  const missing: string[] = [];
  for (const field of IMPORT_FIELDS) {
    const header = columns[field];
    if (!header) continue;
    const index = headers.indexOf(header.trim());
    if (index < 0) missing.push(header);
    else indexes[field] = index;
  }
  if (missing.length > 0) {
    throw new AppError(422, "columns_missing", `The file has no column ${missing.join(", ")} that the mapping names`, { columns: missing, headers });
  }
  return indexes;
}

const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const WALL_CLOCK = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})(?:\.\d+)?秒?)?)?$/;
const WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * A time as 12345 files write it: a wall clock in China Standard Time (2026-12-03 09:30,
 * 2026/12/3 9:30:05, 2026年12月3日), or ISO 8601 with a zone. Undefined when it is neither.
 */
export function parseFileTime(text: string): Date | undefined {
  const value = text.trim();
  if (WITH_ZONE.test(value)) {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  const match = WALL_CLOCK.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1).map((part) => (part === undefined ? undefined : Number(part))) as number[];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  // 2026-02-30 is not a day: Date.UTC would roll it over into March.
  if (new Date(utc).getUTCDate() !== day) return undefined;
  return new Date(utc - SHANGHAI_OFFSET_MS);
}

/** A category value of a file as a category code: the mapping's own translation, else a code or name of ours. */
export function categoryOf(value: string, categoryValues: Record<string, string>, categories: readonly { code: string; name: string }[]): string | undefined {
  const mapped = categoryValues[value];
  if (mapped) return mapped;
  return categories.find((category) => category.code === value || category.name === value)?.code;
}

export type RowProblem = { row: number; column: string; reason: string };

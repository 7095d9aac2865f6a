/**
 * The rows of a places file — courtyards (小区/院落) and buildings (楼栋) in one sheet with a level
 * column — checked against the divisions the database holds, the grids and the importer's scope.
 * A courtyard's code is its community's 12 digits and 3 more, a building's its courtyard's and 3
 * more, so the parent is read from the code; a building's courtyard may come in the same file. Pure.
 */
import { matchColumns, problemCollector, rowReader, type ColumnSpec, type RowAction, type RowProblem } from "./reference-columns.ts";
import type { TableRow } from "./table-reader.ts";

export type PlaceField = "level" | "code" | "name" | "lng" | "lat";
export type PlaceLevel = "courtyard" | "building";

export const PLACE_LEVEL_NAMES: Record<PlaceLevel, readonly string[]> = { courtyard: ["小区", "院落", "居民小组"], building: ["楼栋", "楼宇"] };

export const PLACE_COLUMNS: readonly ColumnSpec<PlaceField>[] = [
  { field: "level", header: "层级", required: true, describe: "小区（院落、居民小组；courtyard）或楼栋（building）", example: "小区" },
  { field: "code", header: "编码", required: true, describe: "小区15位：所属社区的12位编码加3位序号；楼栋18位：所属小区的15位编码加3位序号。导入时按它认出已有的小区、楼栋；所属社区或小区须已存在或在本文件中", example: "530103001001001" },
  { field: "name", header: "名称", required: true, describe: "1–60个字；楼栋写栋号即可（如 3栋），地址按「小区名+栋号」找到它", example: "拓东社区第1居民小组" },
  { field: "lng", header: "经度", required: false, describe: "WGS-84（GPS）经度，可空；与纬度同填同空，点须落在所属社区的网格内", example: "102.7183" },
  { field: "lat", header: "纬度", required: false, describe: "WGS-84（GPS）纬度", example: "25.0389" },
];

export type ExistingPlace = { code: string; level: string; name: string; lng: number | null; lat: number | null };

export type PlaceContext = {
  scopeCode: string | null | undefined;
  /** Divisions of the file's codes and their parents that exist, by code. */
  existing: ReadonlyMap<string, ExistingPlace>;
  /** The grid code a point lies in, if any. */
  gridAt: (lng: number, lat: number) => string | undefined;
};

export type PlacePlan = {
  row: number;
  code: string;
  level: PlaceLevel;
  action: RowAction;
  name: string;
  lng: number | null;
  lat: number | null;
  /** What an update changes. */
  fields: ("name" | "point")[];
};

const LEVEL_BY_NAME = new Map<string, PlaceLevel>([
  ["courtyard", "courtyard"],
  ["building", "building"],
  ...(Object.entries(PLACE_LEVEL_NAMES) as [PlaceLevel, readonly string[]][]).flatMap(([level, names]) => names.map((name): [string, PlaceLevel] => [name, level])),
]);
const CODE_LENGTH: Record<PlaceLevel, number> = { courtyard: 15, building: 18 };
const PARENT: Record<PlaceLevel, string> = { courtyard: "community", building: "courtyard" };

export function checkPlaceRows(headers: readonly string[], rows: readonly TableRow[], context: PlaceContext) {
  const indexes = matchColumns(headers, PLACE_COLUMNS);
  const problems: RowProblem[] = [];
  const plans: PlacePlan[] = [];
  const collect = problemCollector(PLACE_COLUMNS, problems);
  const firstRowOf = new Map<string, number>();
  const inScope = (code: string) => context.scopeCode === undefined || (context.scopeCode !== null && code.startsWith(context.scopeCode));
  // Courtyards of the file that are good, for the buildings under them.
  const goodCourtyards = new Set<string>();
  const ordered = [...rows].sort((a, b) => levelOrder(a, indexes.level) - levelOrder(b, indexes.level) || a.number - b.number);
  for (const { number, cells } of ordered) {
    const cell = rowReader(indexes, cells);
    const p = collect(number);
    const levelCell = cell("level") ?? "";
    const level = LEVEL_BY_NAME.get(levelCell) ?? LEVEL_BY_NAME.get(levelCell.toLowerCase());
    if (!levelCell) p.add("level", "required", "层级为空");
    else if (!level) p.add("level", "invalid_level", `层级「${levelCell}」应为 小区 或 楼栋`);

    const code = cell("code") ?? "";
    const existing = context.existing.get(code);
    if (!code) p.add("code", "required", "编码为空");
    else if (!/^[0-9]+$/.test(code) || (level && code.length !== CODE_LENGTH[level])) {
      p.add("code", "invalid_code", level ? `${level === "courtyard" ? "小区" : "楼栋"}编码应为${CODE_LENGTH[level]}位数字` : `编码「${code}」应为15位（小区）或18位（楼栋）数字`);
    } else if (firstRowOf.has(code)) p.add("code", "duplicate_in_file", `编码与第${firstRowOf.get(code)}行重复`);
    else if (!inScope(code)) p.add("code", "division_not_found", `编码「${code}」不在您的管辖范围内`);
    else if (existing && existing.level !== level) p.add("code", "level_mismatch", `编码「${code}」已是另一层级的区划`);
    else if (level) {
      firstRowOf.set(code, number);
      const parentCode = code.slice(0, CODE_LENGTH[level] - 3);
      const parent = context.existing.get(parentCode);
      const parentFound = parent?.level === PARENT[level] || (level === "building" && goodCourtyards.has(parentCode));
      if (!parentFound) {
        p.add("code", "parent_not_found", level === "courtyard" ? `所属社区「${parentCode}」不存在` : `所属小区「${parentCode}」不存在，也不在本文件中`);
      }
    }

    const name = cell("name") ?? "";
    if (!name) p.add("name", "required", "名称为空");
    else if (name.length > 60) p.add("name", "too_long", "名称超过60个字");

    const lngCell = cell("lng") ?? "";
    const latCell = cell("lat") ?? "";
    let lng: number | null = null;
    let lat: number | null = null;
    if (lngCell || latCell) {
      lng = Number(lngCell);
      lat = Number(latCell);
      if (!lngCell || !latCell || !Number.isFinite(lng) || !Number.isFinite(lat) || Math.abs(lng) > 180 || Math.abs(lat) > 90) {
        p.add(lngCell ? "lat" : "lng", "invalid_point", "经纬度不完整或不是数字");
      } else if (code.length >= 12) {
        const grid = context.gridAt(lng, lat);
        if (!grid || !grid.startsWith(code.slice(0, 12))) p.add("lng", "point_outside", `位置不在所属社区「${code.slice(0, 12)}」的网格内`);
      }
    }

    if (!p.clean || !level) continue;
    if (level === "courtyard") goodCourtyards.add(code);
    // Columns the file lacks leave what is stored.
    const point = indexes.lng === undefined ? { lng: existing?.lng ?? null, lat: existing?.lat ?? null } : { lng, lat };
    const fields: PlacePlan["fields"] = [];
    if (existing && existing.name !== name) fields.push("name");
    if (existing && (existing.lng !== point.lng || existing.lat !== point.lat)) fields.push("point");
    const action: RowAction = !existing ? "create" : fields.length > 0 ? "update" : "unchanged";
    plans.push({ row: number, code, level, action, name, ...point, fields });
  }
  problems.sort((a, b) => a.row - b.row);
  plans.sort((a, b) => a.code.length - b.code.length || a.row - b.row);
  return { problems, plans };
}

/** Courtyards are checked before buildings, whatever order the file has them in. */
function levelOrder(row: TableRow, index: number | undefined): number {
  const level = index === undefined ? undefined : LEVEL_BY_NAME.get((row.cells[index] ?? "").trim());
  return level === "building" ? 1 : 0;
}

export function placeExportRow(place: ExistingPlace): (string | number | null)[] {
  return [place.level === "building" ? "楼栋" : "小区", place.code, place.name, place.lng, place.lat];
}

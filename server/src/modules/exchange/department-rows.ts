/**
 * The rows of a departments file checked against the departments and divisions the database holds
 * and the importer's scope, as the department administration checks one. Pure.
 */
import { maskPhone } from "../people/people.presenters.ts";
import type { DepartmentChange } from "../people/departments.service.ts";
import { isMasked, matchColumns, PHONE, problemCollector, rowReader, type ColumnSpec, type RowAction, type RowProblem } from "./reference-columns.ts";
import type { TableRow } from "./table-reader.ts";

export type DepartmentField = "code" | "name" | "divisionCode" | "dutyPhone";

export const DEPARTMENT_COLUMNS: readonly ColumnSpec<DepartmentField>[] = [
  { field: "code", header: "部门编码", required: true, describe: "部门的编码，导入时按它认出已有部门：字母或数字开头，可含字母、数字、点、下划线、连字符，至多40个字符", example: "cgj" },
  { field: "name", header: "部门名称", required: true, describe: "1–60个字", example: "城市管理局" },
  { field: "divisionCode", header: "所属区划编码", required: true, describe: "部门所属的区（6位）、街道（9位）或社区（12位）编码，须在您的管辖范围内", example: "530103" },
  { field: "dutyPhone", header: "值班电话", required: false, describe: "可空；紧急案件派遣时发短信的值班电话。导出的号码已打码：原样导回表示不改", example: "0871-65123456" },
];

export type ExistingDepartment = { code: string; name: string; divisionCode: string; dutyPhone: string | null; version: number };

export type DepartmentContext = {
  /** The importer's scope (undefined: the operator, any division). */
  scopeCode: string | null | undefined;
  existing: ReadonlyMap<string, ExistingDepartment>;
  /** The file's division codes that exist. */
  divisions: ReadonlySet<string>;
};

export type DepartmentPlan = {
  row: number;
  code: string;
  action: RowAction;
  create?: { code: string; name: string; divisionCode: string; dutyPhone: string | null };
  update?: { version: number; change: DepartmentChange };
};

const CODE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;

export function checkDepartmentRows(headers: readonly string[], rows: readonly TableRow[], context: DepartmentContext) {
  const indexes = matchColumns(headers, DEPARTMENT_COLUMNS);
  const problems: RowProblem[] = [];
  const plans: DepartmentPlan[] = [];
  const collect = problemCollector(DEPARTMENT_COLUMNS, problems);
  const firstRowOf = new Map<string, number>();
  const inScope = (code: string) => context.scopeCode === undefined || (context.scopeCode !== null && code.startsWith(context.scopeCode));
  for (const { number, cells } of rows) {
    const cell = rowReader(indexes, cells);
    const p = collect(number);
    const code = cell("code") ?? "";
    const existing = context.existing.get(code);
    if (!code) p.add("code", "required", "部门编码为空");
    else if (!CODE.test(code)) p.add("code", "invalid_code", `部门编码「${code}」只能用字母、数字、点、下划线或连字符，至多40个字符`);
    else if (firstRowOf.has(code)) p.add("code", "duplicate_in_file", `部门编码与第${firstRowOf.get(code)}行重复`);
    else firstRowOf.set(code, number);
    if (existing && !inScope(existing.divisionCode)) p.add("code", "department_code_taken", "部门编码已被您管辖范围以外的部门使用");

    const name = cell("name") ?? "";
    if (!name) p.add("name", "required", "部门名称为空");
    else if (name.length > 60) p.add("name", "too_long", "部门名称超过60个字");

    const divisionCode = cell("divisionCode") ?? "";
    if (!divisionCode) p.add("divisionCode", "required", "所属区划编码为空");
    else if (!context.divisions.has(divisionCode) || !inScope(divisionCode)) p.add("divisionCode", "division_not_found", `您的管辖范围内没有区划「${divisionCode}」`);

    const phoneCell = cell("dutyPhone");
    let dutyPhone: string | null | undefined = phoneCell === undefined ? undefined : phoneCell || null;
    if (dutyPhone && isMasked(dutyPhone)) {
      if (existing && maskPhone(existing.dutyPhone) === dutyPhone) dutyPhone = existing.dutyPhone;
      else p.add("dutyPhone", "masked_phone", "值班电话已打码，无法导入：请填写完整号码或留空");
    } else if (dutyPhone && !PHONE.test(dutyPhone)) p.add("dutyPhone", "invalid_phone", `值班电话「${maskPhone(dutyPhone) ?? ""}」格式不对`);

    if (!p.clean) continue;
    if (!existing) {
      plans.push({ row: number, code, action: "create", create: { code, name, divisionCode, dutyPhone: dutyPhone ?? null } });
      continue;
    }
    const change: DepartmentChange = {};
    if (name !== existing.name) change.name = name;
    if (divisionCode !== existing.divisionCode) change.divisionCode = divisionCode;
    if (dutyPhone !== undefined && dutyPhone !== existing.dutyPhone) change.dutyPhone = dutyPhone;
    const changed = Object.keys(change).length > 0;
    plans.push({ row: number, code, action: changed ? "update" : "unchanged", ...(changed ? { update: { version: existing.version, change } } : {}) });
  }
  return { problems, plans };
}

export function departmentExportRow(department: ExistingDepartment, reveal = false): (string | null)[] {
  return [department.code, department.name, department.divisionCode, reveal ? department.dutyPhone : maskPhone(department.dutyPhone)];
}

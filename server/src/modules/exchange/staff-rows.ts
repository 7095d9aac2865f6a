/**
 * The rows of a staff file checked against what the database holds and what the importer may do:
 * the same rules as the user administration (known roles, at most one of the three
 * administrators, roles the importer manages, a scope inside theirs), each broken rule a problem of
 * its row, so that a clerk sees them all at once. Pure: the lookups come in `StaffContext`.
 */
import { maskPhone } from "../people/people.presenters.ts";
import { conflictingAdministratorRoles, isRole, ROLES, STAFF_ROLES, type Role } from "../people/roles.ts";
import type { UserChange } from "../people/users.service.ts";
import { isMasked, listCell, matchColumns, PHONE, problemCollector, rowReader, type ColumnSpec, type RowAction, type RowProblem } from "./reference-columns.ts";
import type { TableRow } from "./table-reader.ts";

export type StaffField = "username" | "displayName" | "phone" | "roles" | "scopeCode" | "departmentCode" | "password";

/** The roles' Chinese names (GLOSSARY.md), the first of each as the export writes it; the others are accepted too. */
export const ROLE_NAMES: Record<Role, readonly string[]> = {
  resident: ["居民"],
  grid_worker: ["网格员"],
  volunteer: ["志愿者"],
  building_head: ["楼栋长", "庭院长"],
  seat_operator: ["坐席员", "话务员"],
  dispatcher: ["派遣员", "值班长"],
  handler: ["处置人员", "承办人员"],
  supervisor: ["监督员", "巡查员"],
  leader: ["领导"],
  merchant: ["商户"],
  admin: ["系统管理员"],
  auditor: ["安全审计员", "审计员"],
  security_admin: ["安全管理员"],
};

const ROLE_BY_NAME = new Map<string, Role>([
  ...ROLES.map((role): [string, Role] => [role, role]),
  ...ROLES.flatMap((role) => ROLE_NAMES[role].map((name): [string, Role] => [name, role])),
]);

export const STAFF_COLUMNS: readonly ColumnSpec<StaffField>[] = [
  { field: "username", header: "用户名", required: true, describe: "登录用的用户名，导入时按它认出已有账号：小写字母、数字、点、下划线或连字符，2–64个字符，以字母或数字开头", example: "gw-zhangsan" },
  { field: "displayName", header: "姓名", required: true, describe: "显示的姓名，1–100个字", example: "张三" },
  { field: "phone", header: "手机号", required: false, describe: "可空。导出的号码已打码（138****5678）：原样导回表示不改", example: "13800001234" },
  {
    field: "roles",
    header: "角色",
    required: true,
    describe: `一个或多个，用逗号或顿号分开；写中文名或英文代码。系统管理员、安全管理员、安全审计员三者一个账号只能担任一个（三员分立）。可选：${ROLES.map((role) => `${ROLE_NAMES[role][0]}（${role}）`).join("、")}`,
    example: "网格员",
  },
  { field: "scopeCode", header: "管辖区划编码", required: true, describe: "账号工作的区划（街道9位、社区12位等），须在您的管辖范围内；工作人员必填，居民、商户可空", example: "530103001001" },
  { field: "departmentCode", header: "部门编码", required: false, describe: "可空；处置人员所属部门的编码", example: "cgj" },
  {
    field: "password",
    header: "初始密码",
    required: false,
    describe: "可空，只用于新建的账号：留空则系统生成一次性密码，只在导入结果中显示一次。首次登录须修改。已有账号的密码不会被改",
    example: "",
  },
];

export type ExistingUser = {
  id: string;
  username: string;
  displayName: string;
  phone: string | null;
  roles: string[];
  scopeCode: string | null;
  departmentCode: string | null;
  version: number;
};

export type StaffContext = {
  /** The importer (null: the operator on the command line, who manages every role and scope). */
  importer: { userId: string; scopeCode: string | null; manages: ReadonlySet<Role> } | null;
  /** Accounts of the file's usernames that exist, in scope or not. */
  existing: ReadonlyMap<string, ExistingUser>;
  /** The file's division codes that exist. */
  divisions: ReadonlySet<string>;
  /** The file's department codes that exist. */
  departments: ReadonlySet<string>;
  /** Why a password is refused, or undefined when the policy accepts it. */
  passwordProblem: (password: string, username: string) => string | undefined;
};

export type StaffPlan = {
  row: number;
  username: string;
  action: RowAction;
  /** For a new account. */
  create?: { displayName: string; phone: string | null; roles: Role[]; scopeCode: string | null; departmentCode: string | null; password: string | null };
  /** For an account that differs: only what differs. */
  update?: { id: string; version: number; change: UserChange };
};

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((value) => b.includes(value));
const inScope = (scope: string | null, code: string) => scope !== null && code.startsWith(scope);

/** Checks every row; the good ones come back as what importing them would do. */
export function checkStaffRows(headers: readonly string[], rows: readonly TableRow[], context: StaffContext) {
  const indexes = matchColumns(headers, STAFF_COLUMNS);
  const problems: RowProblem[] = [];
  const plans: StaffPlan[] = [];
  const collect = problemCollector(STAFF_COLUMNS, problems);
  const firstRowOf = new Map<string, number>();
  const importer = context.importer;
  for (const { number, cells } of rows) {
    const cell = rowReader(indexes, cells);
    const p = collect(number);
    const username = cell("username") ?? "";
    const existing = context.existing.get(username);
    if (!username) p.add("username", "required", "用户名为空");
    else if (!USERNAME.test(username)) p.add("username", "invalid_username", `用户名「${username}」只能用小写字母、数字、点、下划线或连字符，2–64个字符，以字母或数字开头`);
    else if (firstRowOf.has(username)) p.add("username", "duplicate_in_file", `用户名与第${firstRowOf.get(username)}行重复`);
    else firstRowOf.set(username, number);
    if (existing && importer) {
      if (existing.id === importer.userId) p.add("username", "own_account", "不能通过导入修改自己的账号");
      else if (existing.scopeCode === null || !inScope(importer.scopeCode, existing.scopeCode)) p.add("username", "username_taken", "用户名已被您管辖范围以外的账号使用");
      else {
        const unmanaged = existing.roles.filter((role) => !isRole(role) || !importer.manages.has(role));
        if (unmanaged.length > 0) p.add("username", "role_not_managed", `该账号担任您无权管理的角色：${unmanaged.map(roleName).join("、")}`);
      }
    }

    const displayName = cell("displayName") ?? "";
    if (!displayName) p.add("displayName", "required", "姓名为空");
    else if (displayName.length > 100) p.add("displayName", "too_long", "姓名超过100个字");

    const roles: Role[] = [];
    const roleCell = cell("roles") ?? "";
    const unknown: string[] = [];
    for (const name of listCell(roleCell)) {
      const role = ROLE_BY_NAME.get(name) ?? ROLE_BY_NAME.get(name.toLowerCase());
      if (!role) unknown.push(name);
      else if (!roles.includes(role)) roles.push(role);
    }
    if (!roleCell) p.add("roles", "required", "角色为空");
    else if (unknown.length > 0) p.add("roles", "unknown_role", `没有角色「${unknown.join("、")}」，请用说明页列出的角色名`);
    else {
      const conflicting = conflictingAdministratorRoles(roles);
      const unmanaged = importer ? roles.filter((role) => !importer.manages.has(role)) : [];
      if (conflicting.length > 0) p.add("roles", "administrator_roles_exclusive", `一个账号只能担任系统管理员、安全管理员、安全审计员中的一个（三员分立），此行有${conflicting.map(roleName).join("和")}`);
      else if (unmanaged.length > 0) p.add("roles", "role_not_managed", `您无权授予角色：${unmanaged.map(roleName).join("、")}`);
    }

    const scopeCell = cell("scopeCode") ?? "";
    const scopeCode = scopeCell || null;
    if (!scopeCode) {
      if (roles.some((role) => STAFF_ROLES.includes(role))) p.add("scopeCode", "scope_required", "工作人员须填管辖区划编码");
    } else if (!context.divisions.has(scopeCode) || (importer && !inScope(importer.scopeCode, scopeCode))) {
      p.add("scopeCode", "division_not_found", `您的管辖范围内没有区划「${scopeCode}」`);
    }

    const departmentCode = cell("departmentCode") || null;
    if (departmentCode && !context.departments.has(departmentCode)) p.add("departmentCode", "department_not_found", `没有部门编码「${departmentCode}」，请先导入部门`);

    const phoneCell = cell("phone");
    let phone: string | null | undefined = phoneCell === undefined ? undefined : phoneCell || null;
    if (phone && isMasked(phone)) {
      // An exported, masked number read back: the account keeps the number it has.
      if (existing && maskPhone(existing.phone) === phone) phone = existing.phone;
      else p.add("phone", "masked_phone", "手机号已打码，无法导入：请填写完整号码或留空");
    } else if (phone && !PHONE.test(phone)) p.add("phone", "invalid_phone", `手机号「${maskPhone(phone) ?? ""}」格式不对`);

    const password = cell("password") || null;
    if (password && !existing) {
      const why = context.passwordProblem(password, username);
      if (why) p.add("password", "weak_password", why);
    }

    if (!p.clean) continue;
    if (!existing) {
      plans.push({ row: number, username, action: "create", create: { displayName, phone: phone ?? null, roles, scopeCode, departmentCode: cell("departmentCode") === undefined ? null : departmentCode, password } });
      continue;
    }
    const change: UserChange = {};
    if (displayName !== existing.displayName) change.displayName = displayName;
    if (phone !== undefined && phone !== existing.phone) change.phone = phone;
    if (!sameSet(roles, existing.roles)) change.roles = roles;
    if (scopeCode !== existing.scopeCode) change.scopeCode = scopeCode;
    if (cell("departmentCode") !== undefined && departmentCode !== existing.departmentCode) change.departmentCode = departmentCode;
    const changed = Object.keys(change).length > 0;
    plans.push({ row: number, username, action: changed ? "update" : "unchanged", ...(changed ? { update: { id: existing.id, version: existing.version, change } } : {}) });
  }
  return { problems, plans };
}

export function roleName(role: string): string {
  return isRole(role) ? ROLE_NAMES[role][0] : role;
}

/** An account as the export writes it, in the template's columns (the phone masked unless `reveal`, no password). */
export function staffExportRow(user: ExistingUser, reveal = false): (string | null)[] {
  return [user.username, user.displayName, reveal ? user.phone : maskPhone(user.phone), user.roles.map(roleName).join("、"), user.scopeCode, user.departmentCode, null];
}

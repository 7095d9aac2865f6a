import crypto from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { AppContext } from "../../context.ts";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../errors.ts";
import { regionOf, writeAudit } from "../audit/audit.repository.ts";
import { inScope, requirePermission, type Actor } from "../auth/actor.ts";
import { passwordProblem } from "../auth/password-policy.ts";
import { hashPassword } from "../auth/passwords.ts";
import { upsertDivisions } from "../divisions/divisions.repository.ts";
import { createDepartmentIn, updateDepartmentIn } from "../people/departments.service.ts";
import type { Permission } from "../people/roles.ts";
import { managedRoles } from "../people/roles.ts";
import { createUserIn, updateUserIn } from "../people/users.service.ts";
import { checkDepartmentRows, departmentExportRow, type DepartmentPlan, type ExistingDepartment } from "./department-rows.ts";
import { checkPlaceRows, placeExportRow, type ExistingPlace, type PlacePlan } from "./place-rows.ts";
import type { ReferenceKind, RowAction, RowProblem } from "./reference-columns.ts";
import { referenceWorkbook } from "./reference-template.ts";
import { checkStaffRows, staffExportRow, type ExistingUser, type StaffPlan } from "./staff-rows.ts";
import { readTable, type Table } from "./table-reader.ts";

/** The permission each kind's administration API requires, which its import and export require too. */
export const REFERENCE_PERMISSIONS: Record<ReferenceKind, Permission> = { staff: "user.write", departments: "department.write", places: "grid.write" };

export type ReferenceImportOptions = { preview?: boolean; goodRowsOnly?: boolean; onProgress?: (done: number, total: number) => void };

/** At most this many changed rows are listed in an answer (the counts cover them all). */
const CHANGES_SHOWN = 1000;
/** Lookups by key go in chunks of this many, under the databases' limit of bound values. */
const CHUNK = 1000;

async function inChunks<K, R>(keys: readonly K[], read: (chunk: K[]) => Promise<R[]>): Promise<R[]> {
  const unique = [...new Set(keys)];
  const rows: R[] = [];
  for (let start = 0; start < unique.length; start += CHUNK) rows.push(...(await read(unique.slice(start, start + CHUNK))));
  return rows;
}

type Plan = StaffPlan | DepartmentPlan | PlacePlan;
const keyOf = (plan: Plan) => ("username" in plan ? plan.username : plan.code);
/** The fields an update changes (a place: name and point), none for a creation. */
const changedFields = (plan: Plan): string[] => ("update" in plan && plan.update ? Object.keys(plan.update.change) : "fields" in plan ? plan.fields : []);

async function existingDivisions(db: Kysely<DB>, codes: readonly string[]): Promise<Set<string>> {
  const rows = await inChunks(codes.filter(Boolean), (chunk) => db.selectFrom("divisions").select("code").where("code", "in", chunk).execute());
  return new Set(rows.map((row) => row.code));
}

async function checkStaff(db: Kysely<DB>, actor: Actor | null, table: Table) {
  const column = (header: string, field: string) => table.headers.findIndex((h) => h.trim() === header || h.trim().toLowerCase() === field.toLowerCase());
  const cells = (index: number) => (index < 0 ? [] : table.rows.map((row) => (row.cells[index] ?? "").trim()));
  const users = await inChunks(cells(column("用户名", "username")).filter(Boolean), (chunk) =>
    db
      .selectFrom("users")
      .leftJoin("departments", "departments.id", "users.department_id")
      .select(["users.id", "users.username", "users.display_name", "users.phone", "users.roles", "users.scope_code", "users.version", "departments.code as department_code"])
      .where("users.username", "in", chunk)
      .execute(),
  );
  const existing = new Map<string, ExistingUser>(
    users.map((row) => [
      row.username,
      { id: row.id, username: row.username, displayName: row.display_name, phone: row.phone, roles: row.roles, scopeCode: row.scope_code, departmentCode: row.department_code, version: row.version },
    ]),
  );
  const departments = await inChunks(cells(column("部门编码", "departmentCode")).filter(Boolean), (chunk) => db.selectFrom("departments").select("code").where("code", "in", chunk).execute());
  return checkStaffRows(table.headers, table.rows, {
    importer: actor ? { userId: actor.userId, scopeCode: actor.scopeCode, manages: managedRoles(actor.roles) } : null,
    existing,
    divisions: await existingDivisions(db, cells(column("管辖区划编码", "scopeCode"))),
    departments: new Set(departments.map((row) => row.code)),
    passwordProblem: (password, username) => {
      const problem = passwordProblem(password, username);
      if (!problem) return undefined;
      return problem.rule === "length" ? "初始密码至少10个字符" : problem.rule === "common" ? "初始密码是最常见的密码之一，请换一个" : "初始密码不能包含用户名";
    },
  });
}

async function checkDepartments(db: Kysely<DB>, actor: Actor | null, table: Table) {
  const column = (header: string, field: string) => table.headers.findIndex((h) => h.trim() === header || h.trim().toLowerCase() === field.toLowerCase());
  const cells = (index: number) => (index < 0 ? [] : table.rows.map((row) => (row.cells[index] ?? "").trim()));
  const rows = await inChunks(cells(column("部门编码", "code")).filter(Boolean), (chunk) =>
    db.selectFrom("departments").select(["code", "name", "division_code", "duty_phone", "version"]).where("code", "in", chunk).execute(),
  );
  const existing = new Map<string, ExistingDepartment>(
    rows.map((row) => [row.code, { code: row.code, name: row.name, divisionCode: row.division_code, dutyPhone: row.duty_phone, version: row.version }]),
  );
  return checkDepartmentRows(table.headers, table.rows, {
    scopeCode: actor ? actor.scopeCode : undefined,
    existing,
    divisions: await existingDivisions(db, cells(column("所属区划编码", "divisionCode"))),
  });
}

async function checkPlaces(ctx: AppContext, actor: Actor | null, table: Table) {
  const index = table.headers.findIndex((h) => h.trim() === "编码" || h.trim().toLowerCase() === "code");
  const codes = index < 0 ? [] : table.rows.map((row) => (row.cells[index] ?? "").trim()).filter((code) => /^[0-9]{15,18}$/.test(code));
  const wanted = codes.flatMap((code) => [code, code.slice(0, 12), code.slice(0, 15)]);
  const rows = await inChunks(wanted, (chunk) => ctx.db.selectFrom("divisions").select(["code", "level", "name", "lng", "lat"]).where("code", "in", chunk).execute());
  return checkPlaceRows(table.headers, table.rows, {
    scopeCode: actor ? actor.scopeCode : undefined,
    existing: new Map<string, ExistingPlace>(rows.map((row) => [row.code, row])),
    gridAt: (lng, lat) => ctx.grids.locate(lng, lat)?.grid.code,
  });
}

/** For the operator's import: a division code the file writes under, whose district's audit chain records it. */
function codeOfPlans(plans: readonly Plan[]): string | null {
  for (const plan of plans) {
    if ("level" in plan) return plan.code;
    const code = "username" in plan ? (plan.create?.scopeCode ?? plan.update?.change.scopeCode) : (plan.create?.divisionCode ?? plan.update?.change.divisionCode);
    if (code) return code;
  }
  return null;
}

/** A one-time password the policy accepts: 16 characters of base64url (96 bits). */
const oneTimePassword = () => crypto.randomBytes(12).toString("base64url");

/**
 * Imports a staff, departments or places file. Every row is checked first, against the same rules
 * as the administration API (and the importer's roles and scope); `preview` answers what would be
 * created, updated or left unchanged and every bad row, writing nothing. With a bad row nothing is
 * imported (422 `invalid_rows`) unless `goodRowsOnly`. Rows are keyed by username, department code
 * or place code: an existing one is changed only where it differs, so the same file twice changes
 * nothing. The writes go through the administration services in one transaction, so a failure part
 * way leaves nothing; each change is audited by its service, the import as a whole with the file's
 * SHA-256. A new account without an initial password gets a generated one, answered once and kept
 * only as a hash.
 */
export async function importReferenceFile(ctx: AppContext, actor: Actor | null, kind: ReferenceKind, data: Buffer, options: ReferenceImportOptions = {}) {
  if (actor) requirePermission(actor, REFERENCE_PERMISSIONS[kind]);
  const table = await readTable(data);
  const { problems, plans } =
    kind === "staff" ? await checkStaff(ctx.db, actor, table) : kind === "departments" ? await checkDepartments(ctx.db, actor, table) : await checkPlaces(ctx, actor, table);
  const count = (action: RowAction) => plans.filter((plan) => plan.action === action).length;
  const summary = {
    kind,
    rows: table.rows.length,
    good: plans.length,
    bad: new Set(problems.map((problem: RowProblem) => problem.row)).size,
    created: count("create"),
    updated: count("update"),
    unchanged: count("unchanged"),
    problems,
    changes: plans
      .filter((plan) => plan.action !== "unchanged")
      .slice(0, CHANGES_SHOWN)
      .map((plan) => ({ row: plan.row, key: keyOf(plan), action: plan.action as "create" | "update", fields: changedFields(plan) })),
  };
  if (options.preview) return { ...summary, preview: true, passwords: [] };
  if (problems.length > 0 && !options.goodRowsOnly) {
    throw new AppError(422, "invalid_rows", `${summary.bad} rows cannot be imported; nothing was imported (goodRowsOnly=true imports the others)`, summary);
  }
  const writes = plans.filter((plan) => plan.action !== "unchanged");
  const passwords: { row: number; username: string; password: string }[] = [];
  const hashes = new Map<string, string>();
  if (kind === "staff") {
    // Hashing is slow by design: done before the transaction, a few at a time.
    const creates = (writes as StaffPlan[]).filter((plan) => plan.create);
    for (let start = 0; start < creates.length; start += 8) {
      await Promise.all(
        creates.slice(start, start + 8).map(async (plan) => {
          const create = plan.create as NonNullable<StaffPlan["create"]>;
          if (!create.password) {
            create.password = oneTimePassword();
            passwords.push({ row: plan.row, username: plan.username, password: create.password });
          }
          hashes.set(plan.username, await hashPassword(create.password));
        }),
      );
    }
    passwords.sort((a, b) => a.row - b.row);
  }
  const evicted: string[] = [];
  options.onProgress?.(0, writes.length);
  await ctx.db.transaction().execute(async (trx) => {
    let done = 0;
    for (const plan of writes) {
      if (kind === "staff") await writeStaff(trx, actor, plan as StaffPlan, hashes, evicted);
      else if (kind === "departments") await writeDepartment(trx, actor, plan as DepartmentPlan);
      else await writePlace(trx, actor, plan as PlacePlan);
      done++;
      if (done % 100 === 0) options.onProgress?.(done, writes.length);
    }
    await writeAudit(trx, {
      regionCode: regionOf(actor ? actor.scopeCode : codeOfPlans(writes)),
      actorId: actor?.userId ?? null,
      action: "exchange.reference_import",
      targetType: "reference_file",
      targetId: kind,
      details: {
        kind,
        sha256: crypto.createHash("sha256").update(data).digest("hex"),
        rows: summary.rows,
        created: summary.created,
        updated: summary.updated,
        unchanged: summary.unchanged,
        bad: summary.bad,
        generatedPasswords: passwords.length,
      },
    });
  });
  options.onProgress?.(writes.length, writes.length);
  for (const id of evicted) ctx.sessions.evictUser(id);
  return { ...summary, preview: false, passwords };
}

async function writeStaff(trx: Kysely<DB>, actor: Actor | null, plan: StaffPlan, hashes: Map<string, string>, evicted: string[]) {
  if (plan.create) {
    const create = plan.create;
    await createUserIn(
      trx,
      actor,
      { username: plan.username, displayName: create.displayName, password: create.password ?? "", roles: create.roles, scopeCode: create.scopeCode, departmentCode: create.departmentCode, phone: create.phone },
      hashes.get(plan.username),
    );
  } else if (plan.update) {
    await updateUserIn(trx, actor, plan.update.id, `"${plan.update.version}"`, plan.update.change);
    evicted.push(plan.update.id);
  }
}

async function writeDepartment(trx: Kysely<DB>, actor: Actor | null, plan: DepartmentPlan) {
  if (plan.create) await createDepartmentIn(trx, actor, plan.create);
  else if (plan.update) await updateDepartmentIn(trx, actor, plan.code, `"${plan.update.version}"`, plan.update.change);
}

/** Courtyards and buildings have no administration API of their own: written here, audited like a department. */
async function writePlace(trx: Kysely<DB>, actor: Actor | null, plan: PlacePlan) {
  const parentCode = plan.code.slice(0, plan.code.length - 3);
  const before = plan.action === "update" ? await trx.selectFrom("divisions").select(["name", "lng", "lat"]).where("code", "=", plan.code).forUpdate().executeTakeFirst() : undefined;
  if (plan.action === "update") {
    // upsertDivisions keeps a stored point when none is given; an import that clears one means it.
    await trx.updateTable("divisions").set({ name: plan.name, lng: plan.lng, lat: plan.lat }).where("code", "=", plan.code).execute();
  } else {
    await upsertDivisions(trx, [{ code: plan.code, parentCode, level: plan.level, name: plan.name, regionCode: plan.code.slice(0, 6), lng: plan.lng, lat: plan.lat }]);
  }
  await writeAudit(trx, {
    regionCode: regionOf(plan.code),
    actorId: actor?.userId ?? null,
    action: plan.action === "create" ? "division.create" : "division.update",
    targetType: "division",
    targetId: plan.code,
    details: {
      level: plan.level,
      ...(before
        ? { name: { from: before.name, to: plan.name }, point: { from: [before.lng, before.lat], to: [plan.lng, plan.lat] } }
        : { name: plan.name, point: [plan.lng, plan.lat] }),
    },
  });
}

/**
 * A kind's records in the caller's scope as a workbook in the template's columns, which imports
 * back unchanged: the accounts the caller manages (not their own, not disabled), the departments
 * of divisions in scope, the courtyards and buildings in scope. Phones are masked, as everywhere
 * the API shows them, and a masked phone imports back as "keep the stored one"; only the operator
 * on the server's command line (`actor` null), who holds the database anyway, gets them whole, so
 * that an export of theirs rebuilds another database. Audited.
 */
export async function exportReference(ctx: AppContext, actor: Actor | null, kind: ReferenceKind) {
  if (actor) requirePermission(actor, REFERENCE_PERMISSIONS[kind]);
  let rows: (string | number | null)[][];
  if (kind === "staff") {
    const users = await ctx.db
      .selectFrom("users")
      .leftJoin("departments", "departments.id", "users.department_id")
      .select(["users.id", "users.username", "users.display_name", "users.phone", "users.roles", "users.scope_code", "users.version", "departments.code as department_code"])
      .where("users.disabled_at", "is", null)
      .$if(actor !== null, (query) => query.where(inScope(actor as Actor, sql.ref("users.scope_code"))).where("users.id", "<>", (actor as Actor).userId))
      .orderBy("users.username")
      .execute();
    const manages = actor ? managedRoles(actor.roles) : undefined;
    rows = users
      .filter((user) => !manages || user.roles.every((role) => manages.has(role as never)))
      .map((user) =>
        staffExportRow(
          { id: user.id, username: user.username, displayName: user.display_name, phone: user.phone, roles: user.roles, scopeCode: user.scope_code, departmentCode: user.department_code, version: user.version },
          actor === null,
        ),
      );
  } else if (kind === "departments") {
    const departments = await ctx.db
      .selectFrom("departments")
      .select(["code", "name", "division_code", "duty_phone", "version"])
      .$if(actor !== null, (query) => query.where(inScope(actor as Actor, sql.ref("division_code"))))
      .orderBy("code")
      .execute();
    rows = departments.map((row) => departmentExportRow({ code: row.code, name: row.name, divisionCode: row.division_code, dutyPhone: row.duty_phone, version: row.version }, actor === null));
  } else {
    const places = await ctx.db
      .selectFrom("divisions")
      .select(["code", "level", "name", "lng", "lat"])
      .where("level", "in", ["courtyard", "building"])
      .$if(actor !== null, (query) => query.where(inScope(actor as Actor, sql.ref("code"))))
      .orderBy("code")
      .execute();
    rows = places.map(placeExportRow);
  }
  await writeAudit(ctx.db, {
    regionCode: regionOf(actor?.scopeCode ?? null),
    actorId: actor?.userId ?? null,
    action: "exchange.reference_export",
    targetType: "reference_file",
    targetId: kind,
    details: { kind, rows: rows.length },
  });
  return { rows: rows.length, file: await referenceWorkbook(kind, rows) };
}

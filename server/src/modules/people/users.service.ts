import { sql } from "kysely";
import { v7 as uuidv7 } from "uuid";
import type { AppContext } from "../../context.ts";
import { AppError, notFound } from "../../errors.ts";
import { regionOf, writeAudit } from "../audit/audit.repository.ts";
import { codeInScope, inScope, requirePermission, type Actor } from "../auth/actor.ts";
import { hashPassword, MIN_PASSWORD_LENGTH } from "../auth/passwords.ts";
import { isRole, STAFF_ROLES, type Role } from "./roles.ts";
import { maskPhone } from "./people.presenters.ts";

export type NewUserInput = {
  username: string;
  displayName: string;
  password: string;
  roles: string[];
  scopeCode?: string | null;
  departmentCode?: string | null;
  phone?: string | null;
};

// Separation of duties (三员分立): only a security administrator makes auditors and security administrators.
const GRANTED_ONLY_BY_SECURITY_ADMIN: readonly Role[] = ["security_admin", "auditor"];

/**
 * Creates an account. `by` is the acting administrator, or null for the command line run by the
 * operator. Staff roles need a scope inside the creator's own scope; the event is audited.
 */
export async function createUser(ctx: AppContext, by: Actor | null, input: NewUserInput) {
  if (by) requirePermission(by, "user.write");
  const unknown = input.roles.filter((role) => !isRole(role));
  if (unknown.length) throw new AppError(400, "unknown_role", `Unknown role(s): ${unknown.join(", ")}`);
  const roles = input.roles as Role[];
  if (by && roles.some((role) => GRANTED_ONLY_BY_SECURITY_ADMIN.includes(role)) && !by.roles.includes("security_admin")) {
    throw new AppError(403, "forbidden", "Only a security administrator grants the auditor and security administrator roles");
  }
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError(400, "weak_password", `Passwords have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const scopeCode = input.scopeCode ?? null;
  if (roles.some((role) => STAFF_ROLES.includes(role)) && !scopeCode) {
    throw new AppError(400, "scope_required", "Staff accounts need a scope (a division code)");
  }
  if (scopeCode && by && !codeInScope(by, scopeCode)) {
    throw new AppError(404, "division_not_found", `No division ${scopeCode}`);
  }
  const passwordHash = await hashPassword(input.password);
  return ctx.db.transaction().execute(async (trx) => {
    if (scopeCode) {
      const division = await trx.selectFrom("divisions").select("code").where("code", "=", scopeCode).executeTakeFirst();
      if (!division) throw new AppError(404, "division_not_found", `No division ${scopeCode}`);
    }
    let departmentId: string | null = null;
    if (input.departmentCode) {
      const department = await trx.selectFrom("departments").select("id").where("code", "=", input.departmentCode).executeTakeFirst();
      if (!department) throw new AppError(404, "department_not_found", `No department ${input.departmentCode}`);
      departmentId = department.id;
    }
    const taken = await trx.selectFrom("users").select("id").where("username", "=", input.username).executeTakeFirst();
    if (taken) throw new AppError(409, "username_taken", `The username ${input.username} is taken`);
    const id = uuidv7();
    await trx
      .insertInto("users")
      .values({
        id,
        username: input.username,
        display_name: input.displayName,
        phone: input.phone ?? null,
        password_hash: passwordHash,
        roles,
        scope_code: scopeCode,
        department_id: departmentId,
      })
      .execute();
    await writeAudit(trx, {
      regionCode: regionOf(scopeCode),
      actorId: by?.userId ?? null,
      action: "user.create",
      targetType: "user",
      targetId: id,
      details: { username: input.username, roles, scopeCode },
    });
    return { id, username: input.username, displayName: input.displayName, roles, scopeCode };
  });
}

const userColumns = [
  "users.id",
  "users.username",
  "users.display_name",
  "users.phone",
  "users.roles",
  "users.scope_code",
  "users.disabled_at",
  "departments.code as department_code",
  "departments.name as department_name",
] as const;

function presentUser(row: {
  id: string;
  username: string;
  display_name: string;
  phone: string | null;
  roles: string[];
  scope_code: string | null;
  disabled_at: Date | null;
  department_code: string | null;
  department_name: string | null;
}) {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    phone: maskPhone(row.phone),
    roles: row.roles,
    scopeCode: row.scope_code,
    department: row.department_code ? { code: row.department_code, name: row.department_name ?? "" } : null,
    disabled: row.disabled_at !== null,
  };
}

export type UserFilter = { division?: string; role?: string; after?: string; limit: number };

/** Accounts in the actor's scope (optionally under a division, with a role), by username, paged. */
export async function listUsers(ctx: AppContext, actor: Actor, filter: UserFilter) {
  requirePermission(actor, "user.read");
  if (filter.division !== undefined && !codeInScope(actor, filter.division)) {
    throw notFound("division_not_found", `No division ${filter.division}`);
  }
  const rows = await ctx.db
    .selectFrom("users")
    .leftJoin("departments", "departments.id", "users.department_id")
    .select(userColumns)
    .where(inScope(actor, sql.ref("users.scope_code")))
    .$if(filter.division !== undefined, (query) => query.where("users.scope_code", "like", `${filter.division}%`))
    .$if(filter.role !== undefined, (query) => query.where(sql<boolean>`${filter.role} = any(users.roles)`))
    .$if(filter.after !== undefined, (query) => query.where("users.username", ">", filter.after ?? ""))
    .orderBy("users.username")
    .limit(filter.limit + 1)
    .execute();
  const page = rows.slice(0, filter.limit);
  return {
    users: page.map(presentUser),
    nextCursor: rows.length > filter.limit ? (page.at(-1)?.username ?? null) : null,
  };
}

export async function getUser(ctx: AppContext, actor: Actor, id: string) {
  requirePermission(actor, "user.read");
  const row = await ctx.db
    .selectFrom("users")
    .leftJoin("departments", "departments.id", "users.department_id")
    .select(userColumns)
    .where("users.id", "=", id)
    .where(inScope(actor, sql.ref("users.scope_code")))
    .executeTakeFirst();
  if (!row) throw notFound("user_not_found", `No user ${id}`);
  return presentUser(row);
}

/** Departments that serve the actor's scope: those above it (district departments) or inside it. */
export async function listDepartments(ctx: AppContext, actor: Actor) {
  requirePermission(actor, "department.read");
  const scope = actor.scopeCode ?? "";
  const rows = await ctx.db
    .selectFrom("departments")
    .select(["id", "code", "name", "division_code"])
    .where((eb) =>
      eb.or([
        eb("division_code", "like", `${scope}%`),
        eb(sql.val(scope), "like", sql<string>`division_code || '%'`),
      ]),
    )
    .orderBy("code")
    .execute();
  return rows.map((row) => ({ id: row.id, code: row.code, name: row.name, divisionCode: row.division_code }));
}

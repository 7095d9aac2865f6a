import { sql, type Kysely } from "kysely";
import { uuidv7 } from "../../ids.ts";
import type { AppContext } from "../../context.ts";
import type { DB } from "../../db/schema.ts";
import { AppError, notFound } from "../../errors.ts";
import { regionOf, writeAudit } from "../audit/audit.repository.ts";
import { codeInScope, inScope, requirePermission, type Actor } from "../auth/actor.ts";
import { endSessions } from "../auth/auth.service.ts";
import { forgetFailures } from "../auth/login-throttle.ts";
import { requireAcceptablePassword } from "../auth/password-policy.ts";
import { hashPassword } from "../auth/passwords.ts";
import { conflictingAdministratorRoles, isRole, managedRoles, STAFF_ROLES, type Role } from "./roles.ts";
import { presentDepartment } from "./departments.service.ts";
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

/**
 * The roles an account may be given by `by` (null: the operator on the server's command line):
 * known roles, at most one of the three administrators (三员分立), each one `by` manages.
 */
function grantableRoles(by: Actor | null, requested: readonly string[]): Role[] {
  const unknown = requested.filter((role) => !isRole(role));
  if (unknown.length) throw new AppError(400, "unknown_role", `Unknown role(s): ${unknown.join(", ")}`);
  const roles = requested as Role[];
  const conflicting = conflictingAdministratorRoles(roles);
  if (conflicting.length) {
    throw new AppError(400, "administrator_roles_exclusive", `One account holds at most one of the administrator roles, not ${conflicting.join(" and ")}`, {
      roles: conflicting,
    });
  }
  if (by) requireManaged(by, roles);
  return roles;
}

/** Refuses (403 `role_not_managed`) unless the actor manages every one of the roles. */
function requireManaged(by: Actor, roles: readonly Role[]): void {
  const managed = managedRoles(by.roles);
  const not = roles.filter((role) => !managed.has(role));
  if (not.length) {
    throw new AppError(403, "role_not_managed", `You do not manage the role(s) ${not.join(", ")}`, { roles: not });
  }
}

/**
 * Creates an account. `by` is the acting administrator, or null for the command line run by the
 * operator. Staff roles need a scope inside the creator's own scope; the password must meet the
 * policy and be changed at first sign-in; the event is audited.
 */
export async function createUser(ctx: AppContext, by: Actor | null, input: NewUserInput) {
  if (by) requirePermission(by, "user.write");
  grantableRoles(by, input.roles);
  requireAcceptablePassword(input.password, input.username);
  const passwordHash = await hashPassword(input.password);
  return ctx.db.transaction().execute((trx) => createUserIn(trx, by, input, passwordHash));
}

/**
 * `createUser` inside a transaction the caller holds (an import of many accounts commits them
 * together), with every check it makes; the password is hashed here unless the hash is given.
 */
export async function createUserIn(trx: Kysely<DB>, by: Actor | null, input: NewUserInput, passwordHash?: string) {
  if (by) requirePermission(by, "user.write");
  const roles = grantableRoles(by, input.roles);
  requireAcceptablePassword(input.password, input.username);
  const scopeCode = input.scopeCode ?? null;
  if (roles.some((role) => STAFF_ROLES.includes(role)) && !scopeCode) {
    throw new AppError(400, "scope_required", "Staff accounts need a scope (a division code)");
  }
  if (scopeCode && by && !codeInScope(by, scopeCode)) {
    throw new AppError(404, "division_not_found", `No division ${scopeCode}`);
  }
  const hashed = passwordHash ?? (await hashPassword(input.password));
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
      password_hash: hashed,
      roles,
      scope_code: scopeCode,
      department_id: departmentId,
      password_change_required: true,
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
}

const userColumns = [
  "users.id",
  "users.username",
  "users.display_name",
  "users.phone",
  "users.roles",
  "users.scope_code",
  "users.disabled_at",
  "users.locked_at",
  "users.password_change_required",
  "users.version",
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
  locked_at: Date | null;
  password_change_required: boolean;
  version: number;
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
    locked: row.locked_at !== null,
    passwordChangeRequired: row.password_change_required,
    version: row.version,
  };
}

export type UserFilter = { division?: string; covers?: string; role?: string; after?: string; limit: number };

/**
 * Accounts in the actor's scope (optionally under a division, or whose scope covers a division, with
 * a role), by username, paged. `covers` finds who works a community: a dispatcher's choice of grid
 * worker, whose scope may be the community or a street above it.
 */
export async function listUsers(ctx: AppContext, actor: Actor, filter: UserFilter) {
  requirePermission(actor, "user.read");
  if (filter.division !== undefined && !codeInScope(actor, filter.division)) {
    throw notFound("division_not_found", `No division ${filter.division}`);
  }
  if (filter.covers !== undefined && !codeInScope(actor, filter.covers)) {
    throw notFound("division_not_found", `No division ${filter.covers}`);
  }
  const rows = await ctx.db
    .selectFrom("users")
    .leftJoin("departments", "departments.id", "users.department_id")
    .select(userColumns)
    .where(inScope(actor, sql.ref("users.scope_code")))
    .$if(filter.division !== undefined, (query) => query.where("users.scope_code", "like", `${filter.division}%`))
    .$if(filter.covers !== undefined, (query) => query.where(sql<boolean>`${filter.covers ?? ""} like users.scope_code || '%'`))
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
    .select(["id", "code", "name", "division_code", "duty_phone", "version"])
    .where((eb) =>
      eb.or([
        eb("division_code", "like", `${scope}%`),
        eb(sql.val(scope), "like", sql<string>`division_code || '%'`),
      ]),
    )
    .orderBy("code")
    .execute();
  return rows.map(presentDepartment);
}

type ManagedUser = { id: string; username: string; roles: Role[]; scope_code: string | null; version: number };

/**
 * The account an administrator (null: the operator) is about to change, locked until the transaction ends: one in the
 * actor's scope (else 404, as an account that does not exist), not the actor's own (which they
 * change only through their own password), holding only roles the actor manages.
 */
async function lockManagedUser(trx: Kysely<DB>, actor: Actor | null, id: string): Promise<ManagedUser> {
  if (actor) requirePermission(actor, "user.write");
  const row = await trx
    .selectFrom("users")
    .select(["id", "username", "roles", "scope_code", "version"])
    .where("id", "=", id)
    .$if(actor !== null, (query) => query.where(inScope(actor as Actor, sql.ref("scope_code"))))
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFound("user_not_found", `No user ${id}`);
  if (actor && row.id === actor.userId) {
    throw new AppError(403, "own_account", "Administrators do not manage their own account: another administrator does");
  }
  const roles = row.roles.filter(isRole);
  if (actor) requireManaged(actor, roles);
  return { ...row, roles };
}

/** One account as `getUser` presents it, read inside the transaction that changed it. */
async function readUser(trx: Kysely<DB>, id: string) {
  const row = await trx
    .selectFrom("users")
    .leftJoin("departments", "departments.id", "users.department_id")
    .select(userColumns)
    .where("users.id", "=", id)
    .executeTakeFirstOrThrow();
  return presentUser(row);
}

/**
 * Runs an administrator's change to an account in one transaction, audited, ending every session
 * of the account when `endsSessions`; this process's session cache forgets them once it commits.
 */
async function changeUser<T>(
  ctx: AppContext,
  actor: Actor,
  id: string,
  action: string,
  change: (trx: Kysely<DB>, user: ManagedUser) => Promise<{ result: T; details?: Record<string, unknown>; endsSessions: boolean }>,
): Promise<T> {
  const result = await ctx.db.transaction().execute((trx) => changeUserIn(trx, actor, id, action, change));
  ctx.sessions.evictUser(id);
  return result;
}

/** `changeUser` inside the caller's transaction: the caller evicts the account's sessions once it commits. */
async function changeUserIn<T>(
  trx: Kysely<DB>,
  actor: Actor | null,
  id: string,
  action: string,
  change: (trx: Kysely<DB>, user: ManagedUser) => Promise<{ result: T; details?: Record<string, unknown>; endsSessions: boolean }>,
): Promise<T> {
  const user = await lockManagedUser(trx, actor, id);
  const outcome = await change(trx, user);
  if (outcome.endsSessions) await endSessions(trx, id);
  await writeAudit(trx, {
    regionCode: regionOf(user.scope_code),
    actorId: actor?.userId ?? null,
    action,
    targetType: "user",
    targetId: id,
    details: { username: user.username, ...outcome.details },
  });
  return outcome.result;
}

/** An administrator sets a new password, which the owner must change at their next sign-in. */
export async function resetPassword(ctx: AppContext, actor: Actor, id: string, password: string): Promise<void> {
  await changeUser(ctx, actor, id, "user.password_reset", async (trx, user) => {
    requireAcceptablePassword(password, user.username);
    const passwordHash = await hashPassword(password);
    await trx
      .updateTable("users")
      .set({ password_hash: passwordHash, password_change_required: true, version: sql`version + 1` })
      .where("id", "=", id)
      .execute();
    return { result: undefined, endsSessions: true };
  });
}

/** Locks an account until it is unlocked: its sessions end and sign-in is refused. */
export async function lockUser(ctx: AppContext, actor: Actor, id: string) {
  return changeUser(ctx, actor, id, "user.lock", async (trx) => {
    await trx
      .updateTable("users")
      .set({ locked_at: sql`coalesce(locked_at, now())`, version: sql`version + 1` })
      .where("id", "=", id)
      .execute();
    return { result: await readUser(trx, id), endsSessions: true };
  });
}

/** Unlocks an account, and lifts the sign-in blocks its failed attempts earned from any address. */
export async function unlockUser(ctx: AppContext, actor: Actor, id: string) {
  return changeUser(ctx, actor, id, "user.unlock", async (trx, user) => {
    await trx.updateTable("users").set({ locked_at: null, version: sql`version + 1` }).where("id", "=", id).execute();
    await forgetFailures(trx, user.username);
    return { result: await readUser(trx, id), endsSessions: false };
  });
}

export type UserChange = {
  displayName?: string;
  phone?: string | null;
  roles?: string[];
  scopeCode?: string | null;
  departmentCode?: string | null;
  disabled?: boolean;
};

/**
 * An administrator edits an account, guarded by its version (If-Match): name and phone; roles,
 * scope and department, each within what the administrator manages; disabled or enabled again. A
 * change to what the account may do or whether it may sign in ends its sessions.
 */
export async function updateUser(ctx: AppContext, actor: Actor, id: string, ifMatch: string | undefined, change: UserChange) {
  const result = await ctx.db.transaction().execute((trx) => updateUserIn(trx, actor, id, ifMatch, change));
  ctx.sessions.evictUser(id);
  return result;
}

/**
 * `updateUser` inside the caller's transaction, `actor` null for the operator; the caller evicts
 * the account's sessions (`ctx.sessions.evictUser`) once it commits.
 */
export async function updateUserIn(trx: Kysely<DB>, actor: Actor | null, id: string, ifMatch: string | undefined, change: UserChange) {
  return changeUserIn(trx, actor, id, "user.update", async (trx, user) => {
    if (!ifMatch) throw new AppError(428, "precondition_required", "Send If-Match with the user's ETag");
    if (ifMatch !== `"${user.version}"`) throw new AppError(412, "version_mismatch", "The user changed since you read it");
    const roles = change.roles === undefined ? undefined : grantableRoles(actor, change.roles);
    if (change.scopeCode && actor && !codeInScope(actor, change.scopeCode)) {
      throw notFound("division_not_found", `No division ${change.scopeCode}`);
    }
    const scopeCode = change.scopeCode === undefined ? user.scope_code : change.scopeCode;
    if (change.scopeCode) {
      const division = await trx.selectFrom("divisions").select("code").where("code", "=", change.scopeCode).executeTakeFirst();
      if (!division) throw notFound("division_not_found", `No division ${change.scopeCode}`);
    }
    if ((roles ?? user.roles).some((role) => STAFF_ROLES.includes(role)) && !scopeCode) {
      throw new AppError(400, "scope_required", "Staff accounts need a scope (a division code)");
    }
    let departmentId: string | null | undefined;
    if (change.departmentCode !== undefined) {
      departmentId = null;
      if (change.departmentCode !== null) {
        const department = await trx.selectFrom("departments").select("id").where("code", "=", change.departmentCode).executeTakeFirst();
        if (!department) throw notFound("department_not_found", `No department ${change.departmentCode}`);
        departmentId = department.id;
      }
    }
    await trx
      .updateTable("users")
      .set({
        ...(change.displayName !== undefined && { display_name: change.displayName }),
        ...(change.phone !== undefined && { phone: change.phone }),
        ...(roles !== undefined && { roles }),
        ...(change.scopeCode !== undefined && { scope_code: change.scopeCode }),
        ...(departmentId !== undefined && { department_id: departmentId }),
        ...(change.disabled !== undefined && { disabled_at: change.disabled ? sql<Date>`coalesce(disabled_at, now())` : null }),
        version: sql`version + 1`,
      })
      .where("id", "=", id)
      .execute();
    const { phone: _phone, ...audited } = change;
    return {
      result: await readUser(trx, id),
      details: { change: { ...audited, ...(change.phone !== undefined && { phone: maskPhone(change.phone) }) } },
      endsSessions: roles !== undefined || change.scopeCode !== undefined || departmentId !== undefined || change.disabled === true,
    };
  });
}

import { sql, type Expression, type SqlBool } from "kysely";
import { forbidden } from "../../errors.ts";
import type { Permission, Role } from "../people/roles.ts";

/** Who is acting in this request: resolved once, from the session cookie or the API key. */
export type Actor = {
  userId: string;
  username: string;
  displayName: string;
  roles: Role[];
  permissions: Set<Permission>;
  /** The division code the actor works in; everything under it is in scope. Null: no staff scope. */
  scopeCode: string | null;
  departmentId: string | null;
  /** Set on an account made or reset by someone else: until it chooses a password, it may do nothing else. */
  passwordChangeRequired: boolean;
  /** Set when a screen credential, not a person, is acting: it reads and never changes anything. */
  screenCredentialId?: string;
};

/** Throws 403 unless the actor holds the permission. */
export function requirePermission(actor: Actor, permission: Permission): void {
  if (!actor.permissions.has(permission)) throw forbidden(permission);
}

/**
 * The SQL condition "this division code lies in the actor's scope", for use inside queries so that
 * out-of-scope rows are never read. Division codes extend their parent's, so it is a prefix test.
 */
export function inScope(actor: Actor, codeColumn: Expression<string | null>): Expression<SqlBool> {
  if (actor.scopeCode === null) return sql<SqlBool>`false`;
  return sql<SqlBool>`${codeColumn} like ${`${actor.scopeCode}%`}`;
}

/** Whether a division code lies in the actor's scope (for codes already in hand). */
export function codeInScope(actor: Actor, code: string): boolean {
  return actor.scopeCode !== null && code.startsWith(actor.scopeCode);
}

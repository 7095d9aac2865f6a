import { sql, type Expression, type SqlBool } from "kysely";
import { AppError, forbidden } from "../../errors.ts";
import type { Permission, Role } from "../people/roles.ts";
import { attributeToApiKey } from "./api-key-attribution.ts";

/** What an API key may be used for, on top of its user's permissions (docs/decisions/0040). */
export const API_KEY_SCOPES = ["read", "report", "exchange"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

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
  /** Set when an API key, not a session, is acting: the key limits what its user's permissions allow. */
  apiKey?: { id: string; name: string; organisation: string; scopes: ApiKeyScope[]; requestsPerMinute: number };
};

/** Throws 403 unless the actor holds the permission. */
export function requirePermission(actor: Actor, permission: Permission): void {
  if (!actor.permissions.has(permission)) throw forbidden(permission);
}

/** The key part of an API key's actor, from its row; a key without its own limit has the configured one. */
export function apiKeyOf(
  row: { key_id: string; key_name: string; organisation: string; scopes: string[]; requests_per_minute: number | null },
  defaultPerMinute: number,
): NonNullable<Actor["apiKey"]> {
  return {
    id: row.key_id,
    name: row.key_name,
    organisation: row.organisation,
    scopes: API_KEY_SCOPES.filter((scope) => row.scopes.includes(scope)),
    requestsPerMinute: row.requests_per_minute ?? defaultPerMinute,
  };
}

/**
 * Throws 403 `api_key_scope` when the actor is an API key without the scope; a session passes. For
 * code paths that take a key outside the Authorization header (Open311's `api_key` field): it also
 * records the key as the one the rest of the request acts with, for the timeline and the audit log.
 */
export function requireApiKeyScope(actor: Actor, scope: ApiKeyScope): void {
  if (!actor.apiKey) return;
  if (!actor.apiKey.scopes.includes(scope)) {
    throw new AppError(403, "api_key_scope", `This API key lacks the scope ${scope}`, { scope, scopes: actor.apiKey.scopes });
  }
  attributeToApiKey(actor.apiKey.id);
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

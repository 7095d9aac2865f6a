import { sql, type Kysely, type SqlBool } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { Role } from "../people/roles.ts";

/** A key as its list shows it: never the key or its hash. */
export type ApiKeyRow = {
  id: string;
  prefix: string;
  name: string;
  organisation: string;
  scopes: string[];
  requests_per_minute: number | null;
  expires_at: Date | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  user_id: string;
  owner_username: string;
  owner_name: string;
  owner_scope: string | null;
  revoked_by: string | null;
  revoked_by_name: string | null;
  expired: boolean;
};

/** Whose keys a list or a revocation reaches: the actor's own, and those of accounts it administers. */
export type KeyReach = {
  userId: string;
  /** For administrators: the scope and the roles they manage; null for everyone else. */
  administers: { scopeCode: string; roles: Role[] } | null;
};

const LIST_LIMIT = 1000;

function reachable(reach: KeyReach) {
  const own = sql<SqlBool>`k.user_id = ${reach.userId}`;
  if (!reach.administers) return own;
  const { scopeCode, roles } = reach.administers;
  // An account with a role the administrator does not manage (another administrator) is out of reach.
  return sql<SqlBool>`(${own} or (u.scope_code like ${`${scopeCode}%`} and u.roles <@ ${sql.val(roles)}::text[]))`;
}

function listed(db: Kysely<DB>) {
  return db
    .selectFrom("api_keys as k")
    .innerJoin("users as u", "u.id", "k.user_id")
    .leftJoin("users as r", "r.id", "k.revoked_by")
    .select(["k.id", "k.prefix", "k.name", "k.organisation", "k.scopes", "k.requests_per_minute", "k.expires_at", "k.created_at", "k.last_used_at", "k.revoked_at", "k.user_id", "k.revoked_by"])
    .select(["u.username as owner_username", "u.display_name as owner_name", "u.scope_code as owner_scope", "r.display_name as revoked_by_name"])
    .select(sql<boolean>`coalesce(k.expires_at <= now(), false)`.as("expired"));
}

/** The keys within reach (null: all of them), live ones first, newest first. */
export function findApiKeys(db: Kysely<DB>, reach: KeyReach | null): Promise<ApiKeyRow[]> {
  return listed(db)
    .$if(reach !== null, (query) => query.where(reachable(reach as KeyReach)))
    .orderBy(sql`k.revoked_at is not null`)
    .orderBy("k.created_at", "desc")
    .orderBy("k.id")
    .limit(LIST_LIMIT)
    .execute();
}

export function findApiKey(db: Kysely<DB>, id: string): Promise<ApiKeyRow | undefined> {
  return listed(db).where("k.id", "=", id).executeTakeFirst();
}

/** The ids of the keys whose id or prefix (ggk_ and six more characters) is `ref`, within reach (null: every key). */
export async function findApiKeyIds(db: Kysely<DB>, ref: string, reach: KeyReach | null): Promise<string[]> {
  const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
  const rows = await db
    .selectFrom("api_keys as k")
    .innerJoin("users as u", "u.id", "k.user_id")
    .select("k.id")
    .$if(isId, (query) => query.where("k.id", "=", ref))
    .$if(!isId, (query) => query.where("k.prefix", "=", ref))
    .$if(reach !== null, (query) => query.where(reachable(reach as KeyReach)))
    .execute();
  return rows.map((row) => row.id);
}

/**
 * The live key of a hash with its user's actor columns, and whether its last use is older than a
 * minute. Revoked and expired keys, and keys of disabled or locked accounts, are not found.
 */
export function findLiveApiKey(db: Kysely<DB>, keyHash: string) {
  return db
    .selectFrom("api_keys as k")
    .innerJoin("users", "users.id", "k.user_id")
    .select(["k.id as key_id", "k.name as key_name", "k.organisation", "k.scopes", "k.requests_per_minute", "k.expires_at"])
    .select(["users.id", "users.username", "users.display_name", "users.roles", "users.scope_code", "users.department_id", "users.password_change_required"])
    .select(sql<boolean>`k.last_used_at is null or k.last_used_at < now() - interval '1 minute'`.as("stale"))
    .where("k.key_hash", "=", keyHash)
    .where("k.revoked_at", "is", null)
    .where((eb) => eb.or([eb("k.expires_at", "is", null), eb("k.expires_at", ">", sql<Date>`now()`)]))
    .where("users.disabled_at", "is", null)
    .where("users.locked_at", "is", null)
    .executeTakeFirst();
}

export type LiveApiKeyRow = NonNullable<Awaited<ReturnType<typeof findLiveApiKey>>>;

/**
 * Records a use of the key unless one was recorded in the last minute: the condition is in the
 * statement, so that concurrent requests of a busy key write it once between them.
 */
export async function touchApiKey(db: Kysely<DB>, id: string): Promise<void> {
  await db
    .updateTable("api_keys")
    .set({ last_used_at: sql`now()` })
    .where("id", "=", id)
    .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", sql<Date>`now() - interval '1 minute'`)]))
    .execute();
}

/** Marks a live key revoked by `by` (null: the operator); its row as it was, or undefined when it was not live. */
export function markRevoked(db: Kysely<DB>, id: string, by: string | null) {
  return db
    .updateTable("api_keys")
    .set({ revoked_at: sql`now()`, revoked_by: by })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .returning(["id", "user_id", "name", "organisation", "prefix"])
    .executeTakeFirst();
}

import crypto from "node:crypto";
import type { AppContext } from "../../context.ts";
import { AppError, badRequest, notFound } from "../../errors.ts";
import { regionOf, writeAudit } from "../audit/audit.repository.ts";
import { managedRoles } from "../people/roles.ts";
import { API_KEY_SCOPES, apiKeyOf, requirePermission, type Actor, type ApiKeyScope } from "./actor.ts";
import {
  findApiKey,
  findApiKeyIds,
  findApiKeys,
  findLiveApiKey,
  markRevoked,
  touchApiKey,
  type ApiKeyRow,
  type KeyReach,
} from "./api-keys.repository.ts";
import { actorFromUser } from "./auth.service.ts";

export const API_KEY_PREFIX = "ggk_";
/** A key's own per-minute limit lies within these bounds. */
export const MAX_REQUESTS_PER_MINUTE = 60_000;
/** Keys made without scopes read and report, as every key could before scopes existed. */
export const DEFAULT_SCOPES: readonly ApiKeyScope[] = ["read", "report"];

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

/**
 * The actor of an API key, or null when the key is unknown, revoked or expired, or its account is
 * disabled or locked. Read from the cache of keys resolved in the last seconds (`ApiKeyCache`),
 * else from the database; its last use is written at most once a minute.
 */
export async function actorOfApiKey(ctx: AppContext, key: string): Promise<Actor | null> {
  if (!key.startsWith(API_KEY_PREFIX)) return null;
  const keyHash = sha256(key);
  const cached = ctx.apiKeys.get(keyHash);
  if (cached) return cached;
  const row = await findLiveApiKey(ctx.db, keyHash);
  if (!row) return null;
  if (row.stale) await touchApiKey(ctx.db, row.key_id);
  const actor = { ...actorFromUser(row), apiKey: apiKeyOf(row, ctx.config.apiKeyRequestsPerMinute) };
  ctx.apiKeys.set(keyHash, actor, row.expires_at);
  return actor;
}

export type NewApiKey = {
  name: string;
  organisation: string;
  scopes?: ApiKeyScope[];
  requestsPerMinute?: number;
  /** ISO 8601; in the future. */
  expiresAt?: string;
};

/** Makes a new API key for a user; the key itself is shown once and only its hash is kept. */
export async function createApiKey(ctx: AppContext, by: Actor | null, userId: string, input: NewApiKey) {
  const name = input.name.trim();
  const organisation = input.organisation.trim();
  if (!name) throw badRequest("invalid_api_key", "Name the key", { field: "name" });
  if (!organisation) throw badRequest("invalid_api_key", "Name the organisation the key serves", { field: "organisation" });
  const scopes = API_KEY_SCOPES.filter((scope) => (input.scopes ?? DEFAULT_SCOPES).includes(scope));
  if (scopes.length === 0) throw badRequest("invalid_api_key", "Give the key at least one scope: read, report or exchange", { field: "scopes" });
  const perMinute = input.requestsPerMinute ?? null;
  if (perMinute !== null && (!Number.isInteger(perMinute) || perMinute < 1 || perMinute > MAX_REQUESTS_PER_MINUTE)) {
    throw badRequest("invalid_api_key", `The limit is a whole number of requests a minute from 1 to ${MAX_REQUESTS_PER_MINUTE}`, { field: "requestsPerMinute" });
  }
  const expiresAt = input.expiresAt === undefined ? null : new Date(input.expiresAt);
  if (expiresAt !== null && (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now())) {
    throw badRequest("invalid_api_key", "The expiry is a date and time in the future", { field: "expiresAt" });
  }
  const key = API_KEY_PREFIX + crypto.randomBytes(24).toString("base64url");
  const id = crypto.randomUUID();
  const prefix = key.slice(0, 10);
  await ctx.db.transaction().execute(async (trx) => {
    const owner = await trx.selectFrom("users").select("scope_code").where("id", "=", userId).executeTakeFirstOrThrow();
    await trx
      .insertInto("api_keys")
      .values({ id, user_id: userId, name, organisation, scopes, requests_per_minute: perMinute, expires_at: expiresAt, key_hash: sha256(key), prefix })
      .execute();
    await writeAudit(trx, {
      regionCode: regionOf(owner.scope_code),
      actorId: by?.userId ?? null,
      action: "api_key.create",
      targetType: "api_key",
      targetId: id,
      details: { userId, name, organisation, prefix, scopes, requestsPerMinute: perMinute, expiresAt: expiresAt?.toISOString() ?? null },
    });
  });
  const row = await findApiKey(ctx.db, id);
  if (!row) throw new Error(`The API key ${id} was not written`);
  return { ...presentApiKey(row, ctx.config.apiKeyRequestsPerMinute), key };
}

/** Everyone with api_key.write reaches their own keys; administrators also those of the accounts they manage in their scope. */
function reachOf(actor: Actor): KeyReach {
  const administers = actor.permissions.has("api_key.admin") && actor.scopeCode !== null;
  return {
    userId: actor.userId,
    administers: administers ? { scopeCode: actor.scopeCode as string, roles: [...managedRoles(actor.roles)] } : null,
  };
}

function requireKeyPermission(actor: Actor): void {
  if (!actor.permissions.has("api_key.admin")) requirePermission(actor, "api_key.write");
}

export function presentApiKey(row: ApiKeyRow, defaultPerMinute: number) {
  return {
    id: row.id,
    prefix: row.prefix,
    name: row.name,
    organisation: row.organisation,
    owner: { id: row.user_id, username: row.owner_username, name: row.owner_name },
    scopes: row.scopes as ApiKeyScope[],
    requestsPerMinute: row.requests_per_minute ?? defaultPerMinute,
    expiresAt: row.expires_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    revokedBy: row.revoked_by ? { id: row.revoked_by, name: row.revoked_by_name ?? "" } : null,
    state: row.revoked_at ? ("revoked" as const) : row.expired ? ("expired" as const) : ("active" as const),
  };
}

export async function listApiKeys(ctx: AppContext, actor: Actor) {
  requireKeyPermission(actor);
  const rows = await findApiKeys(ctx.db, reachOf(actor));
  return rows.map((row) => presentApiKey(row, ctx.config.apiKeyRequestsPerMinute));
}

/**
 * Revokes a live key: the actor's own, or (administrators) one of an account they manage in their
 * scope; anything else answers as not found. `by` null is the operator on the command line.
 * Its requests to this process answer 401 at once (to another within seconds, see `ApiKeyCache`),
 * and its event streams end at their next check.
 */
export async function revokeApiKey(ctx: AppContext, by: Actor | null, id: string): Promise<void> {
  if (by) requireKeyPermission(by);
  const revoked = await ctx.db.transaction().execute(async (trx) => {
    const [reached] = await findApiKeyIds(trx, id, by ? reachOf(by) : null);
    const row = reached ? await markRevoked(trx, reached, by?.userId ?? null) : undefined;
    if (!row) return false;
    const owner = await trx.selectFrom("users").select("scope_code").where("id", "=", row.user_id).executeTakeFirstOrThrow();
    await writeAudit(trx, {
      regionCode: regionOf(owner.scope_code),
      actorId: by?.userId ?? null,
      action: "api_key.revoke",
      targetType: "api_key",
      targetId: row.id,
      details: { userId: row.user_id, name: row.name, organisation: row.organisation, prefix: row.prefix, revokedBy: by?.userId ?? "operator" },
    });
    return true;
  });
  if (!revoked) throw notFound("api_key_not_found", "No such live API key within your reach");
  ctx.apiKeys.evictKey(id);
}

/** The command line revokes by id or by prefix (ggk_ and six characters), which must name one key. */
export async function revokeApiKeyByRef(ctx: AppContext, ref: string): Promise<string> {
  const ids = await findApiKeyIds(ctx.db, ref, null);
  if (ids.length === 0) throw notFound("api_key_not_found", `No API key ${ref}`);
  if (ids.length > 1) throw new AppError(409, "ambiguous_api_key", `${ids.length} API keys have the prefix ${ref}: give the id`, { ids });
  await revokeApiKey(ctx, null, ids[0]);
  return ids[0];
}

/** Every key, for the operator's `gridgov api-keys list`. */
export async function listAllApiKeys(ctx: AppContext) {
  return (await findApiKeys(ctx.db, null)).map((row) => presentApiKey(row, ctx.config.apiKeyRequestsPerMinute));
}

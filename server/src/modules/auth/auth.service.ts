import crypto from "node:crypto";
import { sql } from "kysely";
import type { AppContext } from "../../context.ts";
import type { UserRow } from "../../db/schema.ts";
import { AppError } from "../../errors.ts";
import { regionOf, writeAudit } from "../audit/audit.repository.ts";
import { isRole, permissionsOf } from "../people/roles.ts";
import type { Actor } from "./actor.ts";
import { verifyPassword } from "./passwords.ts";

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");
// last_seen_at is written at most this often, so that reads do not each cost a write.
const TOUCH_INTERVAL_MS = 60_000;

export function actorFromUser(user: Pick<UserRow, "id" | "username" | "display_name" | "roles" | "scope_code" | "department_id">): Actor {
  const roles = user.roles.filter(isRole);
  return {
    userId: user.id,
    username: user.username,
    displayName: user.display_name,
    roles,
    permissions: permissionsOf(roles),
    scopeCode: user.scope_code,
    departmentId: user.department_id,
  };
}

/**
 * Checks a username and password and opens a session. Repeated failures lock the account for a
 * while; a locked account is refused even with the right password. Every outcome is audited.
 */
export async function login(
  ctx: AppContext,
  username: string,
  password: string,
): Promise<{ token: string; actor: Actor }> {
  const { maxFailures, lockoutMinutes } = ctx.config.login;
  const user = await ctx.db.selectFrom("users").selectAll().where("username", "=", username).executeTakeFirst();
  const valid = await verifyPassword(user?.password_hash ?? null, password);
  if (!user || user.disabled_at) {
    throw new AppError(401, "invalid_credentials", "Wrong username or password");
  }
  const region = regionOf(user.scope_code);
  if (user.locked_until && user.locked_until > new Date()) {
    await writeAudit(ctx.db, { regionCode: region, actorId: user.id, action: "auth.login_refused_locked", targetType: "user", targetId: user.id });
    throw new AppError(423, "account_locked", "Too many failed sign-ins: the account is locked for a while", {
      lockedUntil: user.locked_until.toISOString(),
    });
  }
  if (!valid) {
    await ctx.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable("users")
        .set({ failed_logins: sql`failed_logins + 1` })
        .where("id", "=", user.id)
        .returning("failed_logins")
        .executeTakeFirstOrThrow();
      const locks = row.failed_logins >= maxFailures;
      if (locks) {
        await trx
          .updateTable("users")
          .set({ failed_logins: 0, locked_until: sql`now() + make_interval(mins => ${lockoutMinutes})` })
          .where("id", "=", user.id)
          .execute();
      }
      await writeAudit(trx, {
        regionCode: region,
        actorId: user.id,
        action: locks ? "auth.account_locked" : "auth.login_failed",
        targetType: "user",
        targetId: user.id,
      });
    });
    throw new AppError(401, "invalid_credentials", "Wrong username or password");
  }
  const token = crypto.randomBytes(32).toString("base64url");
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable("users").set({ failed_logins: 0, locked_until: null }).where("id", "=", user.id).execute();
    await trx
      .insertInto("sessions")
      .values({
        token_hash: sha256(token),
        user_id: user.id,
        expires_at: sql<Date>`now() + make_interval(hours => ${ctx.config.session.absoluteHours})`,
      })
      .execute();
    await writeAudit(trx, { regionCode: region, actorId: user.id, action: "auth.login", targetType: "user", targetId: user.id });
  });
  return { token, actor: actorFromUser(user) };
}

/** Ends a session on the server, so that its cookie is worthless even if kept. */
export async function logout(ctx: AppContext, token: string, actor: Actor): Promise<void> {
  ctx.sessions.evict(sha256(token));
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom("sessions").where("token_hash", "=", sha256(token)).execute();
    await writeAudit(trx, { regionCode: regionOf(actor.scopeCode), actorId: actor.userId, action: "auth.logout", targetType: "user", targetId: actor.userId });
  });
}

/**
 * The actor of a session token, or null when the session is unknown, past its absolute lifetime,
 * or idle longer than allowed (such a session is deleted).
 */
export async function actorOfSession(ctx: AppContext, token: string): Promise<Actor | null> {
  const tokenHash = sha256(token);
  const cached = ctx.sessions.get(tokenHash);
  if (cached) return cached;
  const row = await ctx.db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .select(["users.id", "username", "display_name", "roles", "scope_code", "department_id", "disabled_at"])
    .select(["sessions.last_seen_at", "sessions.expires_at"])
    .select(sql<Date>`now()`.as("now"))
    .where("token_hash", "=", tokenHash)
    .executeTakeFirst();
  if (!row) return null;
  const idleLimit = row.last_seen_at.getTime() + ctx.config.session.idleMinutes * 60_000;
  if (row.disabled_at || row.expires_at <= row.now || idleLimit <= row.now.getTime()) {
    await ctx.db.deleteFrom("sessions").where("token_hash", "=", tokenHash).execute();
    return null;
  }
  if (row.now.getTime() - row.last_seen_at.getTime() > TOUCH_INTERVAL_MS) {
    await ctx.db.updateTable("sessions").set({ last_seen_at: sql`now()` }).where("token_hash", "=", tokenHash).execute();
  }
  const actor = actorFromUser(row);
  ctx.sessions.set(tokenHash, actor);
  return actor;
}

export const API_KEY_PREFIX = "ggk_";

/** The actor of an API key, or null when the key is unknown or revoked. */
export async function actorOfApiKey(ctx: AppContext, key: string): Promise<Actor | null> {
  if (!key.startsWith(API_KEY_PREFIX)) return null;
  const row = await ctx.db
    .updateTable("api_keys")
    .set({ last_used_at: sql`now()` })
    .from("users")
    .whereRef("users.id", "=", "api_keys.user_id")
    .where("key_hash", "=", sha256(key))
    .where("revoked_at", "is", null)
    .where("users.disabled_at", "is", null)
    .returning(["users.id", "users.username", "users.display_name", "users.roles", "users.scope_code", "users.department_id"])
    .executeTakeFirst();
  return row ? actorFromUser(row) : null;
}

/** Makes a new API key for a user; the key itself is shown once and only its hash is kept. */
export async function createApiKey(
  ctx: AppContext,
  by: Actor | null,
  userId: string,
  name: string,
): Promise<{ id: string; key: string; prefix: string }> {
  const key = API_KEY_PREFIX + crypto.randomBytes(24).toString("base64url");
  const id = crypto.randomUUID();
  const prefix = key.slice(0, 10);
  await ctx.db.transaction().execute(async (trx) => {
    const owner = await trx.selectFrom("users").select("scope_code").where("id", "=", userId).executeTakeFirstOrThrow();
    await trx.insertInto("api_keys").values({ id, user_id: userId, name, key_hash: sha256(key), prefix }).execute();
    await writeAudit(trx, {
      regionCode: regionOf(owner.scope_code),
      actorId: by?.userId ?? null,
      action: "api_key.create",
      targetType: "api_key",
      targetId: id,
      details: { userId, name, prefix },
    });
  });
  return { id, key, prefix };
}

/** Revokes one of the actor's own API keys; another user's key answers as not found. */
export async function revokeApiKey(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const revoked = await trx
      .updateTable("api_keys")
      .set({ revoked_at: sql`now()` })
      .where("id", "=", id)
      .where("user_id", "=", actor.userId)
      .where("revoked_at", "is", null)
      .returning("id")
      .executeTakeFirst();
    if (!revoked) throw new AppError(404, "api_key_not_found", "No such API key");
    await writeAudit(trx, { regionCode: regionOf(actor.scopeCode), actorId: actor.userId, action: "api_key.revoke", targetType: "api_key", targetId: id });
  });
}

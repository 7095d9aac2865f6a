import crypto from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { AppContext } from "../../context.ts";
import type { DB, UserRow } from "../../db/schema.ts";
import { AppError } from "../../errors.ts";
import { regionOf, writeAudit } from "../audit/audit.repository.ts";
import { isRole, permissionsOf } from "../people/roles.ts";
import { apiKeyOf, type Actor } from "./actor.ts";
import { takeAttempt } from "./login-throttle.ts";
import { requireAcceptablePassword } from "./password-policy.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");
// last_seen_at is written at most this often, so that reads do not each cost a write.
const TOUCH_INTERVAL_MS = 60_000;

type ActorColumns = "id" | "username" | "display_name" | "roles" | "scope_code" | "department_id" | "password_change_required";

export function actorFromUser(user: Pick<UserRow, ActorColumns>): Actor {
  const roles = user.roles.filter(isRole);
  return {
    userId: user.id,
    username: user.username,
    displayName: user.display_name,
    roles,
    permissions: permissionsOf(roles),
    scopeCode: user.scope_code,
    departmentId: user.department_id,
    passwordChangeRequired: user.password_change_required,
  };
}

const refused = () => new AppError(401, "invalid_credentials", "Wrong username or password");

/**
 * Checks a username and password and opens a session. Failures are throttled per account name and
 * source address (login-throttle.ts), never by locking the account, so that nobody can lock a real
 * user out. Whether the name is unknown, the password wrong, or the account locked or disabled,
 * the answer is the same and costs the same (one Argon2 verification, one audit entry), so that
 * it does not tell which accounts exist. Every outcome is audited.
 */
export async function login(
  ctx: AppContext,
  username: string,
  password: string,
  source: string,
): Promise<{ token: string; actor: Actor }> {
  const attempt = await takeAttempt(ctx, username, source);
  const user = await ctx.db.selectFrom("users").selectAll().where("username", "=", username).executeTakeFirst();
  const valid = await verifyPassword(user?.password_hash ?? null, password);
  if (!user || !valid || user.disabled_at || user.locked_at) {
    const reason = !user ? "unknown_user" : !valid ? "wrong_password" : user.disabled_at ? "disabled" : "locked";
    const blockedUntil = await attempt.failed();
    await ctx.db.transaction().execute(async (trx) => {
      const entry = { regionCode: regionOf(user?.scope_code ?? null), actorId: user?.id ?? null, targetType: "user", targetId: user?.id ?? null };
      await writeAudit(trx, { ...entry, action: "auth.login_failed", details: { username, source, reason } });
      if (blockedUntil) {
        await writeAudit(trx, { ...entry, action: "auth.login_blocked", details: { username, source, until: blockedUntil.toISOString() } });
      }
    });
    throw refused();
  }
  await attempt.succeeded();
  const token = crypto.randomBytes(32).toString("base64url");
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto("sessions")
      .values({
        token_hash: sha256(token),
        user_id: user.id,
        expires_at: sql<Date>`now() + make_interval(hours => ${ctx.config.session.absoluteHours})`,
      })
      .execute();
    await writeAudit(trx, { regionCode: regionOf(user.scope_code), actorId: user.id, action: "auth.login", targetType: "user", targetId: user.id, details: { source } });
  });
  return { token, actor: actorFromUser(user) };
}

/**
 * Ends the sessions of a user on the server, all of them or all but one (the caller's own), in the
 * caller's transaction. After it commits, the caller evicts the user from the session cache
 * (`ctx.sessions.evictUser`), so that this process stops trusting them at once; another process of
 * a cluster does within the cache's few seconds, as for a logout.
 */
export async function endSessions(trx: Kysely<DB>, userId: string, keepToken?: string | null): Promise<void> {
  await trx
    .deleteFrom("sessions")
    .where("user_id", "=", userId)
    .$if(Boolean(keepToken), (query) => query.where("token_hash", "!=", sha256(keepToken ?? "")))
    .execute();
}

/**
 * A signed-in user replaces their own password, giving the current one (attempts are throttled as
 * sign-ins are). Ends the user's other sessions, keeps this one, and lifts the demand to change it.
 */
export async function changeOwnPassword(
  ctx: AppContext,
  actor: Actor,
  sessionToken: string | null,
  change: { currentPassword: string; newPassword: string },
  source: string,
): Promise<void> {
  requireAcceptablePassword(change.newPassword, actor.username);
  if (change.newPassword === change.currentPassword) {
    throw new AppError(400, "weak_password", "Choose a password other than the current one", { rule: "unchanged" });
  }
  const attempt = await takeAttempt(ctx, actor.username, source);
  const user = await ctx.db.selectFrom("users").select("password_hash").where("id", "=", actor.userId).executeTakeFirstOrThrow();
  const region = regionOf(actor.scopeCode);
  if (!(await verifyPassword(user.password_hash, change.currentPassword))) {
    const blockedUntil = await attempt.failed();
    await ctx.db.transaction().execute(async (trx) => {
      const entry = { regionCode: region, actorId: actor.userId, targetType: "user", targetId: actor.userId };
      await writeAudit(trx, { ...entry, action: "user.password_change_refused", details: { source } });
      if (blockedUntil) {
        await writeAudit(trx, { ...entry, action: "auth.login_blocked", details: { username: actor.username, source, until: blockedUntil.toISOString() } });
      }
    });
    throw new AppError(403, "wrong_password", "The current password is wrong");
  }
  await attempt.succeeded();
  const passwordHash = await hashPassword(change.newPassword);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable("users")
      .set({ password_hash: passwordHash, password_change_required: false, version: sql`version + 1` })
      .where("id", "=", actor.userId)
      .execute();
    await endSessions(trx, actor.userId, sessionToken);
    await writeAudit(trx, { regionCode: region, actorId: actor.userId, action: "user.password_change", targetType: "user", targetId: actor.userId });
  });
  ctx.sessions.evictUser(actor.userId);
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
    .select(["users.id", "username", "display_name", "roles", "scope_code", "department_id", "disabled_at", "locked_at", "password_change_required"])
    .select(["sessions.last_seen_at", "sessions.expires_at"])
    .select(sql<Date>`now()`.as("now"))
    .where("token_hash", "=", tokenHash)
    .executeTakeFirst();
  if (!row) return null;
  if (sessionEnded(row, row.now, ctx.config.session.idleMinutes)) {
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

type SessionState = Pick<UserRow, "disabled_at" | "locked_at"> & { last_seen_at: Date; expires_at: Date };

/** A session has ended when its account is disabled or locked, it is past its absolute lifetime, or idle too long. */
function sessionEnded(row: SessionState, now: Date, idleMinutes: number): boolean {
  const idleLimit = row.last_seen_at.getTime() + idleMinutes * 60_000;
  return Boolean(row.disabled_at || row.locked_at || row.expires_at <= now || idleLimit <= now.getTime());
}

/**
 * The actors of the sessions (by token hash) and API keys (by key hash) that are still live, in
 * two queries whatever their number, without counting as activity: for connections that stay
 * open, such as event streams, to end when their credential does. A credential missing from the
 * answer has ended.
 */
export async function liveCredentials(
  ctx: Pick<AppContext, "db" | "config">,
  sessionHashes: readonly string[],
  apiKeyHashes: readonly string[],
): Promise<{ sessions: Map<string, Actor>; apiKeys: Map<string, Actor> }> {
  const sessions = new Map<string, Actor>();
  const apiKeys = new Map<string, Actor>();
  if (sessionHashes.length > 0) {
    const rows = await ctx.db
      .selectFrom("sessions")
      .innerJoin("users", "users.id", "sessions.user_id")
      .select(["users.id", "username", "display_name", "roles", "scope_code", "department_id", "disabled_at", "locked_at", "password_change_required"])
      .select(["sessions.token_hash", "sessions.last_seen_at", "sessions.expires_at"])
      .select(sql<Date>`now()`.as("now"))
      .where("token_hash", "in", [...sessionHashes])
      .execute();
    for (const row of rows) {
      if (!sessionEnded(row, row.now, ctx.config.session.idleMinutes)) sessions.set(row.token_hash, actorFromUser(row));
    }
  }
  if (apiKeyHashes.length > 0) {
    const rows = await ctx.db
      .selectFrom("api_keys as k")
      .innerJoin("users", "users.id", "k.user_id")
      .select(["k.key_hash", "k.id as key_id", "k.name as key_name", "k.organisation", "k.scopes", "k.requests_per_minute"])
      .select(["users.id", "users.username", "users.display_name", "users.roles", "users.scope_code", "users.department_id", "users.password_change_required"])
      .where("k.key_hash", "in", [...apiKeyHashes])
      .where("k.revoked_at", "is", null)
      .where((eb) => eb.or([eb("k.expires_at", "is", null), eb("k.expires_at", ">", sql<Date>`now()`)]))
      .where("users.disabled_at", "is", null)
      .where("users.locked_at", "is", null)
      .execute();
    for (const row of rows) apiKeys.set(row.key_hash, { ...actorFromUser(row), apiKey: apiKeyOf(row, ctx.config.apiKeyRequestsPerMinute) });
  }
  return { sessions, apiKeys };
}

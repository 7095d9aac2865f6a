import { sql, type Kysely } from "kysely";
import type { AppContext } from "../../context.ts";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../errors.ts";

/** Failed sign-ins of one account name from one source address. */
export type ThrottleState = { failures: number; lastFailedAt: Date; blockedUntil: Date | null };
export type ThrottleLimits = { maxFailures: number; lockoutMinutes: number };

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const LONGEST_BLOCK = 24 * 60 * MINUTE;
// From this many failures on, a source's attempts are counted before their passwords are checked.
const PRECOUNT_FROM = 2;
// A source that has not failed for a day starts again from nothing.
const FORGET_AFTER = 24 * 60 * MINUTE;

/**
 * When the next attempt may be made, or null if now. After a first mistake, none; then 1, 2, 4 …
 * seconds; the maxFailures-th failure blocks the source for lockoutMinutes, each later block twice
 * as long as the one before (at most a day). Only this source is held back: the same account from
 * another address signs in as usual.
 */
export function nextAttemptAt(state: ThrottleState | undefined, now: Date, limits: ThrottleLimits): Date | null {
  if (!state || isForgotten(state, now)) return null;
  if (state.blockedUntil && state.blockedUntil > now) return state.blockedUntil;
  const sinceBlock = state.failures % limits.maxFailures;
  if (sinceBlock < 2) return null;
  const at = new Date(state.lastFailedAt.getTime() + 2 ** (sinceBlock - 2) * SECOND);
  return at > now ? at : null;
}

/** The state after one more failure at `now`. */
export function afterFailure(state: ThrottleState | undefined, now: Date, limits: ThrottleLimits): ThrottleState {
  const failures = (state && !isForgotten(state, now) ? state.failures : 0) + 1;
  const blocks = failures / limits.maxFailures;
  const blockedUntil = Number.isInteger(blocks)
    ? new Date(now.getTime() + Math.min(limits.lockoutMinutes * MINUTE * 2 ** (blocks - 1), LONGEST_BLOCK))
    : (state?.blockedUntil ?? null);
  return { failures, lastFailedAt: now, blockedUntil };
}

function isForgotten(state: ThrottleState, now: Date): boolean {
  const quietSince = Math.max(state.lastFailedAt.getTime(), state.blockedUntil?.getTime() ?? 0);
  return now.getTime() - quietSince > FORGET_AFTER;
}

/** What a throttled caller is told: when to try again, in seconds (Retry-After) and as a time. */
export function throttled(until: Date, now: Date): AppError {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / SECOND));
  const wait = seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
  return new AppError(429, "login_throttled", `Too many failed sign-ins to this account from your address: try again in ${wait}, after ${until.toISOString()}`, {
    retryAfter: seconds,
    retryAt: until.toISOString(),
  });
}

export type Attempt = {
  /** Records the failure (when not counted already); the end of a block it started, if it did. */
  failed(): Promise<Date | null>;
  /** Forgets the source's failures: the password was right. */
  succeeded(): Promise<void>;
};

type Outcome = { refused: AppError } | { counted: boolean; blockedUntil: Date | null };

/**
 * Takes one attempt for an account name from a source, before the password is checked: refuses
 * with 429 `login_throttled` while the source must wait. A source that has failed twice or more
 * has this attempt counted as failed at once, so that its parallel guesses are counted too; a
 * clean source, or one that mistyped once (a person signing in, however many times at once), has
 * it counted only if it fails. The state is
 * in the database, shared by every server process; names that match no account are counted
 * alike, so the answers do not tell which accounts exist.
 */
export async function takeAttempt(ctx: AppContext, username: string, source: string): Promise<Attempt> {
  const limits = ctx.config.login;
  // "take": refuse while the source must wait, count only a source seen failing; "record": count.
  const count = (mode: "take" | "record") =>
    ctx.db.transaction().execute(async (trx): Promise<Outcome> => {
      const now = (await sql<{ now: Date }>`select now() as now`.execute(trx)).rows[0].now;
      const row = await trx
        .selectFrom("login_throttles")
        .select(["failures", "last_failed_at", "blocked_until"])
        .where("username", "=", username)
        .where("source", "=", source)
        .forUpdate()
        .executeTakeFirst();
      const state = row && { failures: row.failures, lastFailedAt: row.last_failed_at, blockedUntil: row.blocked_until };
      if (mode === "take") {
        const wait = nextAttemptAt(state, now, limits);
        if (wait) return { refused: throttled(wait, now) };
        if (!state || isForgotten(state, now) || state.failures < PRECOUNT_FROM) return { counted: false, blockedUntil: null };
      }
      const next = afterFailure(state, now, limits);
      const values = { failures: next.failures, last_failed_at: next.lastFailedAt, blocked_until: next.blockedUntil };
      await trx
        .insertInto("login_throttles")
        .values({ username, source, ...values })
        .onConflict((conflict) => conflict.columns(["username", "source"]).doUpdateSet(values))
        .execute();
      if (!row) {
        // Rows of sources long quiet are of no more use; the index on last_failed_at finds them.
        await trx.deleteFrom("login_throttles").where("last_failed_at", "<", new Date(now.getTime() - FORGET_AFTER - LONGEST_BLOCK)).execute();
      }
      return { counted: true, blockedUntil: next.failures % limits.maxFailures === 0 ? next.blockedUntil : null };
    });
  const taken = await count("take");
  if ("refused" in taken) throw taken.refused;
  return {
    async failed() {
      if (taken.counted) return taken.blockedUntil;
      const late = await count("record");
      return "refused" in late ? null : late.blockedUntil;
    },
    async succeeded() {
      await ctx.db.deleteFrom("login_throttles").where("username", "=", username).where("source", "=", source).execute();
    },
  };
}

/** Forgets every source's failures for an account name (an administrator's unlock). */
export async function forgetFailures(db: Kysely<DB>, username: string): Promise<void> {
  await db.deleteFrom("login_throttles").where("username", "=", username).execute();
}

import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { IDEMPOTENCY_TTL_HOURS, type IdempotencySecrets } from "./idempotency.ts";

const EXPIRES_AT = sql<Date>`now() + make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`;

/**
 * Claims a key inside the caller's transaction: true when this request is the first (or the key's
 * row has expired and is taken over). Concurrent claims of one key wait here for the first to commit.
 */
export async function claimIdempotencyKey(db: Kysely<DB>, secrets: IdempotencySecrets, mac: Buffer): Promise<boolean> {
  const claimed = await db
    .insertInto("idempotency_keys")
    .values({ key_hash: secrets.keyHash, request_mac: mac, status_code: 0, response: Buffer.alloc(0), expires_at: EXPIRES_AT })
    .onConflict((conflict) =>
      conflict
        .column("key_hash")
        .doUpdateSet({
          request_mac: (eb) => eb.ref("excluded.request_mac"),
          status_code: 0,
          response: (eb) => eb.ref("excluded.response"),
          created_at: sql<Date>`now()`,
          expires_at: (eb) => eb.ref("excluded.expires_at"),
        })
        .where("idempotency_keys.expires_at", "<=", sql<Date>`now()`),
    )
    .returning("key_hash")
    .executeTakeFirst();
  return claimed !== undefined;
}

/** The live row of a key claimed before: the request's MAC and the sealed answer. */
export function findIdempotencyKey(db: Kysely<DB>, secrets: IdempotencySecrets) {
  return db
    .selectFrom("idempotency_keys")
    .select(["request_mac", "status_code", "response"])
    .where("key_hash", "=", secrets.keyHash)
    .where("expires_at", ">", sql<Date>`now()`)
    .executeTakeFirst();
}

/** Stores the sealed first answer of a claimed key, in the transaction that claimed it. */
export async function storeIdempotentAnswer(db: Kysely<DB>, secrets: IdempotencySecrets, statusCode: number, sealed: Buffer): Promise<void> {
  await db.updateTable("idempotency_keys").set({ status_code: statusCode, response: sealed }).where("key_hash", "=", secrets.keyHash).execute();
}

/** Deletes the rows past their expiry (they no longer answer anyway); returns how many. */
export async function purgeExpiredIdempotencyKeys(db: Kysely<DB>): Promise<number> {
  const result = await db.deleteFrom("idempotency_keys").where("expires_at", "<=", sql<Date>`now()`).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Gives up a claimed key whose request failed before it had an answer, so that a retry runs it again. */
export async function releaseIdempotencyKey(db: Kysely<DB>, secrets: IdempotencySecrets): Promise<void> {
  await db.deleteFrom("idempotency_keys").where("key_hash", "=", secrets.keyHash).where("status_code", "=", 0).execute();
}

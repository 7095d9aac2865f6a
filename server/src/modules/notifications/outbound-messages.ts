import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { maskPhone } from "../people/people.presenters.ts";
import { departmentDutyPhone } from "./notifications.repository.ts";
import type { MessageChannel } from "./sms-channel.ts";

/** Attempts before a message is given up (status `failed`). */
export const MAX_ATTEMPTS = 6;
/** How long a claimed message is left to its sender before another may take it. */
const CLAIM_MS = 60_000;
const BATCH = 20;

/** The wait after the n-th failed attempt: 30 s, 1 min, 2 min, 4 min … at most an hour. */
export function retryDelayMs(attempt: number): number {
  return Math.min(30_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
}

type Claimed = { id: string; recipient: "department_duty" | "reporter"; region_code: string; case_id: string; department_id: string | null; text: string; attempts: number };

/** The phone a message goes to, read now: the department's duty phone, or the reporter's. */
async function phoneOf(db: Kysely<DB>, message: Claimed): Promise<string | null> {
  if (message.recipient === "department_duty") return message.department_id ? departmentDutyPhone(db, message.department_id) : null;
  const row = await db.selectFrom("cases").select("reporter_phone").where("region_code", "=", message.region_code).where("id", "=", message.case_id).executeTakeFirst();
  return row?.reporter_phone || null;
}

export type SendCounts = { sent: number; failed: number; skipped: number };

/**
 * Sends the messages that are due, a batch at a time. Each is claimed first (its next attempt moved
 * a minute on, in a short transaction that skips rows another sender holds), so two servers never
 * send one at once; then sent, and the attempt logged with the phone masked. A failure is tried
 * again after `retryDelayMs`, up to MAX_ATTEMPTS; a message with no phone to go to is `skipped`.
 */
export async function sendDueMessages(db: Kysely<DB>, channel: MessageChannel, now = new Date()): Promise<SendCounts> {
  const counts: SendCounts = { sent: 0, failed: 0, skipped: 0 };
  for (;;) {
    const claimed: Claimed[] = await db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom("outbound_messages")
        .select("id")
        .where("status", "=", "pending")
        .where("next_attempt_at", "<=", now)
        .orderBy("next_attempt_at")
        .limit(BATCH)
        .forUpdate()
        .skipLocked()
        .execute();
      if (due.length === 0) return [];
      return trx
        .updateTable("outbound_messages")
        .set({ next_attempt_at: new Date(now.getTime() + CLAIM_MS) })
        .where("id", "in", due.map((row) => row.id))
        .returning(["id", "recipient", "region_code", "case_id", "department_id", "text", "attempts"])
        .execute();
    });
    if (claimed.length === 0) return counts;
    for (const message of claimed) {
      const phone = await phoneOf(db, message);
      if (!phone) {
        await db.updateTable("outbound_messages").set({ status: "skipped" }).where("id", "=", message.id).execute();
        counts.skipped++;
        continue;
      }
      const attempt = message.attempts + 1;
      let error: string | null = null;
      try {
        await channel.send(phone, message.text);
      } catch (failure) {
        error = (failure instanceof Error ? failure.message : String(failure)).slice(0, 500);
      }
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto("outbound_message_attempts")
          .values({ message_id: message.id, attempt, channel: channel.name, phone_masked: maskPhone(phone), status: error === null ? "sent" : "failed", error })
          .execute();
        await trx
          .updateTable("outbound_messages")
          .set(
            error === null
              ? { status: "sent", attempts: attempt, sent_at: sql<Date>`now()` }
              : { status: attempt >= MAX_ATTEMPTS ? "failed" : "pending", attempts: attempt, next_attempt_at: new Date(now.getTime() + retryDelayMs(attempt)) },
          )
          .where("id", "=", message.id)
          .execute();
      });
      if (error === null) counts.sent++;
      else counts.failed++;
    }
  }
}

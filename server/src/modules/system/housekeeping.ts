import type { AppContext } from "../../context.ts";
import { purgeUnattachedUploads } from "../attachments/attachments.service.ts";
import { purgeExpiredIdempotencyKeys } from "../cases/idempotency.repository.ts";
import { purgeEventLog } from "../events/event-log.repository.ts";
import { purgeWebhookHistory } from "../webhooks/webhooks.repository.ts";

/**
 * Hours the case event log keeps its entries: a client that was away for a day still resumes
 * (GET /api/v1/events with Last-Event-ID), with an hour to spare for the purge's period.
 */
export const EVENT_LOG_HOURS = 25;
/** Days the webhook delivery log and acknowledged deliveries are kept. */
export const WEBHOOK_HISTORY_DAYS = 30;

/**
 * Deletes what has outlived its use: uploads never attached to a case, expired idempotency keys
 * case event log entries older than EVENT_LOG_HOURS, and webhook history older than WEBHOOK_HISTORY_DAYS. Each purge is safe if two processes run
 * it at once.
 */
export async function purgeExpired(ctx: AppContext): Promise<{ uploads: number; idempotencyKeys: number; eventLogEntries: number; webhookHistory: number }> {
  return {
    uploads: await purgeUnattachedUploads(ctx),
    idempotencyKeys: await purgeExpiredIdempotencyKeys(ctx.db),
    eventLogEntries: await purgeEventLog(ctx.db, EVENT_LOG_HOURS),
    webhookHistory: await purgeWebhookHistory(ctx.db, WEBHOOK_HISTORY_DAYS),
  };
}

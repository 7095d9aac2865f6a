import crypto from "node:crypto";
import { sql } from "kysely";
import type { AppContext } from "../../context.ts";
import { AppError, badRequest, forbidden, notFound } from "../../errors.ts";
import { allowedNetworks, OutboundError, outboundUrl, resolveOutbound } from "../../http/outbound.ts";
import { requirePermission, type Actor } from "../auth/actor.ts";
import { regionOf, writeAudit } from "../audit/audit.repository.ts";
import { ACTIONS } from "../cases/workflow.ts";
import { newSecret } from "./webhook-signature.ts";
import { enqueueReplay, findDeliveries, findSubscriptions, type SubscriptionRow } from "./webhooks.repository.ts";

/** The event kinds a subscription chooses from: the report and every action of the workflow, on-the-spot closure included. */
export const EVENT_KINDS = ["report", ...ACTIONS, "handle_on_spot", "close_on_spot"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export function presentSubscription(row: SubscriptionRow) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    regionCode: row.region_code,
    scope: { code: row.scope_code, name: row.scope_name ?? row.scope_code },
    kinds: row.kinds as EventKind[] | null,
    personalData: row.personal_data,
    enabled: row.active,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at?.toISOString() ?? null,
    createdBy: { id: row.created_by, name: row.created_by_name ?? "" },
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    pending: Number(row.pending),
    lastDeliveredAt: row.last_delivered_at ? new Date(row.last_delivered_at).toISOString() : null,
  };
}

/** Subscriptions are read and changed by webhook.write, under the actor's scope. */
function requireReader(actor: Actor): string {
  requirePermission(actor, "webhook.write");
  if (actor.scopeCode === null) throw forbidden("webhook.write");
  return actor.scopeCode;
}

/**
 * A URL a subscription may post to: http(s), no credentials, and a host whose addresses all pass the
 * outbound guard now (they are checked again at every delivery).
 */
async function checkedUrl(ctx: AppContext, raw: string): Promise<string> {
  try {
    const url = outboundUrl(raw);
    await resolveOutbound(url, allowedNetworks(ctx.config.outboundAllowedNetworks));
    return url.toString();
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error;
    const code = error.code === "outbound_address_refused" ? "webhook_url_refused" : error.code === "outbound_unresolvable" ? "webhook_url_unresolvable" : "webhook_url_invalid";
    throw new AppError(422, code, error.message, { reason: error.code });
  }
}

function checkedKinds(kinds: readonly string[] | null | undefined): string[] | null {
  if (kinds === null || kinds === undefined) return null;
  const unknown = kinds.filter((kind) => !(EVENT_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0) throw badRequest("unknown_event_kind", `Unknown event kinds: ${unknown.join(", ")}`, { unknown });
  if (kinds.length === 0) throw badRequest("no_event_kind", "Choose at least one event kind, or leave kinds out for all of them");
  return [...new Set(kinds)];
}

function requirePersonalDataGrant(actor: Actor): void {
  if (!actor.permissions.has("webhook.personal_data")) {
    throw new AppError(403, "personal_data_not_permitted", "Only the security administrator (webhook.personal_data) grants a subscription personal data");
  }
}

async function subscriptionInScope(ctx: AppContext, actor: Actor, id: string): Promise<SubscriptionRow> {
  const [row] = await findSubscriptions(ctx.db, requireReader(actor), id);
  if (!row) throw notFound("webhook_not_found", "No such webhook subscription in your scope");
  return row;
}

export async function listSubscriptions(ctx: AppContext, actor: Actor) {
  return (await findSubscriptions(ctx.db, requireReader(actor))).map(presentSubscription);
}

export async function getSubscription(ctx: AppContext, actor: Actor, id: string) {
  return presentSubscription(await subscriptionInScope(ctx, actor, id));
}

export type NewSubscription = { url: string; description?: string; scopeCode?: string; kinds?: string[] | null; personalData?: boolean };

/** Makes a subscription in the actor's scope (their own scope unless a division under it is named); the secret is in this answer only. */
export async function createSubscription(ctx: AppContext, actor: Actor, input: NewSubscription) {
  requirePermission(actor, "webhook.write");
  const scopeCode = input.scopeCode ?? actor.scopeCode;
  if (scopeCode === null || actor.scopeCode === null || !scopeCode.startsWith(actor.scopeCode)) throw notFound("division_not_found", "No such division in your scope");
  const division = await ctx.db.selectFrom("divisions").select(["code", "level"]).where("code", "=", scopeCode).executeTakeFirst();
  // A subscription follows one region's log: the region itself or a street, community or grid in it.
  if (!division || scopeCode.length < 6) throw notFound("division_not_found", "Choose a district, street, community or grid in your scope");
  if (input.personalData) requirePersonalDataGrant(actor);
  const kinds = checkedKinds(input.kinds);
  const url = await checkedUrl(ctx, input.url);
  const id = crypto.randomUUID();
  const secret = newSecret();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto("webhook_subscriptions")
      .values({
        id,
        region_code: regionOf(scopeCode),
        scope_code: scopeCode,
        url,
        description: input.description ?? "",
        kinds,
        personal_data: input.personalData ?? false,
        secret,
        created_by: actor.userId,
      })
      .execute();
    await writeAudit(trx, {
      regionCode: regionOf(scopeCode),
      actorId: actor.userId,
      action: "webhook.create",
      targetType: "webhook",
      targetId: id,
      details: { url, scope: scopeCode, kinds, personalData: input.personalData ?? false },
    });
  });
  await ctx.webhooks.followNewRegion();
  return { subscription: await getSubscription(ctx, actor, id), secret };
}

export type SubscriptionChanges = {
  url?: string;
  description?: string;
  kinds?: string[] | null;
  personalData?: boolean;
  enabled?: boolean;
  rotateSecret?: boolean;
};

/**
 * Changes a subscription (webhook.write); granting personal data needs webhook.personal_data. Enabling resumes
 * its queue at once, from the oldest undelivered event; a rotated secret is in this answer only.
 */
export async function updateSubscription(ctx: AppContext, actor: Actor, id: string, changes: SubscriptionChanges) {
  const current = await subscriptionInScope(ctx, actor, id);
  if (changes.personalData === true && !current.personal_data) requirePersonalDataGrant(actor);
  const kinds = changes.kinds === undefined ? undefined : checkedKinds(changes.kinds);
  const url = changes.url === undefined ? undefined : await checkedUrl(ctx, changes.url);
  const secret = changes.rotateSecret ? newSecret() : undefined;
  const enabling = changes.enabled === true && !current.active;
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .updateTable("webhook_subscriptions")
      .set({
        ...(url !== undefined ? { url } : {}),
        ...(changes.description !== undefined ? { description: changes.description } : {}),
        ...(kinds !== undefined ? { kinds } : {}),
        ...(changes.personalData !== undefined ? { personal_data: changes.personalData } : {}),
        ...(secret !== undefined ? { secret } : {}),
        ...(changes.enabled === true ? { active: true, disabled_reason: null, disabled_at: null } : {}),
        ...(changes.enabled === false && current.active ? { active: false, disabled_reason: "manual" as const, disabled_at: sql<Date>`now()` } : {}),
        updated_at: sql<Date>`now()`,
      })
      .where("id", "=", id)
      .execute();
    if (enabling) {
      // A fresh start: the day of failures that disabled it counts no more, and the queue is due now.
      await trx.updateTable("webhook_outbox").set({ failing_since: null, next_attempt_at: sql<Date>`'-infinity'` }).where("subscription_id", "=", id).where("status", "=", "pending").execute();
    }
    await writeAudit(trx, {
      regionCode: current.region_code,
      actorId: actor.userId,
      action: "webhook.update",
      targetType: "webhook",
      targetId: id,
      details: {
        ...(url !== undefined ? { url } : {}),
        ...(kinds !== undefined ? { kinds } : {}),
        ...(changes.personalData !== undefined ? { personalData: changes.personalData } : {}),
        ...(changes.enabled !== undefined ? { enabled: changes.enabled } : {}),
        ...(secret !== undefined ? { secretRotated: true } : {}),
      },
    });
  });
  if (enabling) {
    await ctx.webhooks.followNewRegion();
    ctx.webhooks.wake();
  }
  return { subscription: await getSubscription(ctx, actor, id), ...(secret !== undefined ? { secret } : {}) };
}

export async function deleteSubscription(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, "webhook.write");
  const current = await subscriptionInScope(ctx, actor, id);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom("webhook_subscriptions").where("id", "=", id).execute();
    await writeAudit(trx, { regionCode: current.region_code, actorId: actor.userId, action: "webhook.delete", targetType: "webhook", targetId: id, details: { url: current.url } });
  });
}

export async function listDeliveries(ctx: AppContext, actor: Actor, id: string, query: { limit?: number; cursor?: string }) {
  await subscriptionInScope(ctx, actor, id);
  const limit = query.limit ?? 50;
  const before = query.cursor === undefined ? undefined : Number(query.cursor);
  if (before !== undefined && !Number.isSafeInteger(before)) throw badRequest("invalid_cursor", "The cursor is not one this API gave");
  const rows = await findDeliveries(ctx.db, id, limit + 1, before);
  const page = rows.slice(0, limit);
  return {
    deliveries: page.map((row) => ({
      eventId: row.event_id,
      caseNumber: row.case_number,
      kind: row.kind,
      attempt: row.attempt,
      at: row.at.toISOString(),
      outcome: row.outcome,
      statusCode: row.status_code,
      latencyMs: row.latency_ms,
      errorCode: row.error_code,
    })),
    nextCursor: rows.length > limit ? String(page[page.length - 1].id) : null,
  };
}

/** Queues the subscription's events again from `from`, with their own event ids (receivers deduplicate by them). */
export async function replaySubscription(ctx: AppContext, actor: Actor, id: string, input: { from: string; to?: string }) {
  requirePermission(actor, "webhook.write");
  await subscriptionInScope(ctx, actor, id);
  return replay(ctx, id, new Date(input.from), input.to === undefined ? null : new Date(input.to), actor.userId);
}

/** The replay itself, audited; `actorId` null when the operator runs `gridgov webhooks replay` on the server. */
export async function replay(ctx: AppContext, id: string, from: Date, to: Date | null, actorId: string | null) {
  if (to !== null && to < from) throw badRequest("invalid_period", "`to` is before `from`");
  const enqueued = await ctx.db.transaction().execute(async (trx) => {
    const subscription = await trx.selectFrom("webhook_subscriptions").select("region_code").where("id", "=", id).executeTakeFirst();
    if (!subscription) throw notFound("webhook_not_found", "No such webhook subscription");
    const count = await enqueueReplay(trx, id, from, to);
    await writeAudit(trx, {
      regionCode: subscription.region_code,
      actorId,
      action: "webhook.replay",
      targetType: "webhook",
      targetId: id,
      details: { from: from.toISOString(), to: to?.toISOString() ?? null, enqueued: count },
    });
    return count;
  });
  ctx.webhooks.wake();
  return { enqueued };
}

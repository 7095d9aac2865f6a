import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

/** A subscription as the API shows it (never its secret), with its queue's figures. */
export type SubscriptionRow = {
  id: string;
  region_code: string;
  scope_code: string;
  scope_name: string | null;
  url: string;
  description: string;
  kinds: string[] | null;
  personal_data: boolean;
  active: boolean;
  disabled_reason: "manual" | "failing" | null;
  disabled_at: Date | null;
  created_by: string;
  created_by_name: string | null;
  created_at: Date;
  updated_at: Date;
  pending: number;
  last_delivered_at: Date | null;
};

/** Subscriptions whose scope lies under `scopePrefix` (the reader's scope), newest first; one when `id` is given. */
export async function findSubscriptions(db: Kysely<DB>, scopePrefix: string, id?: string): Promise<SubscriptionRow[]> {
  return db
    .selectFrom("webhook_subscriptions as s")
    .leftJoin("divisions as d", "d.code", "s.scope_code")
    .leftJoin("users as u", "u.id", "s.created_by")
    .select([
      "s.id",
      "s.region_code",
      "s.scope_code",
      "d.name as scope_name",
      "s.url",
      "s.description",
      "s.kinds",
      "s.personal_data",
      "s.active",
      "s.disabled_reason",
      "s.disabled_at",
      "s.created_by",
      "u.display_name as created_by_name",
      "s.created_at",
      "s.updated_at",
      sql<number>`(select count(*) from webhook_outbox as o where o.subscription_id = s.id and o.status = 'pending')::int`.as("pending"),
      sql<Date | null>`(select max(o.delivered_at) from webhook_outbox as o where o.subscription_id = s.id and o.status = 'delivered')`.as("last_delivered_at"),
    ])
    .where(sql<boolean>`s.scope_code like ${`${scopePrefix}%`}`)
    .$if(id !== undefined, (query) => query.where("s.id", "=", id as string))
    .orderBy("s.created_at", "desc")
    .execute();
}

/** What a worker delivers: a claimed outbox row with its subscription's address and secret. */
export type ClaimedDelivery = {
  id: number;
  subscription_id: string;
  event_id: string;
  case_id: string;
  region_code: string;
  attempts: number;
  failing_since: Date | null;
  url: string;
  secret: string;
  personal_data: boolean;
};

/**
 * Claims up to `limit` due deliveries of active subscriptions until `until`, each the undelivered
 * event of its case for its subscription with the lowest log position (a case's later events wait
 * for it, replayed ones included), skipping rows another worker is claiming at this moment. One
 * statement, so the claim commits at once.
 */
export async function claimDue(db: Kysely<DB>, now: Date, until: Date, limit: number): Promise<ClaimedDelivery[]> {
  const result = await sql<ClaimedDelivery>`
    with due as (
      select o.id from webhook_outbox as o
      join webhook_subscriptions as s on s.id = o.subscription_id and s.active
      where o.status = 'pending' and o.next_attempt_at <= ${now}
        and (o.claimed_until is null or o.claimed_until < ${now})
        and not exists (
          select 1 from webhook_outbox as earlier
          where earlier.subscription_id = o.subscription_id and earlier.case_id = o.case_id
            and earlier.status = 'pending' and (earlier.position, earlier.id) < (o.position, o.id))
      order by o.id
      limit ${limit}
      for update of o skip locked
    ), claimed as (
      update webhook_outbox as o set claimed_until = ${until}, attempts = o.attempts + 1
      from due where o.id = due.id
      returning o.id, o.subscription_id, o.event_id, o.case_id, o.region_code, o.attempts, o.failing_since
    )
    select claimed.*, s.url, s.secret, s.personal_data
    from claimed join webhook_subscriptions as s on s.id = claimed.subscription_id
    order by claimed.id`.execute(db);
  return result.rows.map((row) => ({ ...row, id: Number(row.id) }));
}

/** The event and case facts a payload is built from, for a batch of deliveries. */
export async function payloadFacts(db: Kysely<DB>, deliveries: readonly ClaimedDelivery[]) {
  const eventIds = [...new Set(deliveries.map((delivery) => delivery.event_id))];
  const caseIds = [...new Set(deliveries.map((delivery) => delivery.case_id))];
  // Both tables are keyed by region first.
  const regions = [...new Set(deliveries.map((delivery) => delivery.region_code))];
  const [events, cases] = await Promise.all([
    db
      .selectFrom("case_events")
      .select(["id", "case_id", "at", "action", "from_status", "to_status", "level", "note", "public_note"])
      .where("region_code", "in", regions)
      .where("id", "in", eventIds)
      .execute(),
    db
      .selectFrom("cases")
      .select([
        "id",
        "region_code",
        "number",
        "status",
        "level",
        "source",
        "category_code",
        "department_code",
        "urgency",
        "title",
        "description",
        "lat",
        "lng",
        "street_code",
        "community_code",
        "grid_code",
        "building_code",
        "handle_by",
        "created_at",
        "updated_at",
        "closed_at",
        "reporter_name",
        "reporter_phone",
      ])
      .where("region_code", "in", regions)
      .where("id", "in", caseIds)
      .execute(),
  ]);
  return { events: new Map(events.map((row) => [row.id, row])), cases: new Map(cases.map((row) => [row.id, row])) };
}

export type PayloadFacts = Awaited<ReturnType<typeof payloadFacts>>;

export type AttemptOutcome = {
  delivery: ClaimedDelivery;
  caseNumber: string;
  kind: string;
  at: Date;
  statusCode: number | null;
  latencyMs: number;
  errorCode: string | null;
  /** delivered; retry at `nextAttemptAt`; or disabled: the subscription failed for a day. */
  outcome: "delivered" | "retry" | "disabled";
  nextAttemptAt?: Date;
};

/** Writes a batch's outcomes: the outbox rows, the delivery log; in one transaction. */
export async function recordOutcomes(db: Kysely<DB>, outcomes: readonly AttemptOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await db.transaction().execute(async (trx) => {
    const delivered = outcomes.filter((outcome) => outcome.outcome === "delivered");
    if (delivered.length > 0) {
      await trx
        .updateTable("webhook_outbox")
        .set({ status: "delivered", delivered_at: sql<Date>`now()`, claimed_until: null, failing_since: null })
        .where("id", "in", delivered.map((outcome) => outcome.delivery.id))
        .execute();
    }
    for (const outcome of outcomes) {
      if (outcome.outcome === "delivered") continue;
      await trx
        .updateTable("webhook_outbox")
        .set({
          claimed_until: null,
          next_attempt_at: outcome.nextAttemptAt ?? outcome.at,
          failing_since: outcome.delivery.failing_since ?? outcome.at,
        })
        .where("id", "=", outcome.delivery.id)
        .execute();
    }
    await trx
      .insertInto("webhook_deliveries")
      .values(
        outcomes.map((outcome) => ({
          subscription_id: outcome.delivery.subscription_id,
          event_id: outcome.delivery.event_id,
          case_number: outcome.caseNumber,
          kind: outcome.kind,
          attempt: outcome.delivery.attempts,
          at: outcome.at,
          outcome: outcome.outcome,
          status_code: outcome.statusCode,
          latency_ms: outcome.latencyMs,
          error_code: outcome.errorCode,
        })),
      )
      .execute();
  });
}

/**
 * Disables a subscription that has failed for a day (when it is still active: of two workers, one
 * does it) and answers whether this call did.
 */
export async function disableFailing(db: Kysely<DB>, subscriptionId: string): Promise<{ region_code: string; scope_code: string; url: string; created_by: string } | undefined> {
  return db
    .updateTable("webhook_subscriptions")
    .set({ active: false, disabled_reason: "failing", disabled_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .where("id", "=", subscriptionId)
    .where("active", "=", true)
    .returning(["region_code", "scope_code", "url", "created_by"])
    .executeTakeFirst();
}

/** The active system administrators whose scope covers a division, and the subscription's maker. */
export async function administratorsOf(db: Kysely<DB>, scopeCode: string, createdBy: string): Promise<string[]> {
  const rows = await db
    .selectFrom("users")
    .select("id")
    .where("disabled_at", "is", null)
    .where((eb) =>
      eb.or([
        eb.and([sql<boolean>`'admin' = any(roles)`, sql<boolean>`${scopeCode} like scope_code || '%'`]),
        eb("id", "=", createdBy),
      ]),
    )
    .execute();
  return rows.map((row) => row.id);
}

/** Attempts of a subscription, newest first, before the attempt id `before`. */
export async function findDeliveries(db: Kysely<DB>, subscriptionId: string, limit: number, before?: number) {
  return db
    .selectFrom("webhook_deliveries")
    .selectAll()
    .where("subscription_id", "=", subscriptionId)
    .$if(before !== undefined, (query) => query.where("id", "<", before as number))
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

/**
 * Queues the subscription's matching events again, from `from` (and up to `to`), in the order they
 * happened, with their own event ids and log positions, so that each goes out before its case's
 * later events still pending (0 for an event the log no longer keeps: older than any it keeps); an
 * event still undelivered is not queued twice.
 */
export async function enqueueReplay(db: Kysely<DB>, subscriptionId: string, from: Date, to: Date | null): Promise<number> {
  const result = await sql<{ id: number }>`
    insert into webhook_outbox (subscription_id, event_id, case_id, region_code, position)
    select s.id, e.id, e.case_id, e.region_code, coalesce(l.position, 0)
    from webhook_subscriptions as s
    join case_events as e on e.region_code = s.region_code
    join cases as c on c.region_code = e.region_code and c.id = e.case_id
    left join case_event_log as l on l.region_code = e.region_code and l.event_id = e.id
    where s.id = ${subscriptionId} and e.at >= ${from} ${to ? sql`and e.at <= ${to}` : sql``}
      and (s.kinds is null or e.action = any (s.kinds))
      and s.scope_code in (c.region_code, c.street_code, c.community_code, c.grid_code)
    order by e.at, e.id
    on conflict (subscription_id, event_id) where status = 'pending' do nothing
    returning id`.execute(db);
  return result.rows.length;
}

/** Deletes delivered outbox rows and attempts older than `days`. */
export async function purgeWebhookHistory(db: Kysely<DB>, days: number): Promise<number> {
  const outbox = await db
    .deleteFrom("webhook_outbox")
    .where("status", "=", "delivered")
    .where("delivered_at", "<", sql<Date>`now() - make_interval(days => ${days})`)
    .executeTakeFirst();
  const attempts = await db.deleteFrom("webhook_deliveries").where("at", "<", sql<Date>`now() - make_interval(days => ${days})`).executeTakeFirst();
  return Number(outbox.numDeletedRows) + Number(attempts.numDeletedRows);
}

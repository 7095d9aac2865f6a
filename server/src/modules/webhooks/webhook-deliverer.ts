import type { Kysely } from "kysely";
import type { BlockList } from "node:net";
import type { DB } from "../../db/schema.ts";
import { allowedNetworks, OutboundError, outboundRequest } from "../../http/outbound.ts";
import type { LogReader } from "../events/case-event-hub.ts";
import type { CaseEventHub } from "../events/case-event-hub.ts";
import { writeAudit } from "../audit/audit.repository.ts";
import { insertNotifications } from "../notifications/notifications.repository.ts";
import { GIVE_UP_MS, retryDelayMs, signature } from "./webhook-signature.ts";
import {
  administratorsOf,
  claimDue,
  disableFailing,
  payloadFacts,
  recordOutcomes,
  type AttemptOutcome,
  type ClaimedDelivery,
  type PayloadFacts,
} from "./webhooks.repository.ts";

declare module "../../context.ts" {
  interface AppParts {
    webhooks: WebhookDeliverer;
  }
}

/** Deliveries claimed per query; they are sent at once, each to its own connection. */
const BATCH = 100;
/**
 * Batches in flight at once in a process: while one waits for its receivers, another claims or
 * records, so the database and the network overlap.
 */
const LANES = 3;
/** The safety net and the retry clock: due deliveries are looked for this often even without a wake-up. */
const POLL_MS = 1_000;
/** A receiver's answer is read up to this size (it is only logged by its status). */
const MAX_ANSWER_BYTES = 64 * 1024;

type Log = { warn(o: object, m: string): void; error(o: object, m: string): void };

/** The JSON a receiver gets (docs/operations.md, "Webhooks"). */
export function payloadOf(delivery: ClaimedDelivery, facts: PayloadFacts) {
  const event = facts.events.get(delivery.event_id);
  const found = facts.cases.get(delivery.case_id);
  if (!event || !found) return null;
  return {
    id: event.id,
    kind: event.action,
    occurredAt: event.at.toISOString(),
    event: {
      fromStatus: event.from_status,
      toStatus: event.to_status,
      level: event.level,
      // Staff notes stay inside; a note meant for the reporter is public.
      publicNote: event.public_note ? event.note : null,
    },
    case: {
      id: found.id,
      number: found.number,
      regionCode: found.region_code,
      // What this event made them; the other fields are the case as it is when delivered.
      status: event.to_status,
      level: event.level,
      source: found.source,
      categoryCode: found.category_code,
      departmentCode: found.department_code,
      urgency: found.urgency,
      title: found.title,
      description: found.description,
      location: { lat: found.lat, lng: found.lng },
      streetCode: found.street_code,
      communityCode: found.community_code,
      gridCode: found.grid_code,
      buildingCode: found.building_code,
      handleBy: found.handle_by.toISOString(),
      createdAt: found.created_at.toISOString(),
      updatedAt: found.updated_at.toISOString(),
      closedAt: found.closed_at?.toISOString() ?? null,
      ...(delivery.personal_data ? { reporter: { name: found.reporter_name, phone: found.reporter_phone } } : {}),
    },
  };
}

/**
 * Delivers the webhook outbox, in every server process: claims due deliveries in batches (rows
 * another process claims are skipped), posts each through the outbound guard, and records what
 * came of it. It runs when a case event commits (it reads the region feeds of the case event hub,
 * which wake on PostgreSQL's NOTIFY) and every second for retries. A case's next event waits until
 * the earlier one is acknowledged; different cases go out together.
 */
export class WebhookDeliverer {
  /** The time deliveries are due by and retries are scheduled from; tests move it instead of waiting. */
  clock: () => Date = () => new Date();
  log: Log = { warn: () => {}, error: () => {} };
  private readonly allowed: BlockList;
  private running = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly readers = new Map<string, LogReader>();
  private stopped = true;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly hub: CaseEventHub,
    private readonly options: { allowedNetworks: readonly string[]; timeoutMs: number },
  ) {
    this.allowed = allowedNetworks(options.allowedNetworks);
  }

  /** Starts delivering: at once, after each commit in a region with subscriptions, and every second. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.followNewRegion();
    this.timer = setInterval(() => void this.followNewRegion().then(() => this.wake()), POLL_MS);
    this.timer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const [region, reader] of this.readers) this.hub.detach(region, reader);
    this.readers.clear();
    while (this.running) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** Delivers what is due now (and what falls due while it runs); concurrent calls join the run. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.run();
  }

  /** Delivers until nothing is due, in LANES concurrent batches: the whole of one pass, for tests and the benchmark. */
  async deliverDue(): Promise<number> {
    const lane = async () => {
      let total = 0;
      for (;;) {
        const sent = await this.deliverBatch();
        total += sent;
        if (sent === 0) return total;
      }
    };
    const totals = await Promise.all(Array.from({ length: LANES }, lane));
    return totals.reduce((sum, total) => sum + total, 0);
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      do {
        this.again = false;
        await this.deliverDue();
      } while (this.again && !this.stopped);
    } catch (error) {
      this.log.error({ err: error }, "webhook delivery failed");
    } finally {
      this.running = false;
    }
  }

  /** Attaches to the event feed of every region with an active subscription, so its commits wake this. */
  async followNewRegion(): Promise<void> {
    if (this.stopped) return;
    try {
      const regions = await this.db.selectFrom("webhook_subscriptions").select("region_code").distinct().where("active", "=", true).execute();
      for (const { region_code: region } of regions) {
        if (this.readers.has(region)) continue;
        const reader: LogReader = { deliver: () => this.wake() };
        this.readers.set(region, reader);
        await this.hub.attach(region, reader);
      }
    } catch (error) {
      this.log.warn({ err: error }, "webhook deliverer could not follow the event log");
    }
  }

  private async deliverBatch(): Promise<number> {
    const now = this.clock();
    // A claim outlives the longest attempt, so a live worker's rows are never taken from it.
    const until = new Date(now.getTime() + this.options.timeoutMs + 5_000);
    const claimed = await claimDue(this.db, now, until, BATCH);
    if (claimed.length === 0) return 0;
    const facts = await payloadFacts(this.db, claimed);
    const outcomes = await Promise.all(claimed.map((delivery) => this.attempt(delivery, facts)));
    await recordOutcomes(this.db, outcomes);
    for (const outcome of outcomes) if (outcome.outcome === "disabled") await this.giveUp(outcome);
    return claimed.length;
  }

  private async attempt(delivery: ClaimedDelivery, facts: PayloadFacts): Promise<AttemptOutcome> {
    const payload = payloadOf(delivery, facts);
    const found = facts.cases.get(delivery.case_id);
    const base = { delivery, caseNumber: found?.number ?? "", kind: facts.events.get(delivery.event_id)?.action ?? "" };
    const started = performance.now();
    let statusCode: number | null = null;
    let errorCode: string | null = null;
    if (payload === null) {
      // The event or case is gone (a purge of test data): nothing left to say, so it counts as done.
      return { ...base, at: this.clock(), statusCode, latencyMs: 0, errorCode: "event_gone", outcome: "delivered" };
    }
    const body = JSON.stringify(payload);
    const timestamp = String(Math.floor(this.clock().getTime() / 1000));
    try {
      const answer = await outboundRequest(
        {
          url: delivery.url,
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "gridgov-webhooks/1",
            "gridgov-event-id": payload.id,
            "gridgov-event-kind": payload.kind,
            "gridgov-timestamp": timestamp,
            "gridgov-signature": signature(delivery.secret, timestamp, body),
          },
          body,
          timeoutMs: this.options.timeoutMs,
          maxResponseBytes: MAX_ANSWER_BYTES,
        },
        this.allowed,
      );
      statusCode = answer.status;
      if (answer.status < 200 || answer.status >= 300) errorCode = `http_${answer.status}`;
    } catch (error) {
      errorCode = error instanceof OutboundError ? error.code : "outbound_failed";
    }
    const at = this.clock();
    const latencyMs = Math.round(performance.now() - started);
    if (errorCode === null) return { ...base, at, statusCode, latencyMs, errorCode, outcome: "delivered" };
    const failingSince = delivery.failing_since ?? at;
    if (at.getTime() - failingSince.getTime() >= GIVE_UP_MS) return { ...base, at, statusCode, latencyMs, errorCode, outcome: "disabled" };
    return { ...base, at, statusCode, latencyMs, errorCode, outcome: "retry", nextAttemptAt: new Date(at.getTime() + retryDelayMs(delivery.attempts)) };
  }

  /** Disables the subscription and tells the administrators over it (and its maker) in their notifications. */
  private async giveUp(outcome: AttemptOutcome): Promise<void> {
    const disabled = await this.db.transaction().execute(async (trx) => {
      const row = await disableFailing(trx, outcome.delivery.subscription_id);
      if (row) {
        await writeAudit(trx, {
          regionCode: row.region_code,
          actorId: null,
          action: "webhook.disable",
          targetType: "webhook",
          targetId: outcome.delivery.subscription_id,
          details: { reason: "failing", eventId: outcome.delivery.event_id, error: outcome.errorCode },
        });
      }
      return row;
    });
    if (!disabled) return;
    this.log.warn({ subscription: outcome.delivery.subscription_id, url: disabled.url, error: outcome.errorCode }, "webhook subscription disabled after failing for a day");
    const userIds = await administratorsOf(this.db, disabled.scope_code, disabled.created_by);
    const host = (() => {
      try {
        return new URL(disabled.url).host;
      } catch {
        return disabled.url;
      }
    })();
    await insertNotifications(this.db, {
      userIds,
      regionCode: disabled.region_code,
      caseId: outcome.delivery.case_id,
      eventId: outcome.delivery.event_id,
      number: outcome.caseNumber,
      title: host.slice(0, 30),
      kind: "webhook_disabled",
      at: outcome.at,
    });
  }
}

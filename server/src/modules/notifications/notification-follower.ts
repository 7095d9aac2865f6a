import { sql, type Kysely } from "kysely";
import { uuidv7 } from "../../ids.ts";
import type { DB } from "../../db/schema.ts";
import { readLog } from "../events/event-log.repository.ts";
import { asAssignment, notificationFor, outboundFor, shortTitle, type EventFacts } from "./notification-rules.ts";
import { insertNotifications, recipientUsers } from "./notifications.repository.ts";

declare module "../../context.ts" {
  interface AppParts {
    notifications: NotificationFollower;
  }
}

/** Log entries read per pass. */
const PAGE = 500;
/** The actions whose events may notify someone or send a message; the rest are skipped unread. */
const RELEVANT = new Set(["dispatch", "reassign", "escalate", "urge", "return", "verify_fail", "verify_pass"]);

export type PassCounts = { entries: number; notifications: number; messages: number };

/**
 * Derives notifications and outbound messages from a region's case event log, in position order,
 * from the position stored in `notification_cursors` (docs/decisions/0023). One pass reads a page
 * in one transaction that holds the cursor's row: what it writes and the new position commit
 * together, so a pass that dies writes nothing and the next reads the same entries again, and two
 * passes (two servers, or a read that catches up) never derive the same entries at once.
 */
export async function followRegion(db: Kysely<DB>, regionCode: string): Promise<PassCounts> {
  return db.transaction().execute(async (trx) => {
    await trx.insertInto("notification_cursors").values({ region_code: regionCode, position: 0 }).onConflict((c) => c.column("region_code").doNothing()).execute();
    const cursor = await trx.selectFrom("notification_cursors").select("position").where("region_code", "=", regionCode).forUpdate().executeTakeFirstOrThrow();
    const entries = await readLog(trx, regionCode, Number(cursor.position), Number.MAX_SAFE_INTEGER, PAGE);
    const counts: PassCounts = { entries: entries.length, notifications: 0, messages: 0 };
    if (entries.length === 0) return counts;
    const relevant = entries.filter((entry) => RELEVANT.has(entry.action));
    if (relevant.length > 0) {
      const events = new Map(
        (
          await trx
            .selectFrom("case_events")
            .select(["id", "actor_id", "details"])
            .where("region_code", "=", regionCode)
            .where("id", "in", relevant.map((entry) => entry.eventId))
            .execute()
        ).map((row) => [row.id, row]),
      );
      const cases = new Map(
        (
          await trx
            .selectFrom("cases")
            .leftJoin("categories", "categories.code", "cases.category_code")
            .select([
              "cases.id",
              "cases.title",
              "cases.assignment",
              "cases.urgency",
              sql<boolean>`coalesce(categories.emergency, false)`.as("emergency"),
              sql<boolean>`cases.reporter_phone is not null and cases.reporter_phone <> ''`.as("has_phone"),
            ])
            .where("cases.region_code", "=", regionCode)
            .where("cases.id", "in", [...new Set(relevant.map((entry) => entry.caseId))])
            .execute()
        ).map((row) => [row.id, row]),
      );
      for (const entry of relevant) {
        const event = events.get(entry.eventId);
        const found = cases.get(entry.caseId);
        if (!event || !found) continue;
        const facts: EventFacts = {
          action: entry.action,
          status: entry.status,
          level: entry.level as EventFacts["level"],
          regionCode,
          streetCode: entry.streetCode,
          communityCode: entry.communityCode,
          details: event.details ?? {},
          assignment: asAssignment(found.assignment),
          urgency: found.urgency,
          categoryEmergency: found.emergency,
          hasReporterPhone: found.has_phone,
        };
        const plan = notificationFor(facts);
        if (plan) {
          // Nobody is told of what they did themselves.
          const userIds = (await recipientUsers(trx, plan.to)).filter((id) => id !== event.actor_id);
          counts.notifications += await insertNotifications(trx, {
            userIds,
            regionCode,
            caseId: entry.caseId,
            eventId: entry.eventId,
            number: entry.number,
            title: shortTitle(found.title),
            kind: plan.kind,
            at: entry.at,
          });
        }
        const message = outboundFor(facts, entry.number);
        if (message) {
          const inserted = await trx
            .insertInto("outbound_messages")
            .values({
              id: uuidv7(),
              event_id: entry.eventId,
              recipient: message.recipient,
              region_code: regionCode,
              case_id: entry.caseId,
              department_id: message.recipient === "department_duty" ? message.departmentId : null,
              text: message.text,
            })
            .onConflict((c) => c.columns(["event_id", "recipient"]).doNothing())
            .returning("id")
            .execute();
          counts.messages += inserted.length;
        }
      }
    }
    await trx.updateTable("notification_cursors").set({ position: entries[entries.length - 1].position }).where("region_code", "=", regionCode).execute();
    return counts;
  });
}

type Log = { warn(o: object, m: string): void };

/**
 * This process's way to the follower: the leased job runs `followAll` every few seconds, and every
 * request that may have changed a case wakes it at once, in the process that wrote, so a
 * notification is written moments after the event that made it, on either database and behind any
 * number of servers. Passes in this process run one at a time; a wake-up during one runs another
 * after it.
 */
export class NotificationFollower {
  private running: Promise<PassCounts> | null = null;
  private again = false;
  private stopped = false;
  log: Log = { warn: () => {} };

  constructor(private readonly db: Kysely<DB>) {}

  /** Follows every region soon, without waiting; a failure is logged and left to the next run. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.followAll().catch((error: unknown) => this.log.warn({ err: error }, "deriving notifications failed"));
  }

  /**
   * Wakes no more and settles once the pass in progress has finished, so that the database can be
   * closed under it. What the pass left is derived by the next process: each region's position is kept.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    while (this.running) await this.running.catch(() => {});
  }

  /** Every region with a log, each to its head. */
  async followAll(): Promise<PassCounts> {
    while (this.running) await this.running.catch(() => {});
    const run = (async () => {
      const total: PassCounts = { entries: 0, notifications: 0, messages: 0 };
      do {
        this.again = false;
        const regions = await this.db.selectFrom("case_event_log_heads").select("region_code").execute();
        for (const { region_code } of regions) {
          for (;;) {
            const counts = await followRegion(this.db, region_code);
            total.entries += counts.entries;
            total.notifications += counts.notifications;
            total.messages += counts.messages;
            if (counts.entries < PAGE) break;
          }
        }
      } while (this.again);
      return total;
    })().finally(() => {
      this.running = null;
    });
    this.running = run;
    return run;
  }
}

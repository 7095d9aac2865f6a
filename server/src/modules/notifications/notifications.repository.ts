import { sql, type Kysely } from "kysely";
import { uuidv7 } from "../../ids.ts";
import type { DB, NotificationKind } from "../../db/schema.ts";
import type { Recipients } from "./notification-rules.ts";

/** The users a notification goes to, active accounts only. */
export async function recipientUsers(db: Kysely<DB>, to: Recipients): Promise<string[]> {
  let query = db.selectFrom("users").select("id").where("disabled_at", "is", null);
  if (to.kind === "centre") {
    query = query.where("scope_code", "=", to.divisionCode).where(sql<boolean>`'dispatcher' = any(roles)`);
  } else {
    const assignment = to.assignment;
    if (assignment.kind === "user") query = query.where("id", "=", assignment.userId);
    else if (assignment.kind === "department") query = query.where("department_id", "=", assignment.departmentId).where(sql<boolean>`'handler' = any(roles)`);
    else query = query.where("scope_code", "=", assignment.divisionCode).where(sql<boolean>`'handler' = any(roles)`);
  }
  return (await query.execute()).map((row) => row.id);
}

/** A department's duty phone (值班电话), or null. */
export async function departmentDutyPhone(db: Kysely<DB>, departmentId: string): Promise<string | null> {
  const row = await db.selectFrom("departments").select("duty_phone").where("id", "=", departmentId).executeTakeFirst();
  return row?.duty_phone || null;
}

export type NewNotification = {
  userIds: string[];
  regionCode: string;
  caseId: string;
  eventId: string;
  number: string;
  title: string;
  kind: NotificationKind;
  at: Date;
};

/** One row per user; an event already derived for a user is left as it is. */
export async function insertNotifications(db: Kysely<DB>, notification: NewNotification): Promise<number> {
  if (notification.userIds.length === 0) return 0;
  const result = await db
    .insertInto("notifications")
    .values(
      notification.userIds.map((userId) => ({
        id: uuidv7(),
        user_id: userId,
        region_code: notification.regionCode,
        case_id: notification.caseId,
        event_id: notification.eventId,
        number: notification.number,
        title: notification.title,
        kind: notification.kind,
        at: notification.at,
      })),
    )
    .onConflict((conflict) => conflict.columns(["event_id", "user_id"]).doNothing())
    .returning("id")
    .execute();
  return result.length;
}

export type NotificationRow = { id: string; case_id: string; number: string; title: string; kind: NotificationKind; at: Date; read_at: Date | null };

/**
 * A user's notifications, newest first, before the id `before`: ids are uuidv7, taken by the
 * follower in the log's order, so they sort as the events do.
 */
export async function listNotifications(
  db: Kysely<DB>,
  userId: string,
  options: { unreadOnly: boolean; limit: number; before?: string },
): Promise<NotificationRow[]> {
  const before = options.before;
  return db
    .selectFrom("notifications")
    .select(["id", "case_id", "number", "title", "kind", "at", "read_at"])
    .where("user_id", "=", userId)
    .$if(options.unreadOnly, (query) => query.where("read_at", "is", null))
    .$if(before !== undefined, (query) => query.where("id", "<", before as string))
    .orderBy("id", "desc")
    .limit(options.limit)
    .execute();
}

export async function unreadCount(db: Kysely<DB>, userId: string): Promise<number> {
  const row = await db
    .selectFrom("notifications")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("user_id", "=", userId)
    .where("read_at", "is", null)
    .executeTakeFirst();
  return Number(row?.count ?? 0);
}

/** Marks the user's notification read; answers whether it is theirs. */
export async function markRead(db: Kysely<DB>, userId: string, id: string): Promise<boolean> {
  const row = await db
    .updateTable("notifications")
    .set({ read_at: sql<Date>`coalesce(read_at, now())` })
    .where("user_id", "=", userId)
    .where("id", "=", id)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

export async function markAllRead(db: Kysely<DB>, userId: string): Promise<number> {
  const result = await db.updateTable("notifications").set({ read_at: sql<Date>`now()` }).where("user_id", "=", userId).where("read_at", "is", null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

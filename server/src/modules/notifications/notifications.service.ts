import type { AppContext } from "../../context.ts";
import { badRequest, notFound } from "../../errors.ts";
import { requirePermission, type Actor } from "../auth/actor.ts";
import { listNotifications, markAllRead, markRead, unreadCount } from "./notifications.repository.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The caller's own notifications, newest first, with how many are unread. */
export async function listMyNotifications(ctx: AppContext, actor: Actor, query: { unread?: boolean; limit?: number; cursor?: string }) {
  requirePermission(actor, "case.read");
  if (query.cursor !== undefined && !UUID.test(Buffer.from(query.cursor, "base64url").toString("utf8"))) {
    throw badRequest("invalid_cursor", "The cursor is not one this API returned");
  }
  const before = query.cursor === undefined ? undefined : Buffer.from(query.cursor, "base64url").toString("utf8");
  const limit = query.limit ?? 20;
  const [rows, unread] = await Promise.all([
    listNotifications(ctx.db, actor.userId, { unreadOnly: query.unread ?? false, limit: limit + 1, before }),
    unreadCount(ctx.db, actor.userId),
  ]);
  const page = rows.slice(0, limit);
  return {
    notifications: page.map((row) => ({
      id: row.id,
      caseId: row.case_id,
      caseNumber: row.number,
      title: row.title,
      kind: row.kind,
      at: row.at.toISOString(),
      read: row.read_at !== null,
    })),
    unreadCount: unread,
    nextCursor: rows.length > limit ? Buffer.from(page[page.length - 1].id).toString("base64url") : null,
  };
}

export async function markMyNotificationRead(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, "case.read");
  // Another user's notification is "not found", like one that does not exist.
  if (!(await markRead(ctx.db, actor.userId, id))) throw notFound("notification_not_found", `No notification ${id}`);
}

export async function markAllMyNotificationsRead(ctx: AppContext, actor: Actor): Promise<{ marked: number }> {
  requirePermission(actor, "case.read");
  return { marked: await markAllRead(ctx.db, actor.userId) };
}

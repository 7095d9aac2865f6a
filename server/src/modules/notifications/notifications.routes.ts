import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { errors, Nullable, Uuid } from "../../http/schemas.ts";
import { listMyNotifications, markAllMyNotificationsRead, markMyNotificationRead } from "./notifications.service.ts";

const KINDS = ["task", "escalated", "urged", "near_due", "overdue", "returned", "rework", "webhook_disabled"];

const Notification = Type.Object({
  id: Uuid,
  caseId: Uuid,
  caseNumber: Type.String(),
  title: Type.String({ description: "The case's title, cut to 30 characters" }),
  kind: Type.Enum(KINDS, {
    description:
      "task: dispatched to me or my department; escalated: escalated to my centre; urged: a 督办; near_due / overdue: the deadline sweep's warnings; returned: returned to my centre; rework: verification failed, to be handled again; webhook_disabled: a webhook subscription failed for a day and was disabled (to administrators; the case is the one whose delivery failed, the title the receiver's host)",
  }),
  at: Type.String({ format: "date-time", description: "When the event was committed" }),
  read: Type.Boolean(),
});

/**
 * Wakes the notification follower after every request that may have changed a case: the process
 * that wrote derives what its write made at once, instead of at the job's next run.
 */
export function registerNotificationWake(app: FastifyInstance, ctx: AppContext): void {
  ctx.notifications.log = app.log;
  app.addHook("onResponse", async (request, reply) => {
    // A refused request changed nothing.
    if (request.method !== "GET" && request.method !== "HEAD" && reply.statusCode < 400) ctx.notifications.wake();
  });
}

/** The caller's notifications (the bell): only their own, derived from the case event log. */
export async function notificationRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/notifications",
    {
      schema: {
        operationId: "listMyNotifications",
        tags: ["notifications"],
        summary: "My notifications, newest first, with the unread count",
        description:
          "New tasks for me or my department, escalations to my centre, urgings, near-due and overdue warnings, returned and reworked cases; each links to its case. They are derived from the case event log moments after each event: a live `case` event (GET /api/v1/events) of a dispatch, escalate, urge, return or verify_fail is the cue to read this again shortly.",
        querystring: Type.Object(
          {
            unread: Type.Optional(Type.Boolean({ description: "Only the unread ones" })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
            cursor: Type.Optional(Type.String({ maxLength: 100, description: "`nextCursor` of the previous page" })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ notifications: Type.Array(Notification), unreadCount: Type.Integer(), nextCursor: Nullable(Type.String()) }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => listMyNotifications(ctx, request.actor, request.query),
  );

  app.post(
    "/notifications/:id/read",
    {
      schema: {
        operationId: "markNotificationRead",
        tags: ["notifications"],
        summary: "Mark one of my notifications read",
        params: Type.Object({ id: Uuid }),
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await markMyNotificationRead(ctx, request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/notifications/read-all",
    {
      schema: {
        operationId: "markAllNotificationsRead",
        tags: ["notifications"],
        summary: "Mark all my notifications read",
        response: { 200: Type.Object({ marked: Type.Integer() }), ...errors(400, 401, 403) },
      },
    },
    async (request) => markAllMyNotificationsRead(ctx, request.actor),
  );
}

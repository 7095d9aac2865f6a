import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { errors, Nullable, Uuid } from "../../http/schemas.ts";
import {
  createSubscription,
  deleteSubscription,
  EVENT_KINDS,
  getSubscription,
  listDeliveries,
  listSubscriptions,
  replaySubscription,
  updateSubscription,
} from "./webhooks.service.ts";

const Kinds = Nullable(
  Type.Array(Type.Enum(EVENT_KINDS), {
    minItems: 1,
    maxItems: EVENT_KINDS.length,
    description: "The case actions delivered (report, register, dispatch, …); null or left out: all of them",
  }),
);

const Subscription = Type.Object({
  id: Uuid,
  url: Type.String(),
  description: Type.String(),
  regionCode: Type.String(),
  scope: Type.Object({ code: Type.String(), name: Type.String() }, { description: "The district, or a street, community or grid in it, whose cases are delivered" }),
  kinds: Kinds,
  personalData: Type.Boolean({ description: "Whether payloads carry the reporter's name and phone (granted by the security administrator)" }),
  enabled: Type.Boolean(),
  disabledReason: Nullable(Type.Enum(["manual", "failing"], { description: "failing: a delivery kept failing for a day" })),
  disabledAt: Nullable(Type.String({ format: "date-time" })),
  createdBy: Type.Object({ id: Uuid, name: Type.String() }),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
  pending: Type.Integer({ description: "Deliveries not yet acknowledged" }),
  lastDeliveredAt: Nullable(Type.String({ format: "date-time" })),
});

const Secret = Type.String({ description: "The signing secret, shown in this answer only: keep it with the receiver" });

const URL_REFUSAL =
  "422 webhook_url_refused when the host resolves to a loopback, private, link-local, metadata or reserved address (unless OUTBOUND_ALLOWED_NETWORKS allows it), webhook_url_unresolvable, webhook_url_invalid (not http(s), or with a user name).";

export async function webhookRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const params = Type.Object({ id: Uuid });

  app.get(
    "/webhooks",
    {
      config: { apiKeyScope: "exchange" },
      schema: {
        operationId: "listWebhooks",
        tags: ["webhooks"],
        summary: "The webhook subscriptions of divisions in the caller's scope",
        description: "System and security administrators (webhook.write). Secrets are never shown again after they are issued.",
        response: { 200: Type.Object({ subscriptions: Type.Array(Subscription) }), ...errors(401, 403) },
      },
    },
    async (request) => ({ subscriptions: await listSubscriptions(ctx, request.actor) }),
  );

  app.post(
    "/webhooks",
    {
      config: { apiKeyScope: "exchange" },
      schema: {
        operationId: "createWebhook",
        tags: ["webhooks"],
        summary: "Subscribe a URL to case events; the signing secret is in this answer only",
        description:
          "System and security administrators (webhook.write), for their own scope or a division under it. Each event of a matching case is POSTed as JSON, signed (Gridgov-Signature: sha256=HMAC-SHA256(secret, Gridgov-Timestamp + \".\" + body)), at least once, in order per case; see docs/operations.md. " +
          "personalData true needs webhook.personal_data (403 personal_data_not_permitted). " +
          URL_REFUSAL,
        body: Type.Object(
          {
            url: Type.String({ minLength: 1, maxLength: 2000 }),
            description: Type.Optional(Type.String({ maxLength: 200 })),
            scopeCode: Type.Optional(Type.String({ pattern: "^[0-9]{6}([0-9]{3}){0,3}$", description: "Default: the caller's scope" })),
            kinds: Type.Optional(Kinds),
            personalData: Type.Optional(Type.Boolean({ default: false })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ subscription: Subscription, secret: Secret }), ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => reply.status(201).send(await createSubscription(ctx, request.actor, request.body)),
  );

  app.get(
    "/webhooks/:id",
    {
      config: { apiKeyScope: "exchange" },
      schema: {
        operationId: "getWebhook",
        tags: ["webhooks"],
        summary: "One webhook subscription",
        params,
        response: { 200: Type.Object({ subscription: Subscription }), ...errors(401, 403, 404) },
      },
    },
    async (request) => ({ subscription: await getSubscription(ctx, request.actor, request.params.id) }),
  );

  app.patch(
    "/webhooks/:id",
    {
      config: { apiKeyScope: "exchange" },
      schema: {
        operationId: "updateWebhook",
        tags: ["webhooks"],
        summary: "Change a subscription: URL, kinds, personal data, enabled; or rotate its secret (the new one is in this answer only)",
        description:
          "webhook.write; granting personal data needs webhook.personal_data, the security administrator's (403 personal_data_not_permitted). " +
          "enabled false stops deliveries (they wait in the queue); enabled true resumes them from the oldest undelivered event. " +
          URL_REFUSAL,
        params,
        body: Type.Object(
          {
            url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
            description: Type.Optional(Type.String({ maxLength: 200 })),
            kinds: Type.Optional(Kinds),
            personalData: Type.Optional(Type.Boolean()),
            enabled: Type.Optional(Type.Boolean()),
            rotateSecret: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Object({ subscription: Subscription, secret: Type.Optional(Secret) }), ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request) => updateSubscription(ctx, request.actor, request.params.id, request.body),
  );

  app.delete(
    "/webhooks/:id",
    {
      config: { apiKeyScope: "exchange" },
      schema: {
        operationId: "deleteWebhook",
        tags: ["webhooks"],
        summary: "Delete a subscription with its queue and delivery log",
        params,
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await deleteSubscription(ctx, request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/webhooks/:id/enable",
    {
      config: { apiKeyScope: "exchange" },
      schema: {
        operationId: "enableWebhook",
        tags: ["webhooks"],
        summary: "Enable a disabled subscription: its undelivered events go out again at once, oldest first",
        params,
        response: { 200: Type.Object({ subscription: Subscription }), ...errors(401, 403, 404) },
      },
    },
    async (request) => updateSubscription(ctx, request.actor, request.params.id, { enabled: true }),
  );

  app.get(
    "/webhooks/:id/deliveries",
    {
      config: { apiKeyScope: "exchange" },
      schema: {
        operationId: "listWebhookDeliveries",
        tags: ["webhooks"],
        summary: "The delivery log of a subscription, newest attempt first (kept 30 days)",
        params,
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
            cursor: Type.Optional(Type.String({ maxLength: 30, description: "`nextCursor` of the previous page" })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            deliveries: Type.Array(
              Type.Object({
                eventId: Uuid,
                caseNumber: Type.String(),
                kind: Type.String(),
                attempt: Type.Integer(),
                at: Type.String({ format: "date-time" }),
                outcome: Type.Enum(["delivered", "retry", "disabled"], { description: "retry: failed, tried again later; disabled: failed for a day, the subscription was disabled" }),
                statusCode: Nullable(Type.Integer({ description: "The receiver's HTTP status; null when no answer came" })),
                latencyMs: Type.Integer(),
                errorCode: Nullable(Type.String({ description: "http_<status>, outbound_timeout, outbound_address_refused, outbound_failed, …" })),
              }),
            ),
            nextCursor: Nullable(Type.String()),
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => listDeliveries(ctx, request.actor, request.params.id, request.query),
  );

  app.post(
    "/webhooks/:id/replay",
    {
      config: { apiKeyScope: "exchange" },
      schema: {
        operationId: "replayWebhook",
        tags: ["webhooks"],
        summary: "Deliver the subscription's events again from a time, with their original event ids",
        description: "webhook.write. Matching events of the subscription's scope and kinds since `from` (up to `to`) are queued again in the order they happened; an event still undelivered is not queued twice.",
        params,
        body: Type.Object(
          { from: Type.String({ format: "date-time" }), to: Type.Optional(Type.String({ format: "date-time" })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ enqueued: Type.Integer() }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => replaySubscription(ctx, request.actor, request.params.id, request.body),
  );
}

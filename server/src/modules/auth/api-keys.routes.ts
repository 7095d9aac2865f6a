import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { errors, Nullable, Uuid } from "../../http/schemas.ts";
import { requirePermission } from "./actor.ts";
import { createApiKey, listApiKeys, MAX_REQUESTS_PER_MINUTE, revokeApiKey } from "./api-keys.service.ts";

const Scope = Type.Union([Type.Literal("read"), Type.Literal("report"), Type.Literal("exchange")], {
  description: "read: GET requests; report: creating cases and adding comments and photos to them; exchange: imports, exports and webhook subscriptions",
});

const ApiKey = Type.Object({
  id: Uuid,
  prefix: Type.String({ description: "The key's first ten characters (ggk_…), to tell it apart; the key itself is never shown again" }),
  name: Type.String(),
  organisation: Type.String(),
  owner: Type.Object({ id: Uuid, username: Type.String(), name: Type.String() }),
  scopes: Type.Array(Scope),
  requestsPerMinute: Type.Integer(),
  expiresAt: Nullable(Type.String({ format: "date-time" })),
  createdAt: Type.String({ format: "date-time" }),
  lastUsedAt: Nullable(Type.String({ format: "date-time", description: "Written at most once a minute" })),
  revokedAt: Nullable(Type.String({ format: "date-time" })),
  revokedBy: Nullable(Type.Object({ id: Uuid, name: Type.String() })),
  state: Type.Union([Type.Literal("active"), Type.Literal("expired"), Type.Literal("revoked")]),
});

export async function apiKeyRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/api-keys",
    {
      schema: {
        operationId: "listApiKeys",
        tags: ["auth"],
        summary: "The API keys within the caller's reach, revoked and expired ones included; never a key or its hash",
        description:
          "Everyone with api_key.write sees their own keys; administrators (api_key.admin) also the keys of the accounts they manage in their scope. " +
          "Live keys first, newest first, at most 1,000.",
        response: { 200: Type.Object({ apiKeys: Type.Array(ApiKey) }), ...errors(401, 403) },
      },
    },
    async (request) => ({ apiKeys: await listApiKeys(ctx, request.actor) }),
  );

  app.post(
    "/api-keys",
    {
      schema: {
        operationId: "createApiKey",
        tags: ["auth"],
        summary: "Create an API key acting as the current user; the key is shown only in this answer",
        description:
          "The key acts as its user, limited to its scopes: a request outside them is refused with 403 api_key_scope. " +
          "Without scopes the key reads and reports. Its requests are counted per key against `requestsPerMinute` (default API_KEY_REQUESTS_PER_MINUTE); " +
          "after `expiresAt` it is refused as an unknown key (401). 400 invalid_api_key names the field in details.",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100, description: "What the key is for, e.g. 12345 热线对接" }),
            organisation: Type.String({ minLength: 1, maxLength: 200, description: "The organisation the client belongs to" }),
            scopes: Type.Optional(Type.Array(Scope, { minItems: 1, maxItems: 3, uniqueItems: true })),
            requestsPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_REQUESTS_PER_MINUTE })),
            expiresAt: Type.Optional(Type.String({ format: "date-time", description: "In the future; absent: the key does not expire" })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ apiKey: Type.Object({ ...ApiKey.properties, key: Type.String({ description: "Shown once: only its hash is kept" }) }) }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      requirePermission(request.actor, "api_key.write");
      const apiKey = await createApiKey(ctx, request.actor, request.actor.userId, request.body);
      return reply.status(201).send({ apiKey });
    },
  );

  app.delete(
    "/api-keys/:id",
    {
      schema: {
        operationId: "revokeApiKey",
        tags: ["auth"],
        summary: "Revoke an API key: the caller's own, or (administrators) one of an account they manage in their scope",
        description: "Its requests answer 401 at once. The revocation is audited with who revoked it. A key out of reach, or already revoked, is 404 api_key_not_found.",
        params: Type.Object({ id: Uuid }),
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await revokeApiKey(ctx, request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  );
}

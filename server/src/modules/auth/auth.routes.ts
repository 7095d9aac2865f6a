import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { sessionCookieName } from "../../http/authentication.ts";
import { errors, Uuid } from "../../http/schemas.ts";
import { presentMe, Me } from "../people/people.presenters.ts";
import { requirePermission } from "./actor.ts";
import { createApiKey, login, logout, revokeApiKey } from "./auth.service.ts";

const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export async function authRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const cookieName = sessionCookieName(ctx.config.secureCookies);

  app.post(
    "/auth/login",
    {
      config: { public: true, signIn: true },
      schema: {
        operationId: "login",
        tags: ["auth"],
        summary: "Sign in with a username and password; sets the session cookie",
        body: LoginBody,
        response: { 200: Type.Object({ user: Me }), ...errors(400, 401, 403, 423, 429) },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const { token, actor } = await login(ctx, username, password);
      reply.setCookie(cookieName, token, {
        path: "/",
        httpOnly: true,
        sameSite: "lax",
        secure: ctx.config.secureCookies,
        maxAge: ctx.config.session.absoluteHours * 3600,
      });
      return { user: await presentMe(ctx, actor) };
    },
  );

  app.post(
    "/auth/logout",
    {
      schema: {
        operationId: "logout",
        tags: ["auth"],
        summary: "End the current session on the server",
        response: { 204: Type.Null(), ...errors(401) },
      },
    },
    async (request, reply) => {
      if (request.sessionToken) await logout(ctx, request.sessionToken, request.actor);
      reply.clearCookie(cookieName, { path: "/" });
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/auth/me",
    {
      schema: {
        operationId: "getMe",
        tags: ["auth"],
        summary: "The signed-in user, their roles, permissions and scope",
        response: { 200: Type.Object({ user: Me }), ...errors(401) },
      },
    },
    async (request) => ({ user: await presentMe(ctx, request.actor) }),
  );

  app.post(
    "/api-keys",
    {
      schema: {
        operationId: "createApiKey",
        tags: ["auth"],
        summary: "Create an API key acting as the current user; the key is shown only in this answer",
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
        response: {
          201: Type.Object({ apiKey: Type.Object({ id: Uuid, key: Type.String(), prefix: Type.String() }) }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      requirePermission(request.actor, "api_key.write");
      const { name } = request.body;
      const apiKey = await createApiKey(ctx, request.actor, request.actor.userId, name);
      return reply.status(201).send({ apiKey });
    },
  );

  app.delete(
    "/api-keys/:id",
    {
      schema: {
        operationId: "revokeApiKey",
        tags: ["auth"],
        summary: "Revoke one of the current user's API keys",
        params: Type.Object({ id: Uuid }),
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      requirePermission(request.actor, "api_key.write");
      await revokeApiKey(ctx, request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  );
}

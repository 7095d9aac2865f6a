import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { authenticationRequired } from "../../errors.ts";
import { screenCookieName, screenTokenOf } from "../../http/authentication.ts";
import { errors, Nullable, Uuid } from "../../http/schemas.ts";
import { requirePermission } from "../auth/actor.ts";
import { listCases } from "../cases/case-queue.service.ts";
import { actorOfScreenToken, issueScreenCredential, listScreenCredentials, revokeScreenCredential } from "./screen-credentials.service.ts";

const ScreenCredential = Type.Object({
  id: Uuid,
  name: Type.String(),
  division: Type.Object({ code: Type.String(), name: Type.String() }),
  createdBy: Type.Object({ id: Uuid, name: Type.String() }),
  createdAt: Type.String({ format: "date-time" }),
  revokedAt: Nullable(Type.String({ format: "date-time" })),
  lastUsedAt: Nullable(Type.String({ format: "date-time", description: "Written at most once a minute" })),
});

/** A year: a wall display stays signed in until its credential is revoked. */
const SCREEN_COOKIE_SECONDS = 365 * 24 * 3600;
const OVERDUE_LIMIT = 20;

export async function screenCredentialRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/screen-credentials",
    {
      schema: {
        operationId: "listScreenCredentials",
        tags: ["evaluation"],
        summary: "The screen credentials of divisions in the caller's scope, revoked ones included",
        description: "Leaders and administrators (screen.write). Tokens are never shown again after they are issued.",
        response: { 200: Type.Object({ credentials: Type.Array(ScreenCredential) }), ...errors(401, 403) },
      },
    },
    async (request) => ({ credentials: await listScreenCredentials(ctx, request.actor) }),
  );

  app.post(
    "/screen-credentials",
    {
      schema: {
        operationId: "createScreenCredential",
        tags: ["evaluation"],
        summary: "Issue a read-only screen credential for a division's big screen; the token is in this answer only",
        description:
          "Leaders and administrators (screen.write), for a district, street or community in their scope (else 404 division_not_found). " +
          "Open `url` (`/screen#key=<token>`) on the wall display: the token stays in the fragment, which no request line carries. " +
          "The screen's actor reads indicators, rankings, divisions, grids and the overdue list of the division, and nothing else: every change is refused with 403.",
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100, description: "Where the screen hangs, e.g. 指挥大厅东墙" }),
            division: Type.String({ pattern: "^[0-9]{6}([0-9]{3}){0,2}$" }),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ credential: ScreenCredential, token: Type.String(), url: Type.String() }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => reply.status(201).send(await issueScreenCredential(ctx, request.actor, request.body)),
  );

  app.delete(
    "/screen-credentials/:id",
    {
      schema: {
        operationId: "revokeScreenCredential",
        tags: ["evaluation"],
        summary: "Revoke a screen credential: its requests answer 401 at once and its event stream ends",
        params: Type.Object({ id: Uuid }),
        response: { 204: Type.Null(), ...errors(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await revokeScreenCredential(ctx, request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/screen-credentials/session",
    {
      config: { public: true, limited: true, screenSession: true },
      schema: {
        operationId: "openScreenSession",
        tags: ["evaluation"],
        summary: "Exchange a screen token (Authorization: Screen <token>) for an HttpOnly cookie scoped to /api/v1",
        description:
          "The big screen calls this once on load, so that its EventSource, which cannot set headers, is authenticated without the token in a URL. " +
          "The cookie holds the token until the credential is revoked; 401 invalid_screen_credential for an unknown or revoked token.",
        response: {
          200: Type.Object({ name: Type.String(), division: Type.Object({ code: Type.String(), name: Type.String() }) }),
          ...errors(401),
        },
      },
    },
    async (request, reply) => {
      const token = screenTokenOf(request);
      const actor = token ? await actorOfScreenToken(ctx, token) : null;
      if (!token || !actor?.scopeCode) throw authenticationRequired();
      const division = await ctx.db.selectFrom("divisions").select(["code", "name"]).where("code", "=", actor.scopeCode).executeTakeFirst();
      reply.setCookie(screenCookieName(ctx.config.secureCookies), token, {
        path: "/api/v1",
        httpOnly: true,
        sameSite: "strict",
        secure: ctx.config.secureCookies,
        maxAge: SCREEN_COOKIE_SECONDS,
      });
      return { name: actor.displayName, division: division ?? { code: actor.scopeCode, name: actor.scopeCode } };
    },
  );

  app.get(
    "/overdue-cases",
    {
      schema: {
        operationId: "listOverdueCases",
        tags: ["evaluation"],
        summary: "The open cases past their handling deadline in the caller's scope, longest overdue first, without personal data",
        description: `Indicators readers and screen credentials (indicator.read): the dashboard's and big screen's overdue list, at most ${OVERDUE_LIMIT}. Read a case itself with case.read.`,
        response: {
          200: Type.Object({
            cases: Type.Array(
              Type.Object({
                id: Uuid,
                number: Type.String(),
                title: Type.String(),
                categoryCode: Nullable(Type.String()),
                streetCode: Type.String(),
                communityCode: Type.String(),
                handleBy: Type.String({ format: "date-time" }),
              }),
            ),
          }),
          ...errors(401, 403),
        },
      },
    },
    async (request) => {
      requirePermission(request.actor, "indicator.read");
      // The queue's own query, in the caller's scope; only the fields below leave it, no case detail.
      const reader = { ...request.actor, permissions: new Set([...request.actor.permissions, "case.read" as const]) };
      const { cases } = await listCases(ctx, reader, { queue: "overdue", sort: "deadline", limit: OVERDUE_LIMIT });
      return {
        cases: cases.map(({ id, number, title, categoryCode, streetCode, communityCode, handleBy }) => ({ id, number, title, categoryCode, streetCode, communityCode, handleBy })),
      };
    },
  );
}

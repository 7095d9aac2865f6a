import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../context.ts";
import { AppError, authenticationRequired } from "../errors.ts";
import type { Actor } from "../modules/auth/actor.ts";
import { actorOfApiKey, actorOfSession } from "../modules/auth/auth.service.ts";
import { RateLimiter } from "./rate-limit.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in actor; set on every route that is not public. */
    actor: Actor;
    sessionToken: string | null;
  }
  interface FastifyContextConfig {
    /** Routes open without a session: sign-in, health, public lookups. */
    public?: boolean;
    /** Public routes whose callers without a session are limited per address (PUBLIC_REQUESTS_PER_MINUTE). */
    limited?: boolean;
  }
}

export function sessionCookieName(secure: boolean): string {
  // The __Host- prefix binds the cookie to this host over HTTPS; plain HTTP (demo, loopback) cannot use it.
  return secure ? "__Host-gridgov_session" : "gridgov_session";
}

/**
 * Resolves the one Actor of each request from the session cookie or an `Authorization: Bearer`
 * API key, before the body is read, so that unauthenticated requests are refused first.
 */
export function registerAuthentication(app: FastifyInstance, ctx: AppContext): void {
  const limiter = new RateLimiter(ctx.config.publicRequestsPerMinute);
  app.decorateRequest("actor", null as unknown as Actor);
  app.decorateRequest("sessionToken", null);
  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    const { config } = request.routeOptions;
    if (config.limited && !(await resolveActor(ctx, request))) {
      const wait = limiter.hit(request.ip);
      if (wait > 0) {
        reply.header("retry-after", String(wait));
        throw new AppError(429, "rate_limited", `Too many requests from your address: try again in ${wait} s`);
      }
    }
    if (config.public || !request.routeOptions.url) return;
    const actor = await resolveActor(ctx, request);
    if (!actor) throw authenticationRequired();
    request.actor = actor;
  });
}

const resolved = new WeakMap<FastifyRequest, Promise<Actor | null>>();

/** The actor behind the request's API key or session cookie, or null; public routes call it when a caller may be signed in. */
export function resolveActor(ctx: AppContext, request: FastifyRequest): Promise<Actor | null> {
  let actor = resolved.get(request);
  if (!actor) {
    actor = readCredentials(ctx, request);
    resolved.set(request, actor);
  }
  return actor;
}

async function readCredentials(ctx: AppContext, request: FastifyRequest): Promise<Actor | null> {
  const bearer = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const token = request.cookies[sessionCookieName(ctx.config.secureCookies)];
  request.sessionToken = bearer ? null : (token ?? null);
  if (bearer) return actorOfApiKey(ctx, bearer);
  return token ? actorOfSession(ctx, token) : null;
}

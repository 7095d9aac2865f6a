import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Config } from "../config.ts";
import { AppError, authenticationRequired } from "../errors.ts";
import { requireApiKeyScope, type Actor, type ApiKeyScope } from "../modules/auth/actor.ts";
import { withAttribution } from "../modules/auth/api-key-attribution.ts";
import { crossSiteRequest, isCrossSiteStateChange } from "./cross-site.ts";
import { addressBucket, type RateLimiter } from "./rate-limit.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in actor; set on every route that is not public. */
    actor: Actor;
    sessionToken: string | null;
  }
  interface FastifyInstance {
    /** How this app reads credentials, for `resolveActor` and `admitApiKey`. */
    authentication: {
      credentials: Credentials;
      cookieName: string;
      secureCookies: boolean;
      /** Counts a request of the key against its own limit (429 rate_limited beyond it). */
      countApiKey(apiKey: NonNullable<Actor["apiKey"]>): Promise<void>;
    };
  }
  interface FastifyContextConfig {
    /** Routes open without a session: sign-in, health, public lookups. */
    public?: boolean;
    /**
     * Routes whose callers are counted: per address without a session (PUBLIC_REQUESTS_PER_MINUTE),
     * per user with one (RESIDENT_, STAFF_REQUESTS_PER_MINUTE). Requests made with an API key are
     * counted on every route, per key, against the key's own limit.
     */
    limited?: boolean;
    /** The sign-in: counted per address whoever calls, and refused cross-site even without a session. */
    signIn?: boolean;
    /** The one change a screen credential may send: exchanging its token for its cookie. */
    screenSession?: boolean;
    /**
     * The scope an API key needs for this route. GET routes need `read` unless they say otherwise;
     * any other method is refused to keys (403 api_key_scope) unless it names one.
     */
    apiKeyScope?: ApiKeyScope;
  }
}

/** Who a credential names; the auth area provides these where the app is assembled. */
export type Credentials = {
  /** The actor of a session token, or null when it names no live session. */
  actorOfSession(token: string): Promise<Actor | null>;
  /** The actor of an API key, or null when it is unknown or revoked. */
  actorOfApiKey(key: string): Promise<Actor | null>;
  /** The read-only actor of a screen credential's token, or null when it is unknown or revoked. */
  actorOfScreen(token: string): Promise<Actor | null>;
  /** Staff get the higher per-user limit; residents and merchants the lower. */
  isStaff(actor: Actor): boolean;
};

export type AuthenticationOptions = {
  config: Pick<Config, "secureCookies" | "publicRequestsPerMinute" | "residentRequestsPerMinute" | "staffRequestsPerMinute">;
  credentials: Credentials;
  limiter: RateLimiter;
};

export function sessionCookieName(secure: boolean): string {
  // The __Host- prefix binds the cookie to this host over HTTPS; plain HTTP (demo, loopback) cannot use it.
  return secure ? "__Host-gridgov_session" : "gridgov_session";
}

/**
 * Resolves the one Actor of each request from the session cookie or an `Authorization: Bearer`
 * API key, before the body is read, so that unauthenticated requests are refused first. Before
 * that, a state change that carries the session cookie is refused when a page of another site
 * sent it, and limited routes count the request.
 */
export function registerAuthentication(app: FastifyInstance, { config, credentials, limiter }: AuthenticationOptions): void {
  const cookieName = sessionCookieName(config.secureCookies);
  async function count(bucket: string, perMinute: number, who: string): Promise<void> {
    const wait = await limiter.hit(bucket, perMinute);
    if (wait > 0) {
      throw new AppError(429, "rate_limited", `Too many requests from ${who}: try again in ${wait} s`, { retryAfterSeconds: wait });
    }
  }
  const countApiKey = (apiKey: NonNullable<Actor["apiKey"]>) => count(`api-key:${apiKey.id}`, apiKey.requestsPerMinute, "this API key");
  app.decorate("authentication", { credentials, cookieName, secureCookies: config.secureCookies, countApiKey });
  app.decorateRequest("actor", null as unknown as Actor);
  app.decorateRequest("sessionToken", null);

  /** The limit of the caller and the bucket it is counted in. */
  async function limitOf(request: FastifyRequest): Promise<{ bucket: string; perMinute: number; who: string }> {
    const address = addressBucket(request.ip);
    if (request.routeOptions.config.signIn) return { bucket: `sign-in:${address}`, perMinute: config.publicRequestsPerMinute, who: "your address" };
    const actor = await resolveActor(request);
    if (!actor) return { bucket: `address:${address}`, perMinute: config.publicRequestsPerMinute, who: "your address" };
    const perMinute = credentials.isStaff(actor) ? config.staffRequestsPerMinute : config.residentRequestsPerMinute;
    return { bucket: `user:${actor.userId}`, perMinute, who: "your account" };
  }

  // Each request's writes name the API key it acts with (case events, audit entries): the holder
  // is opened here, around everything the request runs, and filled once a key is accepted.
  const attributions = new WeakMap<FastifyRequest, { end(): void }>();
  app.addHook("onRequest", (request, _reply, done) => void attributions.set(request, withAttribution(done)));
  app.addHook("onResponse", async (request) => attributions.get(request)?.end());

  app.addHook("onRequest", async (request: FastifyRequest) => {
    if (!request.routeOptions.url) return;
    const { config: route } = request.routeOptions;
    const bearer = bearerOf(request);
    // A session cookie rides along with whatever a page of any site sends: only this site's pages
    // may change anything with it. A sign-in is refused too, so no site signs a visitor into another account.
    const sentWithCookie = request.cookies[cookieName] !== undefined && !bearer;
    if ((sentWithCookie || route.signIn) && isCrossSiteStateChange(request)) throw crossSiteRequest();
    if (bearer !== undefined && !route.signIn) {
      // A key that names nothing (unknown, revoked, expired) is refused on public routes too, so
      // that a client whose key ended learns it instead of reporting anonymously.
      const actor = await resolveActor(request);
      if (!actor?.apiKey) throw authenticationRequired();
      await countApiKey(actor.apiKey);
      requireApiKeyScope(actor, routeScope(request));
    } else if (route.limited || route.signIn) {
      const { bucket, perMinute, who } = await limitOf(request);
      await count(bucket, perMinute, who);
    }
    // A screen credential only reads: every state change is refused, public ones too, whatever its route checks.
    const changes = request.method !== "GET" && request.method !== "HEAD";
    // Only a request that carries a screen token is looked up here: a stale session must still reach the sign-in.
    if (changes && !route.screenSession && screenTokenOf(request) !== undefined && (await resolveActor(request))?.screenCredentialId) {
      throw new AppError(403, "read_only_credential", "A screen credential only reads");
    }
    if (route.public) return;
    const actor = await resolveActor(request);
    if (!actor) throw authenticationRequired();
    request.actor = actor;
  });
}

/**
 * Admits a request that carries its API key elsewhere than the Authorization header (Open311's
 * `api_key` form field) as the header's key is admitted: 401 when the key names nothing, counted
 * against the key's own limit, 403 api_key_scope without the scope; the rest of the request is
 * attributed to the key. Answers the key's actor.
 */
export async function admitApiKey(request: FastifyRequest, key: string, scope: ApiKeyScope): Promise<Actor> {
  const { credentials, countApiKey } = request.server.authentication;
  const actor = await credentials.actorOfApiKey(key);
  if (!actor?.apiKey) throw authenticationRequired();
  await countApiKey(actor.apiKey);
  requireApiKeyScope(actor, scope);
  return actor;
}

/** The scope a key needs for the route; a change no route opened to keys needs a scope no key has. */
function routeScope(request: FastifyRequest): ApiKeyScope {
  const declared = request.routeOptions.config.apiKeyScope;
  if (declared) return declared;
  if (request.method === "GET" || request.method === "HEAD") return "read";
  throw new AppError(403, "api_key_scope", "This operation is not open to API keys: sign in to the console for it", { scope: null });
}

/** The big screen's cookie, scoped to /api/v1 (a __Host- cookie must cover the whole site). */
export function screenCookieName(secure: boolean): string {
  return secure ? "__Secure-gridgov_screen" : "gridgov_screen";
}

/** The screen token of `Authorization: Screen <token>`, else of the screen cookie. */
export function screenTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization?.match(/^Screen\s+(\S+)$/i)?.[1];
  return header ?? request.cookies[screenCookieName(request.server.authentication.secureCookies)];
}

const resolved = new WeakMap<FastifyRequest, Promise<Actor | null>>();

/** The actor behind the request's API key or session cookie, or null; public routes call it when a caller may be signed in. */
export function resolveActor(request: FastifyRequest): Promise<Actor | null> {
  let actor = resolved.get(request);
  if (!actor) {
    actor = readCredentials(request);
    resolved.set(request, actor);
  }
  return actor;
}

function bearerOf(request: FastifyRequest): string | undefined {
  return request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
}

async function readCredentials(request: FastifyRequest): Promise<Actor | null> {
  const { credentials, cookieName } = request.server.authentication;
  const bearer = bearerOf(request);
  const token = request.cookies[cookieName];
  const screenHeader = /^Screen\s/i.test(request.headers.authorization ?? "");
  request.sessionToken = bearer || screenHeader ? null : (token ?? null);
  if (bearer) return credentials.actorOfApiKey(bearer);
  if (token && !screenHeader) return credentials.actorOfSession(token);
  const screenToken = screenTokenOf(request);
  return screenToken ? credentials.actorOfScreen(screenToken) : null;
}

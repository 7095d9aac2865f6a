import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";

/**
 * The browser's security headers, and the one place the Content-Security-Policy is written.
 *
 * A policy is a list of sources per directive. Whatever a screen needs beyond the app itself (a map
 * tile host, a worker, the web manifest) is one more source in `APP_POLICY` below.
 */
export type Directive =
  | "default-src"
  | "script-src"
  | "style-src"
  | "img-src"
  | "font-src"
  | "connect-src"
  | "worker-src"
  | "manifest-src"
  | "media-src"
  | "frame-src"
  | "object-src"
  | "base-uri"
  | "form-action"
  | "frame-ancestors";

export type Policy = Partial<Record<Directive, readonly string[]>>;

/** Stands for the per-response nonce in a policy's sources; replaced by `'nonce-…'` when sent. */
export const NONCE = "'nonce'";

/**
 * The web app: scripts only from this origin, no eval; Ant Design's CSS-in-JS inserts <style>
 * elements, which carry the nonce of the index.html they came with (docs/decisions/0009).
 */
export const APP_POLICY: Policy = {
  "default-src": ["'self'"],
  "script-src": ["'self'"],
  "style-src": ["'self'", NONCE],
  // blob: for the photos a phone app shows before it sends them (object URLs of the picked files).
  "img-src": ["'self'", "blob:"],
  "font-src": ["'self'"],
  "connect-src": ["'self'"],
  "worker-src": ["'self'"],
  "manifest-src": ["'self'"],
  "object-src": ["'none'"],
  "base-uri": ["'self'"],
  "form-action": ["'self'"],
  "frame-ancestors": ["'none'"],
};

/**
 * The app's policy with the map tiles' origins among its image sources, and `data:`: Leaflet
 * cancels the download of a tile it no longer shows by pointing the tile at a data: URL (an
 * empty GIF), which the policy would refuse and report on every pan and zoom. An image from a
 * data: URL runs nothing.
 */
export function appPolicyWithTiles(tileOrigins: readonly string[]): Policy {
  return tileOrigins.length === 0 ? APP_POLICY : { ...APP_POLICY, "img-src": [...(APP_POLICY["img-src"] ?? []), "data:", ...tileOrigins] };
}

/**
 * The API docs page (Swagger UI): its own scripts and styles from this origin; it sets inline
 * styles from its scripts and draws its icons from data: URLs.
 */
export const DOCS_POLICY: Policy = {
  ...APP_POLICY,
  "style-src": ["'self'", "'unsafe-inline'"],
  "img-src": ["'self'", "data:"],
};

/** JSON answers and files: nothing in them may run, load or be framed. */
export const API_POLICY: Policy = {
  "default-src": ["'none'"],
  "frame-ancestors": ["'none'"],
};

/** The header's value: directives in their declared order, the nonce filled in (or dropped without one). */
export function contentSecurityPolicy(policy: Policy, nonce?: string): string {
  return (Object.entries(policy) as [Directive, readonly string[]][])
    .map(([directive, sources]) => {
      const filled = sources.flatMap((source) => (source === NONCE ? (nonce ? [`'nonce-${nonce}'`] : []) : [source]));
      return `${directive} ${filled.join(" ")}`;
    })
    .join("; ");
}

/** A fresh nonce for one response: 128 random bits. */
export function newNonce(): string {
  return randomBytes(16).toString("base64");
}

const DOCS_PREFIX = "/api/v1/docs";

/** The policy for a request path before a handler chooses a stricter or nonce'd one. */
function policyFor(url: string, appPolicy: Policy): Policy {
  const pathname = url.split("?")[0];
  if (pathname === DOCS_PREFIX || pathname.startsWith(`${DOCS_PREFIX}/`)) return DOCS_POLICY;
  if (pathname.startsWith("/api/") || pathname.startsWith("/open311/")) return API_POLICY;
  return appPolicy;
}

/** Sends the security headers with every answer, errors and 404s included. */
export function registerSecurityHeaders(app: FastifyInstance, appPolicy: Policy = APP_POLICY): void {
  app.addHook("onRequest", (request, reply, done) => {
    reply.headers({
      "content-security-policy": contentSecurityPolicy(policyFor(request.url, appPolicy)),
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
      "referrer-policy": "strict-origin-when-cross-origin",
    });
    done();
  });
}

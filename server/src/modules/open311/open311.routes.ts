import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../../context.ts";
import { AppError } from "../../errors.ts";
import { admitApiKey } from "../../http/authentication.ts";
import { addressBucket, rateLimiterFor } from "../../http/rate-limit.ts";
import type { Actor } from "../auth/actor.ts";
import { CONTENT_TYPES, parseForm, writeErrors, writeList, writeObject, type Form, type Format } from "./open311-format.ts";
import {
  discovery,
  getRequest,
  invalidKey,
  listRequests,
  listServices,
  listUpdates,
  postRequest,
  postUpdate,
  requestOfToken,
  serviceDefinition,
} from "./open311.service.ts";

/**
 * Open311 GeoReport v2 under /open311/v2 (docs/open311.md): every endpoint as `.xml` and `.json`,
 * form-encoded posts with `api_key`, errors as the specification writes them in the requested
 * format (never our own error shape, never HTML), any origin allowed without credentials. Kept out
 * of the OpenAPI document, which describes /api/v1.
 */

declare module "fastify" {
  interface FastifyRequest {
    open311Actor: Actor | null;
  }
}

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "Content-Type, Idempotency-Key",
  "access-control-max-age": "86400",
};

/** The format a path asks for by its extension; XML, the specification's first, when it names none. */
function formatOf(url: string): Format {
  const path = url.split("?")[0];
  return path.endsWith(".json") ? "json" : "xml";
}

/** `name.xml` → name and format; undefined for another extension. */
function splitFile(file: string): { name: string; format: Format } | undefined {
  const dot = file.lastIndexOf(".");
  const format = file.slice(dot + 1);
  if (dot <= 0 || (format !== "xml" && format !== "json")) return undefined;
  return { name: file.slice(0, dot), format };
}

/** A body our form parser made (a JSON body is parsed by the app's own parser, and is no form). */
const isForm = (body: unknown): body is Form =>
  typeof body === "object" && body !== null && (body as Form).fields instanceof Map && (body as Form).attributes instanceof Map;

const notFound = (what: string) => new AppError(404, "open311_not_found", `No ${what}`);

/** The first value of each query parameter, as text. */
function queryOf(request: FastifyRequest): Record<string, string | undefined> {
  const query = (request.query ?? {}) as Record<string, string | string[] | undefined>;
  return Object.fromEntries(Object.entries(query).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]));
}

/** The absolute address of this server as the client reached it (behind a trusted proxy, as the proxy says). */
const baseUrlOf = (request: FastifyRequest) => `${request.protocol}://${request.host}`;

function send(reply: FastifyReply, format: Format, body: string, status = 200) {
  return reply.status(status).type(CONTENT_TYPES[format]).send(body);
}

/** The specification's errors carry only a status: every other refusal of a request is a 400. */
function statusOf(error: FastifyError | AppError): number {
  const status = error.statusCode ?? 500;
  if (status >= 500) return status;
  if ([403, 404, 413, 429].includes(status)) return status;
  if (status === 401) return 403;
  return 400;
}

export async function open311Routes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const limiter = rateLimiterFor(ctx.db, ctx.config.database.kind !== "postgres");
  app.decorateRequest("open311Actor", null);

  // Open to all (a key, when sent, is checked here), limited, and kept out of the OpenAPI document.
  app.addHook("onRoute", (route) => {
    route.config = { ...route.config, public: true };
    route.schema = { ...route.schema, hide: true };
  });

  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "buffer" }, (_request, body, done) => {
    const form = parseForm(body as Buffer);
    if (!form) done(new AppError(400, "open311_malformed_form", "The form body is malformed: not UTF-8 or a bad percent-escape"), undefined);
    else done(null, form);
  });

  app.addHook("onRequest", async (_request, reply) => {
    void reply.headers(CORS);
  });

  // The key is read once: from the query of a read, from the form of a post; the count follows it.
  app.addHook("preHandler", async (request) => {
    if (request.method === "OPTIONS") return;
    const apiKey = request.method === "POST" ? (isForm(request.body) ? request.body.fields.get("api_key") : undefined) : queryOf(request).api_key;
    if (apiKey !== undefined && apiKey !== "") {
      // Admitted as a header's key is: counted against its own limit, its scope checked, the request attributed to it.
      request.open311Actor = await admitApiKey(request, apiKey, request.method === "POST" ? "report" : "read").catch(async (error: unknown) => {
        if (!(error instanceof AppError && error.statusCode === 401)) throw error;
        // A wrong key counts against the address, so that keys cannot be tried at leisure.
        await limiter.hit(`address:${addressBucket(request.ip)}`, ctx.config.publicRequestsPerMinute);
        throw invalidKey();
      });
      return;
    }
    request.open311Actor = null;
    const wait = await limiter.hit(`address:${addressBucket(request.ip)}`, ctx.config.publicRequestsPerMinute);
    if (wait > 0) throw new AppError(429, "rate_limited", `Too many requests: try again in ${wait} s`, { retryAfterSeconds: wait });
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const status = statusOf(error);
    if (status >= 500 && status !== 503) request.log.error({ err: error }, "Open311 request failed");
    const retryAfter = error instanceof AppError ? (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds : undefined;
    if (typeof retryAfter === "number") void reply.header("retry-after", String(retryAfter));
    const description = status >= 500 && status !== 503 ? "An internal error occurred" : error.message;
    void reply.headers(CORS);
    return send(reply, formatOf(request.url), writeErrors(formatOf(request.url), [{ code: status, description }]), status);
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.headers(CORS);
    const format = formatOf(request.url);
    return send(reply, format, writeErrors(format, [{ code: 404, description: `No Open311 endpoint ${request.method} ${request.url.split("?")[0]}` }]), 404);
  });

  // A browser asks before it posts a form from another origin; every path answers.
  app.options("/*", async (_request, reply) => reply.status(204).send());

  /** A form post: the parsed form, an empty one without a body; any other body is refused. */
  const formOf = (request: FastifyRequest): Form => {
    if (request.body === undefined || request.body === null) return { fields: new Map(), attributes: new Map() };
    if (isForm(request.body)) return request.body;
    throw new AppError(400, "open311_not_a_form", "Post the request as application/x-www-form-urlencoded");
  };
  const file = (request: FastifyRequest) => {
    const parts = splitFile((request.params as { file: string }).file);
    if (!parts) throw notFound("such format: use .xml or .json");
    return parts;
  };
  const format = (request: FastifyRequest): Format => {
    const value = (request.params as { format: string }).format;
    if (value !== "xml" && value !== "json") throw notFound("such format: use .xml or .json");
    return value;
  };

  app.get("/discovery.:format", async (request, reply) => {
    const f = format(request);
    return send(reply, f, writeObject(f, "discovery", discovery(baseUrlOf(request))));
  });

  app.get("/services.:format", async (request, reply) => {
    const f = format(request);
    return send(reply, f, writeList(f, "services", "service", await listServices(ctx)));
  });

  app.get("/services/:file", async (request, reply) => {
    const { name, format: f } = file(request);
    return send(reply, f, writeObject(f, "service_definition", await serviceDefinition(ctx, name)));
  });

  app.post("/requests.:format", async (request, reply) => {
    const f = format(request);
    const idempotencyKey = request.headers["idempotency-key"];
    const answer = await postRequest(ctx, request.open311Actor, formOf(request), typeof idempotencyKey === "string" ? idempotencyKey : undefined);
    return send(reply, f, writeList(f, "service_requests", "request", answer));
  });

  app.get("/requests.:format", async (request, reply) => {
    const f = format(request);
    return send(reply, f, writeList(f, "service_requests", "request", await listRequests(ctx, request.open311Actor, queryOf(request), baseUrlOf(request))));
  });

  app.get("/requests/:file", async (request, reply) => {
    const { name, format: f } = file(request);
    return send(reply, f, writeList(f, "service_requests", "request", await getRequest(ctx, request.open311Actor, name, baseUrlOf(request))));
  });

  app.get("/tokens/:file", async (request, reply) => {
    const { name, format: f } = file(request);
    return send(reply, f, writeList(f, "service_requests", "request", await requestOfToken(ctx, name)));
  });

  app.get("/servicerequestupdates.:format", async (request, reply) => {
    const f = format(request);
    return send(reply, f, writeList(f, "service_requests_updates", "request_update", await listUpdates(ctx, request.open311Actor, queryOf(request))));
  });

  app.post("/servicerequestupdates.:format", async (request, reply) => {
    const f = format(request);
    return send(reply, f, writeList(f, "service_request_updates", "request_update", await postUpdate(ctx, request.open311Actor, formOf(request))));
  });
}

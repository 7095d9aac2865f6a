import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import compress from "@fastify/compress";
import cookie from "@fastify/cookie";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, type RouteOptions } from "fastify";
import type { AppContext } from "./context.ts";
import { registerAuthentication, sessionCookieName } from "./http/authentication.ts";
import { AppError } from "./errors.ts";
import { answerFrameworkError, registerErrorHandling } from "./http/errors.ts";
import { ErrorResponse, errors } from "./http/schemas.ts";
import { validatorCompiler } from "./http/validation.ts";
import { authRoutes } from "./modules/auth/auth.routes.ts";
import { registerPasswordChangeGate } from "./modules/auth/password-change.ts";
import { caseQueueRoutes } from "./modules/cases/case-queue.routes.ts";
import { caseRoutes } from "./modules/cases/cases.routes.ts";
import { categoryRoutes } from "./modules/cases/categories.routes.ts";
import { Division, divisionRoutes } from "./modules/divisions/divisions.routes.ts";
import { gridRoutes } from "./modules/grids/grids.routes.ts";
import { peopleRoutes } from "./modules/people/people.routes.ts";
import { healthRoutes } from "./modules/system/health.routes.ts";

const WEB_DIST = fileURLToPath(new URL("../../web/dist/", import.meta.url));

export type AppOptions = { logger?: boolean | { level: string } };

/** Assembles the HTTP application: plumbing, the API under /api/v1, its OpenAPI document, the web app. */
export async function buildApp(ctx: AppContext, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: ctx.config.bodyLimitBytes,
    trustProxy: ctx.config.trustProxy,
    // Deeply nested JSON is refused by the parser instead of costing a deep recursion.
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    return503OnClosing: true,
    forceCloseConnections: "idle",
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: answerFrameworkError,
  });
  app.setValidatorCompiler(validatorCompiler);
  parseJsonAsStrictUtf8(app);
  registerErrorHandling(app);
  app.addSchema(ErrorResponse);
  app.addSchema(Division);
  await app.register(cookie);
  await app.register(compress, { threshold: 2048 });
  registerAuthentication(app, ctx);
  registerPasswordChangeGate(app);
  app.addHook("onRoute", documentCommonAnswers);

  await app.register(swagger, {
    // Shared schemas keep their $id as their name in components.schemas (Error, Division).
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`) },
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "gridgov API",
        version: "1",
        description: "Grid-based urban governance and public service (网格化社会治理与公共服务平台)",
      },
      components: {
        securitySchemes: {
          session: { type: "apiKey", in: "cookie", name: sessionCookieName(ctx.config.secureCookies) },
          apiKey: { type: "http", scheme: "bearer", description: "API key for machine clients: ggk_…" },
        },
      },
      security: SECURITY,
    },
  });
  app.get("/api/v1/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  await app.register(async (publicScope) => {
    publicScope.addHook("onRoute", (route) => {
      route.config = { ...route.config, public: true };
    });
    await publicScope.register(swaggerUi, { routePrefix: "/api/v1/docs" });
    await serveWebApp(publicScope);
  });

  await app.register(healthRoutes, ctx);
  await app.register(
    async (api) => {
      await authRoutes(api, ctx);
      await divisionRoutes(api, ctx);
      await gridRoutes(api, ctx);
      await peopleRoutes(api, ctx);
      await caseRoutes(api, ctx);
      await categoryRoutes(api, ctx);
      await caseQueueRoutes(api, ctx);
    },
    { prefix: "/api/v1" },
  );
  return app;
}

/** Who may call an operation: a session cookie or an API key. */
const SECURITY: Record<string, string[]>[] = [{ session: [] }, { apiKey: [] }];

/**
 * What the document says of every operation besides its own answers: which ones a stranger may
 * call (a session or key is optional there), and the refusals that come before the route's code:
 * a malformed or over-long URL, no session, a password to change first, a body too large or of
 * the wrong type, the public limit.
 */
function documentCommonAnswers(route: RouteOptions): void {
  if (!route.schema || route.schema.hide) return;
  const config = (route.config ?? {}) as { public?: boolean; limited?: boolean; beforePasswordChange?: boolean };
  const takesBody = [route.method].flat().some((method) => ["POST", "PUT", "PATCH"].includes(method));
  // A session that must change its password first is refused everything else with 403.
  const refusedBeforePasswordChange = !config.public && !config.beforePasswordChange;
  const common = errors(400, 414, ...(config.public ? [] : [401]), ...(refusedBeforePasswordChange ? [403] : []), ...(takesBody ? [413, 415] : []), ...(config.limited ? [429] : []));
  route.schema = {
    ...route.schema,
    response: { ...common, ...(route.schema.response as object) },
    ...(config.public ? { security: [{}, ...SECURITY] } : {}),
  };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** JSON bodies must be valid UTF-8: a malformed byte is refused, not silently replaced with U+FFFD. */
function parseJsonAsStrictUtf8(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(new AppError(400, "invalid_json", "The body is not valid UTF-8"), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}

/** The built web app at /, with index.html for client-side routes; API paths stay JSON 404s. */
async function serveWebApp(app: FastifyInstance): Promise<void> {
  const indexFile = path.join(WEB_DIST, "index.html");
  const indexHtml = fs.existsSync(indexFile) ? fs.readFileSync(indexFile) : undefined;
  if (indexHtml) await app.register(fastifyStatic, { root: WEB_DIST, wildcard: false, index: "index.html" });
  app.setNotFoundHandler((request, reply) => {
    const isApi = /^\/(api|open311)\//.test(request.url);
    if (!isApi && indexHtml && request.method === "GET") return reply.type("text/html; charset=utf-8").send(indexHtml);
    return reply.status(404).send({ error: { code: "route_not_found", message: `No route ${request.method} ${request.url.split("?")[0]}` } });
  });
}

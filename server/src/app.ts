import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import compress from "@fastify/compress";
import cookie from "@fastify/cookie";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteOptions } from "fastify";
import { tileSources } from "./config.ts";
import type { AppContext } from "./context.ts";
import { registerAuthentication, resolveActor, sessionCookieName } from "./http/authentication.ts";
import { AppError } from "./errors.ts";
import { acceptDeclaredBodiesOnly } from "./http/cross-site.ts";
import { answerClientError, answerFrameworkError, registerErrorHandling } from "./http/errors.ts";
import { ErrorResponse, errors } from "./http/schemas.ts";
import { trustProxyOption } from "./http/proxies.ts";
import { rateLimiterFor } from "./http/rate-limit.ts";
import { appPolicyWithTiles, contentSecurityPolicy, newNonce, registerSecurityHeaders, type Policy } from "./http/security-headers.ts";
import { refuseMalformedQuery, validatorCompiler } from "./http/validation.ts";
import { redactionRoutes } from "./modules/attachments/redactions.routes.ts";
import { authRoutes } from "./modules/auth/auth.routes.ts";
import { actorOfSession } from "./modules/auth/auth.service.ts";
import { apiKeyRoutes } from "./modules/auth/api-keys.routes.ts";
import { actorOfApiKey } from "./modules/auth/api-keys.service.ts";
import { registerPasswordChangeGate } from "./modules/auth/password-change.ts";
import { casePointRoutes } from "./modules/cases/case-points.routes.ts";
import { caseQueueRoutes } from "./modules/cases/case-queue.routes.ts";
import { caseReasonRoutes } from "./modules/cases/case-reasons.routes.ts";
import { caseRoutes } from "./modules/cases/cases.routes.ts";
import { categoryRoutes } from "./modules/cases/categories.routes.ts";
import { savedFilterRoutes } from "./modules/cases/saved-filters.routes.ts";
import { bulkRoutes } from "./modules/cases/case-bulk.routes.ts";
import { Division, divisionRoutes } from "./modules/divisions/divisions.routes.ts";
import { placeRoutes } from "./modules/divisions/places.routes.ts";
import { gridRoutes } from "./modules/grids/grids.routes.ts";
import { mapConfigRoutes } from "./modules/map/map-config.routes.ts";
import { publicMapRoutes } from "./modules/map/public-map.routes.ts";
import { peopleRoutes } from "./modules/people/people.routes.ts";
import { departmentRoutes } from "./modules/people/departments.routes.ts";
import { STAFF_ROLES } from "./modules/people/roles.ts";
import { healthRoutes } from "./modules/system/health.routes.ts";
import { eventRoutes, registerEventStreams } from "./modules/events/events.routes.ts";
import { patrolRoutes } from "./modules/patrols/patrols.routes.ts";
import { indicatorRoutes } from "./modules/evaluation/indicators.routes.ts";
import { bulletinRoutes } from "./modules/evaluation/bulletins.routes.ts";
import { appealRoutes } from "./modules/evaluation/appeals.routes.ts";
import { screenCredentialRoutes } from "./modules/evaluation/screen-credentials.routes.ts";
import { actorOfScreenToken } from "./modules/evaluation/screen-credentials.service.ts";
import { notificationRoutes, registerNotificationWake } from "./modules/notifications/notifications.routes.ts";
import { templateRoutes } from "./modules/templates/templates.routes.ts";
import { open311Routes } from "./modules/open311/open311.routes.ts";
import { hotlineRoutes } from "./modules/exchange/hotline.routes.ts";
import { exportRoutes } from "./modules/exchange/exports.routes.ts";
import { referenceImportRoutes } from "./modules/exchange/reference-imports.routes.ts";
import { webhookRoutes } from "./modules/webhooks/webhooks.routes.ts";
import { presentMe } from "./modules/people/people.presenters.ts";

const WEB_DIST = fileURLToPath(new URL("../../web/dist/", import.meta.url));

export type AppOptions = { logger?: boolean | { level: string } };

/** Assembles the HTTP application: plumbing, the API under /api/v1, its OpenAPI document, the web app. */
export async function buildApp(ctx: AppContext, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: ctx.config.bodyLimitBytes,
    trustProxy: trustProxyOption(ctx.config.trustProxy),
    // Deeply nested JSON is refused by the parser instead of costing a deep recursion.
    onProtoPoisoning: "error",
    onConstructorPoisoning: "error",
    return503OnClosing: true,
    forceCloseConnections: "idle",
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
  app.setValidatorCompiler(validatorCompiler);
  parseJsonAsStrictUtf8(app);
  acceptDeclaredBodiesOnly(app);
  app.addHook("onRequest", refuseMalformedQuery);
  registerErrorHandling(app);
  // The map's tile host is the one source the app's policy takes from the configuration.
  const appPolicy = appPolicyWithTiles(tileSources(ctx.config.map));
  registerSecurityHeaders(app, appPolicy);
  app.addSchema(ErrorResponse);
  app.addSchema(Division);
  await app.register(cookie);
  // Fastest levels: a page of 200 cases (89 KB of JSON) takes 0.35 ms at brotli quality 1 against
  // 1.07 ms at the plugin's default 4, and is 2% larger; gzip level 1 against 6, 1.3 ms against 2.0
  // and 4% larger. Answers go to a district's own network; the web app's files come precompressed.
  // Up to 128 KB (a page of 200 cases) in one call: on two cores the plugin would stream anything
  // over 8 KB through zlib's thread pool, whose stream costs a page of 50 cases 0.5 ms of the main
  // thread against 0.2 ms to compress it in place.
  await app.register(compress, {
    threshold: 2048,
    syncThreshold: 131_072,
    brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT, [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } },
    zlibOptions: { level: 1 },
  });
  registerAuthentication(app, {
    config: ctx.config,
    limiter: rateLimiterFor(ctx.db, ctx.config.database.kind !== "postgres"),
    credentials: {
      actorOfSession: (token) => actorOfSession(ctx, token),
      actorOfApiKey: (key) => actorOfApiKey(ctx, key),
      actorOfScreen: (token) => actorOfScreenToken(ctx, token),
      isStaff: (actor) => actor.roles.some((role) => STAFF_ROLES.includes(role)),
    },
  });
  registerPasswordChangeGate(app);
  registerEventStreams(app, ctx);
  registerNotificationWake(app, ctx);
  ctx.caseEvents.log = app.log;
  ctx.webhooks.log = app.log;
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
          screen: { type: "http", scheme: "screen", description: "A big screen's read-only credential: Authorization: Screen ggs_…, or its cookie" },
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
    await serveWebApp(publicScope, appPolicy, async (request) => {
      const actor = await resolveActor(request);
      return actor && !actor.apiKey && !actor.screenCredentialId ? presentMe(ctx, actor) : null;
    });
  });

  await app.register(healthRoutes, ctx);
  await app.register(
    async (api) => {
      await authRoutes(api, ctx);
      await apiKeyRoutes(api, ctx);
      await divisionRoutes(api, ctx);
      await placeRoutes(api, ctx);
      await gridRoutes(api, ctx);
      await mapConfigRoutes(api, ctx);
      await publicMapRoutes(api, ctx);
      await peopleRoutes(api, ctx);
      await departmentRoutes(api, ctx);
      await caseRoutes(api, ctx);
      await categoryRoutes(api, ctx);
      await caseQueueRoutes(api, ctx);
      await casePointRoutes(api, ctx);
      await savedFilterRoutes(api, ctx);
      await bulkRoutes(api, ctx);
      await caseReasonRoutes(api, ctx);
      await eventRoutes(api, ctx);
      await redactionRoutes(api, ctx);
      await notificationRoutes(api, ctx);
      await templateRoutes(api, ctx);
      await patrolRoutes(api, ctx);
      await indicatorRoutes(api, ctx);
      await bulletinRoutes(api, ctx);
      await appealRoutes(api, ctx);
      await screenCredentialRoutes(api, ctx);
      await hotlineRoutes(api, ctx);
      await exportRoutes(api, ctx);
      await referenceImportRoutes(api, ctx);
      await webhookRoutes(api, ctx);
    },
    { prefix: "/api/v1" },
  );
  await app.register(async (open311) => open311Routes(open311, ctx), { prefix: "/open311/v2" });
  return app;
}

/** Who may call an operation: a session cookie or an API key. */
const SECURITY: Record<string, string[]>[] = [{ session: [] }, { apiKey: [] }];

/**
 * What the document says of every operation besides its own answers: which ones a stranger may
 * call (a session or key is optional there), and the refusals that come before the route's code:
 * a malformed or over-long URL, no session, a change sent by another site or a password to change
 * first, a body too large or of the wrong type, the rate limit.
 */
function documentCommonAnswers(route: RouteOptions): void {
  if (!route.schema || route.schema.hide) return;
  const config = (route.config ?? {}) as { public?: boolean; limited?: boolean; signIn?: boolean; beforePasswordChange?: boolean };
  const methods = [route.method].flat();
  const takesBody = methods.some((method) => ["POST", "PUT", "PATCH"].includes(method));
  const changes = takesBody || methods.includes("DELETE");
  // A session that must change its password first is refused everything else with 403.
  const refusedBeforePasswordChange = !config.public && !config.beforePasswordChange;
  const common = errors(
    400,
    414,
    ...(config.public ? [] : [401]),
    ...(changes || refusedBeforePasswordChange ? [403] : []),
    ...(takesBody ? [413, 415] : []),
    ...(config.limited || config.signIn ? [429] : []),
  );
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

// web/vite.config.ts writes this placeholder where each index.html answer puts its own nonce.
const NONCE_PLACEHOLDER = "__CSP_NONCE__";
// Vite names every file under assets/ by a hash of its content: a new build is a new name.
const HASHED_ASSETS = path.join(WEB_DIST, "assets") + path.sep;
const CACHE_HASHED = "public, max-age=31536000, immutable";
const CACHE_OTHER_FILES = "public, max-age=3600";

/** The apps beside the console: every page under a prefix is answered with that app's own HTML page. */
const APP_PAGES = [
  { prefix: "/resident", file: "resident.html" },
  { prefix: "/field", file: "field.html" },
  { prefix: "/screen", file: "screen.html" },
];
const PAGE_FILES = ["index.html", ...APP_PAGES.map(({ file }) => file)];

/** The last segment of a path names a file: `logo.png`, `x.js`, not `cases` or `123`. */
const NAMES_A_FILE = /\.[^/.]+$/;

/**
 * The built web app at /. Files keep their names and are served precompressed (`.br`, `.gz` from
 * the build) as Accept-Encoding allows; hashed assets are cached for a year, pages revalidated every
 * time. A GET for a path whose last segment names no file is a page of an app (a deep link) and
 * answers that app's page (index.html for the console, with its visitor's session: `sessionOf`); a
 * missing file is a plain 404; an unknown API route a JSON 404.
 */
async function serveWebApp(app: FastifyInstance, appPolicy: Policy, sessionOf: (request: FastifyRequest) => Promise<unknown>): Promise<void> {
  const pages = new Map(PAGE_FILES.filter((file) => fs.existsSync(path.join(WEB_DIST, file))).map((file) => [file, fs.readFileSync(path.join(WEB_DIST, file), "utf8")]));
  const pageFor = (pathname: string) => APP_PAGES.find(({ prefix }) => pathname === prefix || pathname.startsWith(`${prefix}/`))?.file ?? "index.html";
  const sendPage = async (request: FastifyRequest, reply: FastifyReply, file: string, html: string) => {
    const nonce = newNonce();
    let page = html.replaceAll(NONCE_PLACEHOLDER, nonce);
    if (file === "index.html") {
      // Unreadable (the database away): the app asks for the session itself, and shows why it failed.
      const user = await sessionOf(request).catch(() => undefined);
      if (user !== undefined) page = page.replace("</head>", `${sessionScript(user)}</head>`);
    }
    return reply
      .header("content-security-policy", contentSecurityPolicy(appPolicy, nonce))
      // Each answer has its own nonce, and the console's its visitor's session: never one for all.
      .header("cache-control", "private, no-cache")
      .type("text/html; charset=utf-8")
      .send(page);
  };
  const indexHtml = pages.get("index.html");
  if (indexHtml) {
    await app.register(fastifyStatic, {
      root: WEB_DIST,
      wildcard: false,
      index: false,
      preCompressed: true,
      // Pages carry a nonce per answer; the compressed copies are chosen by Accept-Encoding.
      globIgnore: [...PAGE_FILES, "**/*.br", "**/*.gz"],
      setHeaders: (reply, file) => reply.header("cache-control", file.startsWith(HASHED_ASSETS) ? CACHE_HASHED : CACHE_OTHER_FILES),
    });
    app.get("/", { schema: { hide: true } }, (request, reply) => sendPage(request, reply, "index.html", indexHtml));
    for (const [file, html] of pages) app.get(`/${file}`, { schema: { hide: true } }, (request, reply) => sendPage(request, reply, file, html));
  }
  app.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split("?")[0];
    const isApi = /^\/(api|open311)(\/|$)/.test(pathname);
    const isRead = request.method === "GET" || request.method === "HEAD";
    if (!isApi && isRead) {
      const lastSegment = pathname.slice(pathname.lastIndexOf("/") + 1);
      const file = pageFor(pathname);
      const page = pages.get(file);
      if (page && !NAMES_A_FILE.test(lastSegment)) return sendPage(request, reply, file, page);
      return reply.status(404).type("text/plain; charset=utf-8").send("Not Found");
    }
    return reply.status(404).send({ error: { code: "route_not_found", message: `No route ${request.method} ${pathname}` } });
  });
}

/** The id of the console page's session element; web/src/session.ts reads it. */
const SESSION_ELEMENT_ID = "gridgov-session";

/**
 * The console page's session: what `GET /api/v1/auth/me` answers (its `user`, null when no one is
 * signed in), as a data block the app reads before it renders (web/src/session.ts), so that it
 * neither asks for it nor waits for it. `<` is escaped: a display name cannot close the element.
 */
function sessionScript(user: unknown): string {
  return `<script type="application/json" id="${SESSION_ELEMENT_ID}">${JSON.stringify({ user }).replaceAll("<", "\\u003c")}</script>`;
}

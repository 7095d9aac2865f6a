import type { FastifyInstance, FastifyRequest } from "fastify";
import { AppError } from "../errors.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether a state change was sent by a page of another origin. Browsers say so in Sec-Fetch-Site,
 * which no page can set or forge; older ones only send Origin, compared with the origin the
 * request was made to (behind a trusted proxy, its X-Forwarded-Proto and -Host). A request that
 * sends neither does not come from a page (a command-line client, a server) and is not refused.
 */
export function isCrossSiteStateChange(request: FastifyRequest): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  const fetchSite = request.headers["sec-fetch-site"];
  // "none": the user's own action (typed, bookmarked); "same-site" is another origin of the site.
  if (fetchSite !== undefined) return fetchSite !== "same-origin" && fetchSite !== "none";
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  return origin.toLowerCase() !== `${request.protocol}://${request.host}`.toLowerCase();
}

export const crossSiteRequest = () =>
  new AppError(403, "cross_site_request", "A page of another site cannot change anything with your session; use this site, or an API key");

/**
 * Bodies are parsed only as their routes declare them: a route with a body schema takes JSON and
 * nothing else, or the media types its schema names (415 before the body is read), and text/plain, which a page of any site may send
 * without asking, has no parser at all. Photos keep the image parser of their own route.
 */
export function acceptDeclaredBodiesOnly(app: FastifyInstance): void {
  app.removeContentTypeParser("text/plain");
  app.addHook("preParsing", async (request) => {
    const type = request.headers["content-type"];
    const body = request.routeOptions.schema?.body as { content?: Record<string, unknown> } | undefined;
    if (type === undefined || !body) return;
    // A body schema by media type names each type the route takes (a file beside JSON).
    const declared = body.content ? Object.keys(body.content) : ["application/json"];
    if (!declared.includes(type.split(";")[0].trim().toLowerCase())) {
      throw new AppError(415, "unsupported_media_type", `Send this body as ${declared.join(" or ")}`);
    }
  });
}

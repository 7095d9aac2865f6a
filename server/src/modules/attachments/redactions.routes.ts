import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { errors, Uuid } from "../../http/schemas.ts";
import { publicPhoto } from "./public-photos.service.ts";
import { MAX_REDACTION_REGIONS } from "./redaction.ts";
import { downloadRedactedPhoto, putRedaction, removeRedaction } from "./redactions.service.ts";

const Fraction = Type.Number({ minimum: 0, maximum: 1 });
const Region = Type.Object(
  { x: Fraction, y: Fraction, width: Fraction, height: Fraction },
  { additionalProperties: false, description: "An area to blur, in fractions of the photo's width and height from its top-left corner" },
);
const PhotoParams = Type.Object({ id: Uuid, attachmentId: Uuid });

export async function redactionRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.put(
    "/cases/:id/attachments/:attachmentId/redaction",
    {
      schema: {
        operationId: "putPhotoRedaction",
        tags: ["cases"],
        summary: "Blur areas of a case photo for the public; the original stays for staff (audited)",
        description:
          "Replaces the photo's redaction: the regions are blurred into a new copy, which the public gets instead of the original (the tracking answer's photos). " +
          "No regions records that the photo was reviewed and needs nothing blurred: a photo staff took is public only once reviewed so. " +
          "The dispatchers and supervisors covering the case and those it is dispatched to may redact (else 403 redaction_not_allowed). " +
          "A region outside the photo is 400 invalid_region (details.index); 503 busy with Retry-After when too many photos wait to be decoded.",
        params: PhotoParams,
        body: Type.Object({ regions: Type.Array(Region, { maxItems: MAX_REDACTION_REGIONS }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ regions: Type.Array(Region), redacted: Type.Boolean({ description: "Whether a blurred copy was made (false: no regions)" }) }),
          ...errors(400, 401, 403, 404, 503),
        },
      },
    },
    async (request) => putRedaction(ctx, request.actor, request.params.id, request.params.attachmentId, request.body.regions),
  );

  app.delete(
    "/cases/:id/attachments/:attachmentId/redaction",
    {
      schema: {
        operationId: "deletePhotoRedaction",
        tags: ["cases"],
        summary: "Remove a photo's redaction (audited); the public no longer sees the blurred copy",
        params: PhotoParams,
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await removeRedaction(ctx, request.actor, request.params.id, request.params.attachmentId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/cases/:id/attachments/:attachmentId/redacted",
    {
      schema: {
        operationId: "downloadRedactedPhoto",
        tags: ["cases"],
        summary: "The blurred copy of a case photo, as the public sees it (404 redaction_not_found without one)",
        params: PhotoParams,
        response: { 200: Type.Unknown({ description: "The image" }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const photo = await downloadRedactedPhoto(ctx, request.actor, request.params.id, request.params.attachmentId);
      return reply.type(photo.mime).header("x-content-type-options", "nosniff").header("cache-control", "private, no-cache").send(photo.data);
    },
  );

  app.get(
    "/public/photos/:attachmentId",
    {
      config: { public: true, limited: true },
      schema: {
        operationId: "getPublicPhoto",
        tags: ["cases"],
        summary: "A public photo of a case by the link its tracking answer gives (the blurred copy when there is one)",
        description:
          "The link carries no tracking token: an expiry and a signature that only the tracking answer makes, valid about 15 minutes and only for the version it was made for. " +
          "A wrong, expired or stale link, or a photo that is not public, is 404 photo_not_found: read the case again for fresh links.",
        params: Type.Object({ attachmentId: Uuid }),
        querystring: Type.Object({ expires: Type.Integer({ minimum: 0 }), signature: Type.String({ pattern: "^[A-Za-z0-9_-]{43}$" }) }, { additionalProperties: false }),
        response: { 200: Type.Unknown({ description: "The image" }), ...errors(400, 404, 429) },
      },
    },
    async (request, reply) => {
      const photo = await publicPhoto(ctx, request.params.attachmentId, request.query.expires, request.query.signature);
      return reply
        .type(photo.mime)
        .header("x-content-type-options", "nosniff")
        .header("cache-control", `private, max-age=${photo.maxAgeSeconds}`)
        .header("referrer-policy", "no-referrer")
        .send(photo.data);
    },
  );
}

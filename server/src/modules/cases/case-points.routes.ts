import zlib from "node:zlib";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type, type Static } from "typebox";
import type { AppContext } from "../../context.ts";
import { errors, Nullable } from "../../http/schemas.ts";
import { casePoints, matchesEtag, POINT_FIELDS, POINTS_MAX } from "./case-points.service.ts";
import { CaseListQuery } from "./case-queue.routes.ts";
import { NEAR_DUE_WORKING_HOURS } from "./deadlines.ts";

const CasePoints = Type.Object({
  count: Type.Integer({ description: "Points in this answer: the length of every array below" }),
  truncated: Type.Boolean({ description: "More cases matched than the limit: narrow the box or the filters" }),
  id: Type.Optional(Type.Array(Type.String())),
  number: Type.Optional(Type.Array(Type.String())),
  lng: Type.Optional(Type.Array(Type.Number({ description: "WGS-84" }))),
  lat: Type.Optional(Type.Array(Type.Number({ description: "WGS-84" }))),
  status: Type.Optional(Type.Array(Type.String())),
  light: Type.Optional(
    Type.Array(
      Type.Enum(["on_time", "near_due", "overdue"], {
        description: `The deadline light: overdue past handleBy, near_due with at most ${NEAR_DUE_WORKING_HOURS} working hours left, as the list's deadline`,
      }),
    ),
  ),
  category: Type.Optional(Type.Array(Nullable(Type.String()))),
  level: Type.Optional(Type.Array(Type.String())),
  source: Type.Optional(Type.Array(Type.String())),
});

const { limit: _limit, cursor: _cursor, q: _q, ...listFilters } = CaseListQuery.properties;
const CasePointsQuery = Type.Object(
  {
    ...listFilters,
    bbox: Type.Optional(Type.String({ maxLength: 100, description: "minLng,minLat,maxLng,maxLat in WGS-84 degrees: only the cases inside" })),
    fields: Type.Optional(
      Type.String({
        maxLength: 200,
        description: `The columns to answer, separated by commas, among ${POINT_FIELDS.join(", ")} (count and truncated always come): every one when absent. A map draws from lng,lat,status,light, a fraction of the bytes and of the read, and asks for the ids of a clicked point with a box around it.`,
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: POINTS_MAX, default: POINTS_MAX })),
  },
  { additionalProperties: false },
);

export async function casePointRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/cases/points",
    {
      // Megabytes of JSON: the fastest levels cost a few percent more bytes and a sixth of the time.
      compress: { brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } }, zlibOptions: { level: 1 } },
      schema: {
        operationId: "listCasePoints",
        tags: ["cases"],
        summary: `The open cases in the caller's scope as points for a map (at most ${POINTS_MAX}), with the list's filters and a box`,
        description:
          "Columns rather than objects: the i-th entry of every array belongs to the same case. The cases come in no set order, " +
          "except that an answer cut off at the limit (`truncated`) holds the newest. Coordinates are rounded to seven decimals (about a centimetre). " +
          "Every column by default; `fields` names the ones to answer, the others are absent (400 invalid_fields for a name that is not a column). " +
          "Only open cases (a status filter keeps the open statuses it names). The answer carries an ETag; send it back in " +
          "If-None-Match to get a 304 while nothing in the answer has changed.",
        querystring: CasePointsQuery,
        headers: Type.Object({ "if-none-match": Type.Optional(Type.String()) }),
        response: {
          // Sent as the service serialised it: the schema admits the string, the document shows the object.
          200: Type.Unsafe<Static<typeof CasePoints> | string>(CasePoints),
          304: { description: "Not modified: the answer is the one the If-None-Match ETag names", type: "null" },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const { status, limit, ...query } = request.query;
      const ifNoneMatch = request.headers["if-none-match"];
      const { body, etag } = await casePoints(ctx, request.actor, { ...query, statuses: status?.split(","), limit: limit ?? POINTS_MAX }, ifNoneMatch);
      reply.header("etag", etag).header("cache-control", "private, no-cache");
      if (body === null || matchesEtag(ifNoneMatch, etag)) return reply.status(304).send(null);
      // Serialised by the service (its ETag is of these bytes): sent as they are.
      return reply.type("application/json; charset=utf-8").send(body);
    },
  );
}

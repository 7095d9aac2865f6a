import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { DivisionCode, errors, GridCode } from "../../http/schemas.ts";
import { Crs, GridDetail, GridFeatureCollection, Location } from "./grids.schemas.ts";
import { getGrid, listGrids, locatePoint } from "./grids.service.ts";

export async function gridRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/grids/locate",
    {
      config: { public: true },
      schema: {
        operationId: "locateGrid",
        tags: ["geography"],
        summary: "The grid, community and street of a point",
        querystring: Type.Object(
          {
            lat: Type.Number({ minimum: -90, maximum: 90 }),
            lng: Type.Number({ minimum: -180, maximum: 180 }),
            crs: Type.Optional(Crs),
          },
          { additionalProperties: false },
        ),
        response: { 200: Location, ...errors(400, 404) },
      },
    },
    async (request) => locatePoint(ctx, request.query.lat, request.query.lng, request.query.crs ?? "wgs84"),
  );

  app.get(
    "/grids",
    {
      schema: {
        operationId: "listGrids",
        tags: ["geography"],
        summary: "The grids under a division, as a GeoJSON FeatureCollection",
        querystring: Type.Object({ division: DivisionCode }, { additionalProperties: false }),
        response: { 200: GridFeatureCollection, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => listGrids(ctx, request.actor, request.query.division),
  );

  app.get(
    "/grids/:code",
    {
      schema: {
        operationId: "getGrid",
        tags: ["geography"],
        summary: "One grid with its staff on the 1+1+1+N pattern",
        params: Type.Object({ code: GridCode }),
        response: { 200: Type.Object({ grid: GridDetail }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({ grid: await getGrid(ctx, request.actor, request.params.code) }),
  );
}

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { TILE_CRS } from "../../config.ts";
import type { AppContext } from "../../context.ts";
import { errors, Nullable } from "../../http/schemas.ts";

/**
 * What the residents' portal needs to draw a map without a session: the tiles and the district's
 * extent. No grids, staff or cases: a resident picks a point, and `GET /grids/locate` names its place.
 */
export async function publicMapRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/public/map",
    {
      config: { public: true, limited: true },
      schema: {
        operationId: "getPublicMap",
        tags: ["grids"],
        summary: "The map of the public report page: tiles as in /map-config and the box around the district's grids",
        response: {
          200: Type.Object({
            tileUrl: Nullable(Type.String({ description: "A URL template with {z}, {x}, {y} and optionally {s}; null: no tiles, a plain background" })),
            tileCrs: Type.Enum(TILE_CRS),
            tileSubdomains: Type.String(),
            bounds: Nullable(
              Type.Object(
                { west: Type.Number(), south: Type.Number(), east: Type.Number(), north: Type.Number() },
                { description: "WGS-84 box around every grid; null before any grid is loaded" },
              ),
            ),
          }),
          ...errors(429),
        },
      },
    },
    async (_request, reply) => {
      // The same for everyone and changed only by a grid import: a phone may keep it a while.
      reply.header("cache-control", "public, max-age=300");
      return { ...ctx.config.map, bounds: ctx.grids.bounds() ?? null };
    },
  );
}

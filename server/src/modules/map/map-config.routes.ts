import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { TILE_CRS } from "../../config.ts";
import type { AppContext } from "../../context.ts";
import { errors, Nullable } from "../../http/schemas.ts";

export async function mapConfigRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/map-config",
    {
      schema: {
        operationId: "getMapConfig",
        tags: ["grids"],
        summary: "How maps draw their background: the tile URL template and the tiles' coordinate system",
        response: {
          200: Type.Object({
            tileUrl: Nullable(Type.String({ description: "A URL template with {z}, {x}, {y} and optionally {s}; null: no tiles, a plain background" })),
            tileCrs: Type.Enum(TILE_CRS, {
              description: "wgs84 or cgcs2000 (drawn as WGS-84), or gcj02: the API's WGS-84 coordinates are converted for display",
            }),
            tileSubdomains: Type.String({ description: "The values of {s}, one character each" }),
          }),
          ...errors(401),
        },
      },
    },
    async () => ctx.config.map,
  );
}

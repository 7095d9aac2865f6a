import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { DivisionCode, errors } from "../../http/schemas.ts";
import { Polygon } from "../grids/grids.schemas.ts";
import { getDivisionTree } from "./divisions.service.ts";

const Level = Type.Enum(["district", "street", "community", "courtyard", "building"]);

/** A division node; `children` nests the same shape, hence the shared schema id. */
export const Division = Type.Object(
  {
    code: Type.String(),
    name: Type.String(),
    level: Level,
    parentCode: Type.Union([Type.String(), Type.Null()]),
    geometry: Type.Optional(Type.Union([Polygon, Type.Null()])),
    lat: Type.Union([Type.Number(), Type.Null()]),
    lng: Type.Union([Type.Number(), Type.Null()]),
    children: Type.Optional(Type.Array(Type.Ref("Division"))),
  },
  { $id: "Division", title: "Division" },
);

export async function divisionRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    "/divisions/:code",
    {
      schema: {
        operationId: "getDivision",
        tags: ["geography"],
        summary: "A division with its children down to `depth` levels",
        params: Type.Object({ code: DivisionCode }),
        querystring: Type.Object(
          {
            depth: Type.Integer({ minimum: 0, maximum: 4, default: 1 }),
            geometry: Type.Boolean({ default: false, description: "Include each division's polygon" }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ division: Type.Ref("Division") }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      division: await getDivisionTree(ctx, request.actor, request.params.code, request.query.depth, request.query.geometry),
    }),
  );
}

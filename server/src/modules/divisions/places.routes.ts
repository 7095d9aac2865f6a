import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { errors, Nullable } from "../../http/schemas.ts";
import { searchPlaces } from "./places.service.ts";

const Named = Type.Object({ code: Type.String(), name: Type.String() });

const Place = Type.Object({
  kind: Type.Enum(["street", "community", "courtyard", "building", "grid"]),
  code: Type.String(),
  name: Type.String(),
  location: Type.Union([Type.Object({ lat: Type.Number(), lng: Type.Number() }), Type.Null()], {
    description: "A point of the place (WGS-84): its own, or one inside its polygon",
  }),
  grid: Type.Union([Named, Type.Null()], { description: "The grid it is or lies in (courtyards and buildings by their point); null for a street or community" }),
  courtyard: Type.Union([Named, Type.Null()], { description: "The courtyard (小区/院落) of a building, whose own name is often just 3栋" }),
  community: Nullable(Named),
  street: Nullable(Named),
});

export async function placeRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    "/places",
    {
      schema: {
        operationId: "searchPlaces",
        tags: ["geography"],
        summary: "Places in the caller's scope by a few characters of their name: streets, communities, courtyards, buildings and grids",
        description:
          "For locating a report without a map (a hotline call): every two-character term of `q` must be in the name (a Chinese word is matched by its character pairs; one character is matched as it stands). Best first: the exact name, names starting with `q`, then the shortest. Each place comes with a point and the grid, community and street it lies in; report it with `buildingCode`, `gridCode` or the point.",
        querystring: Type.Object(
          {
            q: Type.String({ minLength: 1, maxLength: 50, description: "A few characters of the name, e.g. 尚义 or 3栋" }),
            limit: Type.Integer({ minimum: 1, maximum: 50, default: 10 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ places: Type.Array(Place) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => ({ places: await searchPlaces(ctx, request.actor, request.query.q, request.query.limit) }),
  );
}

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { errors, Uuid } from "../../http/schemas.ts";
import { changeSavedFilter, createSavedFilter, listSavedFilters, MAX_FILTER_NAME, MAX_SAVED_FILTERS, removeSavedFilter } from "./saved-filters.service.ts";
import { MAX_SAVED_QUERY_LENGTH } from "./saved-query.ts";

const SavedFilter = Type.Object({
  id: Type.String(),
  name: Type.String(),
  query: Type.String({ description: "The case list's query, as GET /api/v1/cases takes it (without limit and cursor)" }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const Name = Type.String({ minLength: 1, maxLength: MAX_FILTER_NAME, description: "Trimmed; unique among the caller's filters" });
const Query = Type.String({
  maxLength: MAX_SAVED_QUERY_LENGTH,
  description: "queue=centre&status=registered…: checked as GET /api/v1/cases checks it (else 400 invalid_saved_query) and stored in one form",
});

export async function savedFilterRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/saved-filters",
    {
      schema: {
        operationId: "listSavedFilters",
        tags: ["cases"],
        summary: "The caller's saved views of the case list, oldest first",
        response: { 200: Type.Object({ filters: Type.Array(SavedFilter) }), ...errors(401, 403) },
      },
    },
    async (request) => listSavedFilters(ctx, request.actor),
  );

  app.post(
    "/saved-filters",
    {
      schema: {
        operationId: "createSavedFilter",
        tags: ["cases"],
        summary: `Save a view of the case list under a name (at most ${MAX_SAVED_FILTERS} per user, else 422 too_many_saved_filters)`,
        description:
          "Saving the same name with the same query again answers 200 with the filter saved before, so a retry is safe; the name with another query is 409 saved_filter_name_taken.",
        body: Type.Object({ name: Name, query: Query }, { additionalProperties: false }),
        response: { 201: Type.Object({ filter: SavedFilter }), 200: Type.Object({ filter: SavedFilter }), ...errors(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const { created, filter } = await createSavedFilter(ctx, request.actor, request.body);
      return reply.status(created ? 201 : 200).send({ filter });
    },
  );

  app.patch(
    "/saved-filters/:id",
    {
      schema: {
        operationId: "updateSavedFilter",
        tags: ["cases"],
        summary: "Rename one of the caller's saved filters or give it another query",
        params: Type.Object({ id: Uuid }),
        body: Type.Object({ name: Type.Optional(Name), query: Type.Optional(Query) }, { additionalProperties: false, minProperties: 1 }),
        response: { 200: Type.Object({ filter: SavedFilter }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => changeSavedFilter(ctx, request.actor, request.params.id, request.body),
  );

  app.delete(
    "/saved-filters/:id",
    {
      schema: {
        operationId: "deleteSavedFilter",
        tags: ["cases"],
        summary: "Delete one of the caller's saved filters",
        params: Type.Object({ id: Uuid }),
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await removeSavedFilter(ctx, request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  );
}

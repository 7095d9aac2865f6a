import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { CategoryCode, DepartmentCode, DivisionCode, errors, Nullable } from "../../http/schemas.ts";
import { deleteRoutingRule, listCategories, listRoutingRules, putRoutingRule, updateCategory } from "./categories.service.ts";

const Category = Type.Object({
  code: Type.String(),
  name: Type.String(),
  class: Type.String(),
  parentCode: Nullable(Type.String()),
  departmentCode: Nullable(Type.String()),
  closureLevel: Type.String(),
  deadlinePolicy: Type.String(),
  photoRequired: Type.Boolean(),
  emergency: Type.Boolean({ description: "A case of it is an emergency (突发事件): registering or reclassifying it raises the urgency to emergency" }),
  keywords: Type.Array(Type.String()),
  active: Type.Boolean(),
  version: Type.Integer(),
});

const RoutingRule = Type.Object({
  categoryCode: Type.String(),
  divisionCode: Type.String(),
  departmentCode: Type.String(),
});

/** The category catalogue and the routing rules that send each category to a department. */
export async function categoryRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/categories",
    {
      config: { public: true },
      schema: {
        operationId: "listCategories",
        tags: ["cases"],
        summary: "The case categories: GB/T 30428.2 components and events, governance types, 12345 appeals",
        querystring: Type.Object({ class: Type.Optional(Type.Enum(["component", "event", "governance", "appeal"])) }, { additionalProperties: false }),
        response: { 200: Type.Object({ categories: Type.Array(Category) }), ...errors(400) },
      },
    },
    async (request) => ({ categories: await listCategories(ctx, request.query.class) }),
  );

  app.patch(
    "/categories/:code",
    {
      schema: {
        operationId: "updateCategory",
        tags: ["cases"],
        summary: "Edit a category's department, closure level, deadline policy, photo rule, emergency flag or keywords (If-Match)",
        description: "Only an administrator of the whole district (or above) edits categories: others get 403 `district_scope_required`.",
        params: Type.Object({ code: CategoryCode }),
        headers: Type.Object({ "if-match": Type.Optional(Type.String()) }),
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
            departmentCode: Type.Optional(Nullable(DepartmentCode)),
            closureLevel: Type.Optional(Type.Enum(["community", "street", "district"])),
            deadlinePolicy: Type.Optional(Type.Enum(["dukao130", "standard", "urgent", "emergency", "consultation"])),
            photoRequired: Type.Optional(Type.Boolean()),
            emergency: Type.Optional(Type.Boolean()),
            keywords: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 20 }), { maxItems: 30 })),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Object({ category: Category }), ...errors(400, 401, 403, 404, 412, 428) },
      },
    },
    async (request, reply) => {
      const category = await updateCategory(ctx, request.actor, request.params.code, request.headers["if-match"], request.body);
      return reply.header("etag", `"${category.version}"`).send({ category });
    },
  );

  app.get(
    "/routing-rules",
    {
      schema: {
        operationId: "listRoutingRules",
        tags: ["cases"],
        summary: "Routing rules in the caller's scope: the department that handles a category in a division",
        querystring: Type.Object(
          {
            category: Type.Optional(CategoryCode),
            division: Type.Optional(Type.String({ pattern: "^[0-9]{6,18}$", description: "Rules of this division and those under it" })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ rules: Type.Array(RoutingRule) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => ({ rules: await listRoutingRules(ctx, request.actor, request.query) }),
  );

  app.put(
    "/routing-rules/:categoryCode/:divisionCode",
    {
      schema: {
        operationId: "putRoutingRule",
        tags: ["cases"],
        summary: "Send a category's cases in a division (and the divisions under it) to a department; the most specific rule wins",
        params: Type.Object({ categoryCode: CategoryCode, divisionCode: DivisionCode }),
        body: Type.Object({ departmentCode: DepartmentCode }, { additionalProperties: false }),
        response: { 200: Type.Object({ rule: RoutingRule }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({
      rule: await putRoutingRule(ctx, request.actor, request.params.categoryCode, request.params.divisionCode, request.body.departmentCode),
    }),
  );

  app.delete(
    "/routing-rules/:categoryCode/:divisionCode",
    {
      schema: {
        operationId: "deleteRoutingRule",
        tags: ["cases"],
        summary: "Remove a routing rule: the category's default department, or a broader rule, applies again",
        params: Type.Object({ categoryCode: CategoryCode, divisionCode: DivisionCode }),
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await deleteRoutingRule(ctx, request.actor, request.params.categoryCode, request.params.divisionCode);
      return reply.status(204).send(null);
    },
  );
}

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { CategoryCode, DepartmentCode, DivisionCode, errors, Nullable } from "../../http/schemas.ts";
import { resolveActor } from "../../http/authentication.ts";
import { answererOf, MAX_QUESTIONS, QUESTION_TYPES } from "./category-questions.ts";
import { createCategory, deleteRoutingRule, listCategories, listRoutingRules, putRoutingRule, updateCategory } from "./categories.service.ts";

const Label = Type.Object({ zh: Type.String({ minLength: 1, maxLength: 100 }), en: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });

/** An extra question asked wherever the category is chosen; answers are checked against it (422 answers_invalid). */
export const Question = Type.Object(
  {
    code: Type.String({ pattern: "^[a-z][a-z0-9_]{0,39}$", description: "Key of the answer in a case's `answers`" }),
    label: Label,
    type: Type.Enum(QUESTION_TYPES),
    choices: Type.Optional(
      Type.Array(
        Type.Object({ value: Type.String({ pattern: "^[a-z0-9_]{1,40}$" }), zh: Type.String({ minLength: 1, maxLength: 50 }), en: Type.String({ minLength: 1, maxLength: 50 }) }, { additionalProperties: false }),
        { minItems: 1, maxItems: 30, description: "type choice only: the values to pick from" },
      ),
    ),
    required: Type.Boolean(),
    public: Type.Boolean({ description: "Asked of the public and shown on the tracking page; staff-only answers never reach the public" }),
    min: Type.Optional(Type.Number({ description: "type number only" })),
    max: Type.Optional(Type.Number({ description: "type number only" })),
    maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000, description: "type text only (default 500)" })),
  },
  { additionalProperties: false },
);

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
  open311: Type.Boolean({ description: "Offered to Open311 clients as a service, and its cases shown in the public Open311 request list (docs/open311.md)" }),
  version: Type.Integer(),
  questions: Type.Array(Question, { description: "Extra questions in the order asked; the public sees only the public ones" }),
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
    async (request) => ({ categories: await listCategories(ctx, answererOf(await resolveActor(request)), request.query.class) }),
  );

  app.post(
    "/categories",
    {
      schema: {
        operationId: "createCategory",
        tags: ["cases"],
        summary: "Add a category: a main category of a class, or a subcategory of a main one (audited)",
        description:
          "Only an administrator of the whole district (or above): others get 403 `district_scope_required`. A main category (`parentCode` null) names its `class` and has the code `<class>.<key>`; " +
          "a subcategory has the code `<parentCode>.<key>` and takes its main category's class, closure level, deadline policy and photo rule unless given (a parent that is itself a subcategory, or another class: 422 `category_parent_invalid`; an unknown parent: 404 `category_not_found`). " +
          "A code of another shape: 400 `invalid_category`; a code in use: 409 `category_exists`. The other fields are checked as `updateCategory` checks them (422 `questions_invalid`, 404 `department_not_found`).",
        body: Type.Object(
          {
            code: CategoryCode,
            name: Type.String({ minLength: 1, maxLength: 50 }),
            parentCode: Nullable(CategoryCode),
            class: Type.Optional(Type.Enum(["component", "event", "governance", "appeal"], { description: "A main category's class; a subcategory takes its parent's" })),
            departmentCode: Type.Optional(Nullable(DepartmentCode)),
            closureLevel: Type.Optional(Type.Enum(["community", "street", "district"])),
            deadlinePolicy: Type.Optional(Type.Enum(["dukao130", "standard", "urgent", "emergency", "consultation"])),
            photoRequired: Type.Optional(Type.Boolean()),
            emergency: Type.Optional(Type.Boolean()),
            keywords: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 20 }), { maxItems: 30 })),
            questions: Type.Optional(Type.Array(Question, { maxItems: MAX_QUESTIONS })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ category: Category }), ...errors(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const category = await createCategory(ctx, request.actor, request.body);
      return reply.status(201).header("etag", `"${category.version}"`).send({ category });
    },
  );

  app.patch(
    "/categories/:code",
    {
      schema: {
        operationId: "updateCategory",
        tags: ["cases"],
        summary: "Edit a category's department, closure level, deadline policy, photo rule, emergency flag, keywords or extra questions (If-Match)",
        description:
          "Only an administrator of the whole district (or above) edits categories: others get 403 `district_scope_required`. Questions with repeated codes, a choice question without choices, bounds on the wrong type or min above max: 422 `questions_invalid` with `details.questions` [{ code, problem }].",
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
            open311: Type.Optional(Type.Boolean({ description: "Offer it to Open311 clients (true for every category until cleared)" })),
            questions: Type.Optional(Type.Array(Question, { maxItems: MAX_QUESTIONS, description: "Replaces the list; old cases keep the questions as they were answered" })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Object({ category: Category }), ...errors(400, 401, 403, 404, 412, 422, 428) },
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

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { CategoryCode, errors, Nullable, Uuid } from "../../http/schemas.ts";
import { ACTIONS } from "../cases/workflow.ts";
import { createTemplate, deleteTemplate, listTemplates, updateTemplate } from "./templates.service.ts";

const Visibility = Type.Enum(["staff", "public"], { description: "staff: for notes only staff see; public: for notes shown to the reporter (publicNote)" });
const Action = Type.Enum([...ACTIONS], { description: "The workflow action whose note it is for" });
const Title = Type.String({ minLength: 1, maxLength: 40 });
const Body = Type.String({ minLength: 1, maxLength: 1000, description: "The text; {caseNumber}, {deadline} and {department} are filled from the case" });

const ResponseTemplate = Type.Object({
  id: Uuid,
  categoryCode: Nullable(Type.String({ description: "For this category and those under it; null: any" })),
  action: Nullable(Type.String({ description: "For this action's note; null: any" })),
  visibility: Visibility,
  title: Title,
  body: Body,
  version: Type.Integer(),
});

/** Response templates (常用语): a district's phrases for the note fields of case actions. */
export async function templateRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/response-templates",
    {
      schema: {
        operationId: "listResponseTemplates",
        tags: ["cases"],
        summary: "The district's response templates, for a category (its own, a category above it's, any) and an action (its own or any)",
        querystring: Type.Object(
          { category: Type.Optional(CategoryCode), action: Type.Optional(Action), visibility: Type.Optional(Visibility) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ templates: Type.Array(ResponseTemplate) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => ({ templates: await listTemplates(ctx, request.actor, request.query) }),
  );

  app.post(
    "/response-templates",
    {
      schema: {
        operationId: "createResponseTemplate",
        tags: ["cases"],
        summary: "Add a response template to the district (administrators of the whole district; audited)",
        description: "A placeholder other than {caseNumber}, {deadline} and {department} is 400 `unknown_placeholder`.",
        body: Type.Object(
          { categoryCode: Nullable(CategoryCode), action: Nullable(Action), visibility: Visibility, title: Title, body: Body },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ template: ResponseTemplate }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const template = await createTemplate(ctx, request.actor, request.body);
      return reply.status(201).header("etag", `"${template.version}"`).send({ template });
    },
  );

  app.patch(
    "/response-templates/:id",
    {
      schema: {
        operationId: "updateResponseTemplate",
        tags: ["cases"],
        summary: "Edit a response template (If-Match; audited)",
        params: Type.Object({ id: Uuid }),
        headers: Type.Object({ "if-match": Type.Optional(Type.String()) }),
        body: Type.Object(
          {
            categoryCode: Type.Optional(Nullable(CategoryCode)),
            action: Type.Optional(Nullable(Action)),
            visibility: Type.Optional(Visibility),
            title: Type.Optional(Title),
            body: Type.Optional(Body),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Object({ template: ResponseTemplate }), ...errors(400, 401, 403, 404, 412, 428) },
      },
    },
    async (request, reply) => {
      const template = await updateTemplate(ctx, request.actor, request.params.id, request.headers["if-match"], request.body);
      return reply.header("etag", `"${template.version}"`).send({ template });
    },
  );

  app.delete(
    "/response-templates/:id",
    {
      schema: {
        operationId: "deleteResponseTemplate",
        tags: ["cases"],
        summary: "Remove a response template (audited)",
        params: Type.Object({ id: Uuid }),
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await deleteTemplate(ctx, request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  );
}

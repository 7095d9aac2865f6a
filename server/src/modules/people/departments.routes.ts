import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { DepartmentCode, DivisionCode, errors, Nullable } from "../../http/schemas.ts";
import { createDepartment, updateDepartment } from "./departments.service.ts";

export const Department = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  divisionCode: Type.String(),
  dutyPhone: Nullable(Type.String({ description: "The staffed duty phone for urgent notices, masked: 0871****45" })),
  version: Type.Integer(),
});

const DutyPhone = Nullable(Type.String({ pattern: "^[0-9+\\- ]{5,20}$", description: "A phone kept staffed for urgent notices" }));
const Name = Type.String({ minLength: 1, maxLength: 60 });

/** Creating and editing departments, within the administrator's scope. */
export async function departmentRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    "/departments",
    {
      schema: {
        operationId: "createDepartment",
        tags: ["people"],
        summary: "Add a department under a division of the caller's scope (audited)",
        description: "A division outside the caller's scope answers 404 `division_not_found`; a code in use 409 `department_code_taken`.",
        body: Type.Object({ code: DepartmentCode, name: Name, divisionCode: DivisionCode, dutyPhone: Type.Optional(DutyPhone) }, { additionalProperties: false }),
        response: { 201: Type.Object({ department: Department }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const department = await createDepartment(ctx, request.actor, request.body);
      return reply.status(201).header("etag", `"${department.version}"`).send({ department });
    },
  );

  app.patch(
    "/departments/:code",
    {
      schema: {
        operationId: "updateDepartment",
        tags: ["people"],
        summary: "Edit a department's name, division or duty phone (If-Match; audited)",
        params: Type.Object({ code: DepartmentCode }),
        headers: Type.Object({ "if-match": Type.Optional(Type.String()) }),
        body: Type.Object(
          { name: Type.Optional(Name), divisionCode: Type.Optional(DivisionCode), dutyPhone: Type.Optional(DutyPhone) },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Object({ department: Department }), ...errors(400, 401, 403, 404, 412, 428) },
      },
    },
    async (request, reply) => {
      const department = await updateDepartment(ctx, request.actor, request.params.code, request.headers["if-match"], request.body);
      return reply.header("etag", `"${department.version}"`).send({ department });
    },
  );
}

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { DepartmentCode, DivisionCode, errors, Uuid } from "../../http/schemas.ts";
import { ROLES } from "./roles.ts";
import { createUser, getUser, listDepartments, listUsers } from "./users.service.ts";

const RoleName = Type.Enum(ROLES);

const User = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()], { description: "Masked: 138****5678" }),
  roles: Type.Array(Type.String()),
  scopeCode: Type.Union([Type.String(), Type.Null()]),
  department: Type.Union([Type.Object({ code: Type.String(), name: Type.String() }), Type.Null()]),
  disabled: Type.Boolean(),
});

const NewUser = Type.Object(
  {
    username: Type.String({ pattern: "^[a-z0-9][a-z0-9._-]{1,63}$" }),
    displayName: Type.String({ minLength: 1, maxLength: 100 }),
    password: Type.String({ minLength: 8, maxLength: 256 }),
    roles: Type.Array(RoleName, { minItems: 1, uniqueItems: true }),
    scopeCode: Type.Optional(Type.Union([DivisionCode, Type.Null()])),
    departmentCode: Type.Optional(Type.Union([DepartmentCode, Type.Null()])),
    phone: Type.Optional(Type.Union([Type.String({ pattern: "^[0-9+\\- ]{5,20}$" }), Type.Null()])),
  },
  { additionalProperties: false },
);

export async function peopleRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/users",
    {
      schema: {
        operationId: "listUsers",
        tags: ["people"],
        summary: "Accounts in the caller's scope, by username, in pages",
        querystring: Type.Object(
          {
            division: Type.Optional(DivisionCode),
            role: Type.Optional(RoleName),
            cursor: Type.Optional(Type.String({ maxLength: 64 })),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ users: Type.Array(User), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { division, role, cursor, limit } = request.query;
      return listUsers(ctx, request.actor, { division, role, after: cursor, limit });
    },
  );

  app.get(
    "/users/:id",
    {
      schema: {
        operationId: "getUser",
        tags: ["people"],
        summary: "One account in the caller's scope",
        params: Type.Object({ id: Uuid }),
        response: { 200: Type.Object({ user: User }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({ user: await getUser(ctx, request.actor, request.params.id) }),
  );

  app.post(
    "/users",
    {
      schema: {
        operationId: "createUser",
        tags: ["people"],
        summary: "Create an account inside the caller's scope",
        body: NewUser,
        response: {
          201: Type.Object({
            user: Type.Object({
              id: Type.String(),
              username: Type.String(),
              displayName: Type.String(),
              roles: Type.Array(Type.String()),
              scopeCode: Type.Union([Type.String(), Type.Null()]),
            }),
          }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => reply.status(201).send({ user: await createUser(ctx, request.actor, request.body) }),
  );

  app.get(
    "/departments",
    {
      schema: {
        operationId: "listDepartments",
        tags: ["people"],
        summary: "Departments that serve the caller's scope",
        response: {
          200: Type.Object({
            departments: Type.Array(
              Type.Object({ id: Type.String(), code: Type.String(), name: Type.String(), divisionCode: Type.String() }),
            ),
          }),
          ...errors(401, 403),
        },
      },
    },
    async (request) => ({ departments: await listDepartments(ctx, request.actor) }),
  );
}

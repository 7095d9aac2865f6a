import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { Department } from "./departments.routes.ts";
import { DepartmentCode, DivisionCode, errors, Uuid } from "../../http/schemas.ts";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "../auth/password-policy.ts";
import { ROLES } from "./roles.ts";
import { createUser, getUser, listDepartments, listUsers, lockUser, resetPassword, unlockUser, updateUser } from "./users.service.ts";

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
  locked: Type.Boolean({ description: "Locked by an administrator until unlocked" }),
  passwordChangeRequired: Type.Boolean({ description: "The owner must choose a new password at the next sign-in" }),
  version: Type.Integer({ description: "Send as If-Match (quoted, as in the ETag) to PATCH the user" }),
});

const Password = Type.String({
  minLength: 1,
  maxLength: MAX_PASSWORD_LENGTH,
  description: `At least ${MIN_PASSWORD_LENGTH} characters, not among the commonest passwords, not containing the user name (else 400 \`weak_password\`)`,
});

const UserId = Type.Object({ id: Uuid });

const MANAGEMENT_RULES =
  "The caller manages only accounts in their scope (others are 404), never their own (403 `own_account`), and only " +
  "accounts whose roles they manage (403 `role_not_managed`): a system administrator the ordinary roles, a security " +
  "administrator also the system administrator and auditor roles. The change is audited and, where stated, ends the account's sessions.";

const NewUser = Type.Object(
  {
    username: Type.String({ pattern: "^[a-z0-9][a-z0-9._-]{1,63}$" }),
    displayName: Type.String({ minLength: 1, maxLength: 100 }),
    password: Password,
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
        description: "A `division` or `covers` outside the caller's scope answers 404 `division_not_found`.",
        querystring: Type.Object(
          {
            division: Type.Optional(DivisionCode),
            covers: Type.Optional(Type.String({ pattern: "^[0-9]{6,18}$", description: "Only accounts whose scope covers this division: the division itself or one above it" })),
            role: Type.Optional(RoleName),
            cursor: Type.Optional(Type.String({ maxLength: 64 })),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ users: Type.Array(User), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const { division, covers, role, cursor, limit } = request.query;
      return listUsers(ctx, request.actor, { division, covers, role, after: cursor, limit });
    },
  );

  app.get(
    "/users/:id",
    {
      schema: {
        operationId: "getUser",
        tags: ["people"],
        summary: "One account in the caller's scope",
        params: UserId,
        response: { 200: Type.Object({ user: User }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const user = await getUser(ctx, request.actor, request.params.id);
      return reply.header("etag", `"${user.version}"`).send({ user });
    },
  );

  app.patch(
    "/users/:id",
    {
      schema: {
        operationId: "updateUser",
        tags: ["people"],
        summary: "Edit an account: name, phone, roles, scope, department, disabled (If-Match)",
        description:
          `${MANAGEMENT_RULES} New roles must be ones the caller manages, at most one of admin, security_admin and auditor ` +
          "(400 `administrator_roles_exclusive`); a new scope lies inside the caller's. Changing roles, scope or department, " +
          "or disabling, ends the account's sessions.",
        params: UserId,
        headers: Type.Object({ "if-match": Type.Optional(Type.String()) }),
        body: Type.Object(
          {
            displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            phone: Type.Optional(Type.Union([Type.String({ pattern: "^[0-9+\\- ]{5,20}$" }), Type.Null()])),
            roles: Type.Optional(Type.Array(RoleName, { minItems: 1, uniqueItems: true })),
            scopeCode: Type.Optional(Type.Union([DivisionCode, Type.Null()])),
            departmentCode: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
            disabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Type.Object({ user: User }), ...errors(400, 401, 403, 404, 412, 428) },
      },
    },
    async (request, reply) => {
      const user = await updateUser(ctx, request.actor, request.params.id, request.headers["if-match"], request.body);
      return reply.header("etag", `"${user.version}"`).send({ user });
    },
  );

  app.post(
    "/users/:id/password-reset",
    {
      schema: {
        operationId: "resetUserPassword",
        tags: ["people"],
        summary: "Set a new password for an account, which its owner must change at the next sign-in; its sessions end",
        description: MANAGEMENT_RULES,
        params: UserId,
        body: Type.Object({ password: Password }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await resetPassword(ctx, request.actor, request.params.id, request.body.password);
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/users/:id/lock",
    {
      schema: {
        operationId: "lockUser",
        tags: ["people"],
        summary: "Lock an account until it is unlocked: its sessions end and it cannot sign in",
        description: MANAGEMENT_RULES,
        params: UserId,
        response: { 200: Type.Object({ user: User }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({ user: await lockUser(ctx, request.actor, request.params.id) }),
  );

  app.post(
    "/users/:id/unlock",
    {
      schema: {
        operationId: "unlockUser",
        tags: ["people"],
        summary: "Unlock an account, and lift the sign-in blocks its failed attempts earned",
        description: MANAGEMENT_RULES,
        params: UserId,
        response: { 200: Type.Object({ user: User }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ({ user: await unlockUser(ctx, request.actor, request.params.id) }),
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
        summary: "Departments that serve the caller's scope, duty phones masked",
        response: {
          200: Type.Object({
            departments: Type.Array(
              Department,
            ),
          }),
          ...errors(401, 403),
        },
      },
    },
    async (request) => ({ departments: await listDepartments(ctx, request.actor) }),
  );
}

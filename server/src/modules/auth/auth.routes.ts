import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyReply } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { sessionCookieName } from "../../http/authentication.ts";
import { errors } from "../../http/schemas.ts";
import { AppError } from "../../errors.ts";
import { presentMe, Me } from "../people/people.presenters.ts";
import { changeOwnPassword, login, logout } from "./auth.service.ts";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./password-policy.ts";

const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export async function authRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const cookieName = sessionCookieName(ctx.config.secureCookies);

  app.post(
    "/auth/login",
    {
      config: { public: true, signIn: true },
      schema: {
        operationId: "login",
        tags: ["auth"],
        summary: "Sign in with a username and password; sets the session cookie",
        description:
          "An unknown name, a wrong password and a locked or disabled account get the same 401 `invalid_credentials`. " +
          "Failed attempts are throttled per account and source address: after the first, 1, 2, 4 … s, then a block of " +
          "LOGIN_LOCKOUT_MINUTES at each LOGIN_MAX_FAILURES-th failure; meanwhile 429 `login_throttled` with Retry-After.",
        body: LoginBody,
        response: { 200: Type.Object({ user: Me }), ...errors(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const { token, actor } = await login(ctx, username, password, request.ip).catch((error: unknown) => {
        throw withRetryAfter(reply, error);
      });
      reply.setCookie(cookieName, token, {
        path: "/",
        httpOnly: true,
        sameSite: "lax",
        secure: ctx.config.secureCookies,
        maxAge: ctx.config.session.absoluteHours * 3600,
      });
      return { user: await presentMe(ctx, actor) };
    },
  );

  app.post(
    "/auth/password",
    {
      config: { beforePasswordChange: true },
      schema: {
        operationId: "changeMyPassword",
        tags: ["auth"],
        summary: "Change your own password, giving the current one; your other sessions end",
        description:
          `The new password has at least ${MIN_PASSWORD_LENGTH} characters, is not among the commonest passwords and does not ` +
          "contain the user name (else 400 `weak_password`, the rule in details). A wrong current password is 403 `wrong_password`; " +
          "attempts are throttled as sign-ins are (429 `login_throttled` with Retry-After).",
        body: Type.Object(
          {
            currentPassword: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH }),
            newPassword: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH }),
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null(), ...errors(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      await changeOwnPassword(ctx, request.actor, request.sessionToken, request.body, request.ip).catch((error: unknown) => {
        throw withRetryAfter(reply, error);
      });
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/auth/logout",
    {
      config: { beforePasswordChange: true },
      schema: {
        operationId: "logout",
        tags: ["auth"],
        summary: "End the current session on the server",
        response: { 204: Type.Null(), ...errors(401) },
      },
    },
    async (request, reply) => {
      if (request.sessionToken) await logout(ctx, request.sessionToken, request.actor);
      reply.clearCookie(cookieName, { path: "/" });
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/auth/me",
    {
      config: { beforePasswordChange: true },
      schema: {
        operationId: "getMe",
        tags: ["auth"],
        summary: "The signed-in user, their roles, permissions and scope",
        response: { 200: Type.Object({ user: Me }), ...errors(401) },
      },
    },
    async (request) => ({ user: await presentMe(ctx, request.actor) }),
  );
}

/** A throttled attempt says in Retry-After when to try again. */
function withRetryAfter(reply: FastifyReply, error: unknown): unknown {
  if (error instanceof AppError && error.code === "login_throttled") {
    reply.header("retry-after", String((error.details as { retryAfter: number }).retryAfter));
  }
  return error;
}

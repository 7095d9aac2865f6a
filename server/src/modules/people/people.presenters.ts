import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import type { Actor } from "../auth/actor.ts";

export const DivisionRef = Type.Object({ code: Type.String(), name: Type.String(), level: Type.String() });

export const Me = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(Type.String()),
  permissions: Type.Array(Type.String()),
  scope: Type.Union([DivisionRef, Type.Null()]),
  passwordChangeRequired: Type.Boolean({
    description: "The account must choose a new password (POST /auth/password) before anything else: other operations answer 403 `password_change_required`",
  }),
});

export async function presentMe(ctx: AppContext, actor: Actor) {
  const scope = actor.scopeCode
    ? await ctx.db
        .selectFrom("divisions")
        .select(["code", "name", "level"])
        .where("code", "=", actor.scopeCode)
        .executeTakeFirst()
    : undefined;
  return {
    id: actor.userId,
    username: actor.username,
    displayName: actor.displayName,
    roles: actor.roles,
    permissions: [...actor.permissions].sort(),
    scope: scope ?? null,
    passwordChangeRequired: actor.passwordChangeRequired,
  };
}

/** 138****5678: enough to recognise a number, not to call it. */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return null;
  if (phone.length < 7) return "*".repeat(phone.length);
  return `${phone.slice(0, 3)}${"*".repeat(phone.length - 7)}${phone.slice(-4)}`;
}

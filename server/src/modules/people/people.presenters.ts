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

/** A mainland mobile number: 11 digits starting with 1. */
const MOBILE = /^1[0-9]{10}$/;

/**
 * Every phone number the API shows is masked by this one rule (the full number only through the
 * audited reveal). Separators (spaces, dashes, a plus) are dropped and only the digits are kept:
 *  - an 11-digit mainland mobile shows its first 3 and last 4 digits: 13812345678 → 138****5678,
 *    the form people recognise their own number by;
 *  - any other number of n digits shows its first ⌊n/4⌋ and last ⌊n/4⌋ digits, so at least half
 *    stays hidden and fewer than 4 digits show none: 0871-6512345 → 08*******45, 12345 → 1***5.
 * A whole number is never shown.
 */
export function maskPhone(phone: string | null): string | null {
  if (phone === null) return null;
  const digits = phone.replace(/[^0-9]/g, "");
  const [head, tail] = MOBILE.test(digits) ? [3, 4] : [Math.floor(digits.length / 4), Math.floor(digits.length / 4)];
  return digits.slice(0, head) + "*".repeat(digits.length - head - tail) + digits.slice(digits.length - tail);
}

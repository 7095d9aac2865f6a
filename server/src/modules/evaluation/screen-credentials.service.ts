import crypto from "node:crypto";
import { sql } from "kysely";
import type { AppContext } from "../../context.ts";
import { notFound } from "../../errors.ts";
import { codeInScope, requirePermission, type Actor } from "../auth/actor.ts";
import { regionOf, writeAudit } from "../audit/audit.repository.ts";
import type { Permission } from "../people/roles.ts";
import { findLiveScreenCredential, findScreenCredentials, touchScreenCredential, type ScreenCredentialRow } from "./screen-credentials.repository.ts";

/** Screen tokens are told apart from API keys (ggk_) and sessions at a glance. */
export const SCREEN_TOKEN_PREFIX = "ggs_";
/** What a screen reads: figures, divisions and grids of its division, and the overdue list. */
const SCREEN_PERMISSIONS: readonly Permission[] = ["indicator.read", "division.read", "grid.read"];

export const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

/** The actor of a screen token: read-only, scoped to its division; null when unknown or revoked. */
export async function actorOfScreenToken(ctx: AppContext, token: string): Promise<Actor | null> {
  if (!token.startsWith(SCREEN_TOKEN_PREFIX)) return null;
  const row = await findLiveScreenCredential(ctx.db, sha256(token));
  if (!row) return null;
  if (row.stale) await touchScreenCredential(ctx.db, row.id);
  return {
    userId: row.id,
    username: `screen:${row.id}`,
    displayName: row.name,
    roles: [],
    permissions: new Set(SCREEN_PERMISSIONS),
    scopeCode: row.division_code,
    departmentId: null,
    passwordChangeRequired: false,
    screenCredentialId: row.id,
  };
}

export function presentScreenCredential(row: ScreenCredentialRow) {
  return {
    id: row.id,
    name: row.name,
    division: { code: row.division_code, name: row.division_name ?? row.division_code },
    createdBy: { id: row.created_by, name: row.created_by_name ?? "" },
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
  };
}

export async function listScreenCredentials(ctx: AppContext, actor: Actor) {
  requirePermission(actor, "screen.write");
  return (await findScreenCredentials(ctx.db, actor)).map(presentScreenCredential);
}

/** Issues a credential for a division in the actor's scope; the token is in this answer only. */
export async function issueScreenCredential(ctx: AppContext, actor: Actor, input: { name: string; division: string }) {
  requirePermission(actor, "screen.write");
  const division = codeInScope(actor, input.division)
    ? await ctx.db.selectFrom("divisions").select(["code", "name"]).where("code", "=", input.division).executeTakeFirst()
    : undefined;
  if (!division || division.code.length > 12) throw notFound("division_not_found", "No such district, street or community in your scope");
  const token = SCREEN_TOKEN_PREFIX + crypto.randomBytes(32).toString("base64url");
  const id = crypto.randomUUID();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto("screen_credentials")
      .values({ id, name: input.name, division_code: division.code, token_hash: sha256(token), created_by: actor.userId })
      .execute();
    await writeAudit(trx, {
      regionCode: regionOf(division.code),
      actorId: actor.userId,
      action: "screen_credential.create",
      targetType: "screen_credential",
      targetId: id,
      details: { name: input.name, division: division.code },
    });
  });
  const [row] = (await findScreenCredentials(ctx.db, actor)).filter((credential) => credential.id === id);
  return { credential: presentScreenCredential(row), token, url: `/screen#key=${token}` };
}

/** Revokes a credential in the actor's scope: its requests answer 401 at once and its streams end. */
export async function revokeScreenCredential(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, "screen.write");
  const revoked = await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable("screen_credentials")
      .set({ revoked_at: sql`now()` })
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .where(sql<boolean>`division_code like ${`${actor.scopeCode ?? "-"}%`}`)
      .returning(["division_code"])
      .executeTakeFirst();
    if (!row) return false;
    await writeAudit(trx, {
      regionCode: regionOf(row.division_code),
      actorId: actor.userId,
      action: "screen_credential.revoke",
      targetType: "screen_credential",
      targetId: id,
    });
    return true;
  });
  if (!revoked) throw notFound("screen_credential_not_found", "No such live screen credential in your scope");
  // The screen's open event streams end with it (in other processes at their next check).
  ctx.sessions.evictUser(id);
}

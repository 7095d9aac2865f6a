import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { inScope, type Actor } from "../auth/actor.ts";

export type ScreenCredentialRow = {
  id: string;
  name: string;
  division_code: string;
  division_name: string | null;
  created_by: string;
  created_by_name: string | null;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
};

/** The screen credentials of divisions in the actor's scope, newest first. */
export function findScreenCredentials(db: Kysely<DB>, actor: Actor): Promise<ScreenCredentialRow[]> {
  return db
    .selectFrom("screen_credentials as s")
    .leftJoin("divisions as d", "d.code", "s.division_code")
    .leftJoin("users as u", "u.id", "s.created_by")
    .select(["s.id", "s.name", "s.division_code", "d.name as division_name", "s.created_by", "u.display_name as created_by_name"])
    .select(["s.created_at", "s.revoked_at", "s.last_used_at"])
    .where(inScope(actor, sql.ref("s.division_code")))
    .orderBy("s.created_at", "desc")
    .limit(500)
    .execute();
}

/** The live credential of a token hash, with whether its last use is older than a minute. */
export function findLiveScreenCredential(db: Kysely<DB>, tokenHash: string) {
  return db
    .selectFrom("screen_credentials")
    .select(["id", "name", "division_code"])
    .select(sql<boolean>`last_used_at is null or last_used_at < now() - interval '1 minute'`.as("stale"))
    .where("token_hash", "=", tokenHash)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
}

export async function touchScreenCredential(db: Kysely<DB>, id: string): Promise<void> {
  await db.updateTable("screen_credentials").set({ last_used_at: sql`now()` }).where("id", "=", id).execute();
}

/** Which of these token hashes still name a live credential. */
export async function liveScreenTokenHashes(db: Kysely<DB>, hashes: string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows = await db.selectFrom("screen_credentials").select("token_hash").where("token_hash", "in", hashes).where("revoked_at", "is", null).execute();
  return new Set(rows.map((row) => row.token_hash));
}

import type { Kysely } from "kysely";
import { v7 as uuidv7 } from "uuid";
import type { DB } from "../../db/schema.ts";

export type AuditEntry = {
  regionCode: string;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  details?: Record<string, unknown>;
};

/** Appends one entry to the audit log, inside the caller's transaction. */
export async function writeAudit(db: Kysely<DB>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto("audit_log")
    .values({
      region_code: entry.regionCode,
      id: uuidv7(),
      actor_id: entry.actorId,
      action: entry.action,
      target_type: entry.targetType,
      target_id: entry.targetId,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

/** The region an entry about this scope belongs to: its district code. */
export function regionOf(scopeCode: string | null): string {
  return scopeCode ? scopeCode.slice(0, 6) : "000000";
}

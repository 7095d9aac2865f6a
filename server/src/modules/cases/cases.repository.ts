import { sql, type Kysely } from "kysely";
import { v7 as uuidv7 } from "uuid";
import type { CaseRow, DB } from "../../db/schema.ts";
import { inScope, type Actor } from "../auth/actor.ts";

/** The next case number of a region and day, e.g. 530103-20261122-00042; the counter row serialises intakes. */
export async function nextCaseNumber(db: Kysely<DB>, regionCode: string, day: string): Promise<string> {
  const row = await db
    .insertInto("case_number_counters")
    .values({ region_code: regionCode, day, last_value: 1 })
    .onConflict((conflict) =>
      conflict.columns(["region_code", "day"]).doUpdateSet({ last_value: sql`case_number_counters.last_value + 1` }),
    )
    .returning("last_value")
    .executeTakeFirstOrThrow();
  return `${regionCode}-${day}-${String(row.last_value).padStart(5, "0")}`;
}

/** One case in the actor's scope (its community lies under the actor's division), or undefined. */
export function findCaseInScope(db: Kysely<DB>, actor: Actor, id: string): Promise<CaseRow | undefined> {
  return db
    .selectFrom("cases")
    .selectAll()
    .where("id", "=", id)
    .where(inScope(actor, sql.ref("community_code")))
    .executeTakeFirst();
}

export function findTimeline(db: Kysely<DB>, regionCode: string, caseId: string) {
  return db
    .selectFrom("case_events")
    .leftJoin("users", "users.id", "case_events.actor_id")
    .select([
      "case_events.id",
      "case_events.at",
      "case_events.action",
      "case_events.from_status",
      "case_events.to_status",
      "case_events.level",
      "case_events.note",
      "case_events.public_note",
      "case_events.details",
      "users.display_name as actor_name",
    ])
    .where("case_events.region_code", "=", regionCode)
    .where("case_events.case_id", "=", caseId)
    .orderBy("case_events.at")
    .orderBy("case_events.id")
    .execute();
}

export type NewCaseEvent = {
  regionCode: string;
  caseId: string;
  actorId: string | null;
  action: string;
  from: string | null;
  to: string;
  level: string;
  note?: string | null;
  publicNote?: boolean;
  details?: Record<string, unknown>;
};

/** Appends one event to a case's timeline, inside the caller's transaction. */
export async function insertCaseEvent(db: Kysely<DB>, event: NewCaseEvent): Promise<void> {
  await db
    .insertInto("case_events")
    .values({
      region_code: event.regionCode,
      id: uuidv7(),
      case_id: event.caseId,
      actor_id: event.actorId,
      action: event.action,
      from_status: event.from,
      to_status: event.to,
      level: event.level,
      note: event.note ?? null,
      public_note: event.publicNote ?? false,
      details: JSON.stringify(event.details ?? {}),
    })
    .execute();
}

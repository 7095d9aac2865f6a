import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.ts";
import { caseInScope, caseUnder } from "./cases.repository.ts";

export type ReasonKind = "return" | "reject";

export function findReasons(db: Kysely<DB>, kind: ReasonKind | undefined, activeOnly: boolean) {
  return db
    .selectFrom("case_reasons")
    .selectAll()
    .$if(kind !== undefined, (query) => query.where("kind", "=", kind as ReasonKind))
    .$if(activeOnly, (query) => query.where("active", "=", true))
    .orderBy("kind")
    .orderBy("position")
    .orderBy("code")
    .execute();
}

export function findReason(db: Kysely<DB>, kind: ReasonKind, code: string) {
  return db.selectFrom("case_reasons").selectAll().where("kind", "=", kind).where("code", "=", code).executeTakeFirst();
}

/**
 * The returns of the cases under a division in the actor's scope, per department: how many the
 * department asked for (`return` events) and how many the centre approved, from the events'
 * recorded department, so that a later change of the case does not move the count.
 */
export function countReturnsByDepartment(db: Kysely<DB>, actor: Actor, division: string) {
  return db
    .selectFrom("case_events as e")
    .select([
      sql<string>`e.details->>'department'`.as("department_code"),
      sql<number>`count(*) filter (where e.action = 'return')::int`.as("requested"),
      sql<number>`count(*) filter (where e.action = 'approve_return')::int`.as("approved"),
    ])
    .where("e.region_code", "=", division.slice(0, 6))
    .where("e.action", "in", ["return", "approve_return"])
    .where(sql`e.details->>'department'`, "is not", null)
    .where("e.case_id", "in", (eb) =>
      eb
        .selectFrom("cases")
        .select("cases.id")
        .where((cases) => caseInScope(cases, actor))
        .where((cases) => caseUnder(cases, division)),
    )
    .groupBy(sql`e.details->>'department'`)
    .orderBy(sql`e.details->>'department'`)
    .execute();
}

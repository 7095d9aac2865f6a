import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { codeRangeEnd } from "./cases.repository.ts";

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
 * The returns of the cases under a division, per department: how many the department asked for
 * (`return` events) and how many the centre approved, from the counters kept with each event (the
 * department the event recorded, so that a later change of the case does not move the count).
 */
export function countReturnsByDepartment(db: Kysely<DB>, division: string) {
  return db
    .selectFrom("case_return_counts")
    .select([
      "department_code",
      sql<number>`sum(requested)::int`.as("requested"),
      sql<number>`sum(approved)::int`.as("approved"),
    ])
    .where("region_code", "=", division.slice(0, 6))
    .$if(division.length > 6, (query) => query.where("community_code", ">=", division).where("community_code", "<", codeRangeEnd(division) ?? division))
    .groupBy("department_code")
    .orderBy("department_code")
    .execute();
}

/** Counts a return request or its approval for the department it recorded, in the event's transaction. */
export async function countReturn(db: Kysely<DB>, at: { regionCode: string; communityCode: string; departmentCode: string }, kind: "requested" | "approved") {
  await db
    .insertInto("case_return_counts")
    .values({ region_code: at.regionCode, community_code: at.communityCode, department_code: at.departmentCode, [kind]: 1 })
    .onConflict((conflict) => conflict.columns(["region_code", "community_code", "department_code"]).doUpdateSet({ [kind]: sql`case_return_counts.${sql.ref(kind)} + 1` }))
    .execute();
}

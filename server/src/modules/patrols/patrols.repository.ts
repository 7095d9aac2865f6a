import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { inScope, type Actor } from "../auth/actor.ts";
import type { TrackGap } from "./patrol-track.ts";

export type NewPatrol = {
  regionCode: string;
  id: string;
  userId: string;
  divisionCode: string;
  startedAt: Date;
  endedAt: Date;
  day: string;
  track: [number, number, number, number][];
  gaps: TrackGap[];
  distanceMeters: number;
  trackedSeconds: number;
};

export async function insertPatrol(db: Kysely<DB>, patrol: NewPatrol): Promise<void> {
  await db
    .insertInto("patrols")
    .values({
      region_code: patrol.regionCode,
      id: patrol.id,
      user_id: patrol.userId,
      division_code: patrol.divisionCode,
      started_at: patrol.startedAt,
      ended_at: patrol.endedAt,
      day: patrol.day,
      track: JSON.stringify(patrol.track),
      gaps: JSON.stringify(patrol.gaps),
      point_count: patrol.track.length,
      distance_meters: patrol.distanceMeters,
      tracked_seconds: patrol.trackedSeconds,
    })
    .execute();
}

/**
 * Patrol time and distance per patroller and day under a division, for the patrols of people whose
 * scope lies under it and in the reader's scope, days from `from` to `to` (inclusive).
 */
export function sumPatrolDays(db: Kysely<DB>, actor: Actor, query: { division: string; from: string; to: string; userId?: string }) {
  return db
    .selectFrom("patrols")
    .innerJoin("users", "users.id", "patrols.user_id")
    .select([
      "patrols.user_id",
      "users.display_name",
      sql<string>`patrols.day::text`.as("day"),
      sql<string[]>`array_agg(patrols.id::text order by patrols.started_at)`.as("patrol_ids"),
      sql<number>`sum(extract(epoch from patrols.ended_at - patrols.started_at))::int`.as("duration_seconds"),
      sql<number>`sum(patrols.tracked_seconds)::int`.as("tracked_seconds"),
      sql<number>`sum(patrols.distance_meters)::float8`.as("distance_meters"),
      sql<number>`sum(jsonb_array_length(patrols.gaps))::int`.as("gaps"),
    ])
    .where("patrols.region_code", "=", query.division.slice(0, 6))
    .where("patrols.division_code", "like", `${query.division}%`)
    .where(inScope(actor, sql.ref("patrols.division_code")))
    .where(sql`patrols.day`, ">=", sql`${query.from}::date`)
    .where(sql`patrols.day`, "<=", sql`${query.to}::date`)
    .$if(query.userId !== undefined, (q) => q.where("patrols.user_id", "=", query.userId as string))
    .groupBy(["patrols.user_id", "users.display_name", "patrols.day"])
    .orderBy("patrols.day", "desc")
    .orderBy("users.display_name")
    .orderBy("patrols.user_id")
    .execute();
}

/** One patrol with its track, if its patroller's scope lies in the reader's. */
export function findPatrolInScope(db: Kysely<DB>, actor: Actor, id: string) {
  return db
    .selectFrom("patrols")
    .innerJoin("users", "users.id", "patrols.user_id")
    .selectAll("patrols")
    .select(["users.display_name", sql<string>`patrols.day::text`.as("day_text")])
    .where("patrols.id", "=", id)
    .where(inScope(actor, sql.ref("patrols.division_code")))
    .executeTakeFirst();
}

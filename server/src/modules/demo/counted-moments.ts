import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { calendarFor } from "../cases/calendars.ts";
import { responseHours } from "../cases/cases.repository.ts";

/**
 * Stamps generated cases with the moments indicators count by, from their events, as the workflow
 * stamps its own cases when it writes them: the first registration, dispatch and acknowledgement
 * (with whether it came within the region's response limit), the last handling (by whom, and the
 * working minutes since the first dispatch), the extensions granted. A community at a time, so that
 * each statement (and what the rollups' triggers add up from it) stays small.
 */
export async function stampCountedMoments(db: Kysely<DB>, regionCode: string): Promise<void> {
  const calendar = calendarFor(regionCode);
  const limitMs = (await responseHours(db, regionCode)) * 3_600_000;
  const { rows: communities } = await sql<{ community_code: string }>`
    select distinct community_code from cases where region_code = ${regionCode} and registered_at is null order by 1`.execute(db);
  for (const { community_code: community } of communities) {
    const { rows } = await sql<{
      id: string;
      registered_at: Date | null;
      dispatched_at: Date | null;
      acknowledged_at: Date | null;
      handled_at: Date | null;
      handled_by: string | null;
      extensions: number;
    }>`
      select c.id,
        min(e.at) filter (where e.action in ('register', 'handle_on_spot')) as registered_at,
        min(e.at) filter (where e.action = 'dispatch') as dispatched_at,
        min(e.at) filter (where e.action = 'acknowledge') as acknowledged_at,
        max(e.at) filter (where e.action in ('handle', 'handle_on_spot')) as handled_at,
        (array_agg(e.actor_id order by e.at desc) filter (where e.action in ('handle', 'handle_on_spot')))[1] as handled_by,
        (count(*) filter (where e.action = 'approve_extension'))::int as extensions
      from cases as c join case_events as e on e.region_code = c.region_code and e.case_id = c.id
      where c.region_code = ${regionCode} and c.community_code = ${community} and c.registered_at is null
      group by c.id
      having min(e.at) filter (where e.action in ('register', 'handle_on_spot')) is not null`.execute(db);
    if (rows.length === 0) continue;
    const stamped = rows.map((row) => {
      const dispatched = row.dispatched_at && new Date(row.dispatched_at);
      const acknowledged = row.acknowledged_at && new Date(row.acknowledged_at);
      const handled = row.handled_at && new Date(row.handled_at);
      return {
        id: row.id,
        registered_at: row.registered_at,
        dispatched_at: row.dispatched_at,
        acknowledged_at: row.acknowledged_at,
        responded_on_time: dispatched && acknowledged ? calendar.workingMillisBetween(dispatched, acknowledged) <= limitMs : null,
        handled_at: row.handled_at,
        handled_by: row.handled_by,
        handling_minutes: dispatched && handled ? Math.floor(calendar.workingMillisBetween(dispatched, handled) / 60_000) : null,
        extension_count: row.extensions,
      };
    });
    await sql`
      update cases set registered_at = s.registered_at, dispatched_at = s.dispatched_at, acknowledged_at = s.acknowledged_at,
        responded_on_time = s.responded_on_time, handled_at = s.handled_at, handled_by = s.handled_by,
        handling_minutes = s.handling_minutes, extension_count = s.extension_count
      from jsonb_to_recordset(${JSON.stringify(stamped)}::jsonb) as s (id uuid, registered_at timestamptz, dispatched_at timestamptz,
        acknowledged_at timestamptz, responded_on_time boolean, handled_at timestamptz, handled_by uuid, handling_minutes integer, extension_count integer)
      where cases.region_code = ${regionCode} and cases.id = s.id`.execute(db);
  }
}

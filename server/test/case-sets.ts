import { sql, type Kysely } from "kysely";
import type { DB } from "../src/db/schema.ts";

/**
 * A group of cases made to a published report's counts, written straight into the table so that
 * tens of thousands cost one statement: each moment is a day at noon (Asia/Shanghai), null when
 * the case never got there. The rollups count them as the workflow's own cases.
 */
export type CaseGroup = {
  /** The community of the cases (its first grid): 530103001001 unless given. */
  community?: string;
  count: number;
  created: string;
  registered?: string;
  dispatched?: string;
  deadline: string;
  handled?: string;
  closed?: string;
  status: string;
  reworked?: number;
  extended?: number;
  /** The first this many were acknowledged within the response limit, at dispatch. */
  responded?: number;
  /** The first `rated` were rated: the first `satisfied` 满意, the next `basicallySatisfied` 基本满意, the rest 不满意; the first `resolved` said solved. */
  rated?: number;
  satisfied?: number;
  basicallySatisfied?: number;
  resolved?: number;
  /** The staff member who found the problems (a grid worker), if any. */
  reporterUserId?: string;
};

let serial = 0;

export async function insertGroup(db: Kysely<DB>, group: CaseGroup): Promise<void> {
  const community = group.community ?? "530103001001";
  const noon = (day: string | undefined) => (day === undefined ? null : `${day}T12:00:00+08:00`);
  const first = serial;
  serial += group.count;
  // Rework and extension on the first cases of the group.
  await sql`
    insert into cases (region_code, id, number, status, level, source, category_code, title, description, search_text, lat, lng,
      grid_code, community_code, street_code, tracking_token_hash, accept_by, dispatch_by, feedback_by, handle_by, created_at,
      registered_at, dispatched_at, handled_at, closed_at, rework_count, extension_count, acknowledged_at, responded_on_time,
      satisfaction, resolved, reporter_user_id)
    select '530103', gen_random_uuid(), '530103-20250101-' || lpad((${first}::int + n)::text, 7, '0'), ${group.status}, 'street', 'hotline',
      'component.public_facility.street_light', '路灯', '路灯不亮', '路灯', 25.04, 102.71,
      ${`${community}001`}, ${community}, ${community.slice(0, 9)}, 'x',
      ${noon(group.created)}::timestamptz, ${noon(group.created)}::timestamptz, ${noon(group.created)}::timestamptz, ${`${group.deadline}T23:59:59+08:00`}::timestamptz,
      ${noon(group.created)}::timestamptz, ${noon(group.registered)}::timestamptz, ${noon(group.dispatched)}::timestamptz,
      ${noon(group.handled)}::timestamptz, ${noon(group.closed)}::timestamptz,
      case when n < ${group.reworked ?? 0} then 1 else 0 end, case when n < ${group.extended ?? 0} then 1 else 0 end,
      case when n < ${group.responded ?? 0} then ${noon(group.dispatched)}::timestamptz end, case when n < ${group.responded ?? 0} then true end,
      case when n < ${group.satisfied ?? 0} then 'satisfied'
        when n < ${(group.satisfied ?? 0) + (group.basicallySatisfied ?? 0)} then 'basically_satisfied'
        when n < ${group.rated ?? 0} then 'dissatisfied' end,
      case when n < ${group.rated ?? 0} then n < ${group.resolved ?? 0} end, ${group.reporterUserId ?? null}::uuid
    from generate_series(0, ${group.count - 1}) as n`.execute(db);
}


import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

/** An entry of a region's case event log, as readers receive it. */
export type LogEntry = {
  regionCode: string;
  position: number;
  at: Date;
  eventId: string;
  caseId: string;
  number: string;
  action: string;
  status: string;
  level: string;
  streetCode: string;
  communityCode: string;
  gridCode: string;
  departmentCode: string | null;
  /** The case's co-handling departments (ids), whose staff read it too. */
  coDepartmentIds: string[];
};

/** The entries of a region after `after` and up to `upTo` (inclusive), in position order, at most `limit`. */
export async function readLog(db: Kysely<DB>, regionCode: string, after: number, upTo: number, limit: number): Promise<LogEntry[]> {
  const rows = await db
    .selectFrom("case_event_log")
    .selectAll()
    .where("region_code", "=", regionCode)
    .where("position", ">", after)
    .where("position", "<=", upTo)
    .orderBy("position")
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    regionCode: row.region_code,
    position: row.position,
    at: row.at,
    eventId: row.event_id,
    caseId: row.case_id,
    number: row.number,
    action: row.action,
    status: row.status,
    level: row.level,
    streetCode: row.street_code,
    communityCode: row.community_code,
    gridCode: row.grid_code,
    departmentCode: row.department_code,
    coDepartmentIds: row.co_department_ids,
  }));
}

/**
 * A region's last committed position (0 before its first entry) and the oldest position still
 * kept (null when the purge has left none).
 */
export async function logBounds(db: Kysely<DB>, regionCode: string): Promise<{ head: number; oldest: number | null }> {
  const row = await sql<{ head: number | null; oldest: number | null }>`select
      (select position from case_event_log_heads where region_code = ${regionCode}) as head,
      (select min(position) from case_event_log where region_code = ${regionCode}) as oldest`
    .execute(db)
    .then((result) => result.rows[0]);
  return { head: Number(row?.head ?? 0), oldest: row?.oldest == null ? null : Number(row.oldest) };
}

/** Deletes entries older than `hours`; the heads stay, so positions never repeat. */
export async function purgeEventLog(db: Kysely<DB>, hours: number): Promise<number> {
  const result = await db
    .deleteFrom("case_event_log")
    .where("at", "<", sql<Date>`now() - make_interval(hours => ${hours})`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Lets the transaction write case events without the log's row trigger, for a bulk writer that
 * appends them itself with `appendCasesToLog` as its last statement.
 */
export async function holdEventLogging(trx: Kysely<DB>): Promise<void> {
  await sql`select set_config('gridgov.case_event_log', 'off', true)`.execute(trx);
}

/**
 * Appends the events of the region's cases `caseIds`, written since `holdEventLogging`, in one
 * statement, and logs the transaction's later events one by one again. It takes the region's log
 * positions until the commit, so it must be the transaction's last statement. Answers how many.
 */
export async function appendCasesToLog(trx: Kysely<DB>, regionCode: string, caseIds: readonly string[]): Promise<number> {
  const { rows } = await sql<{ appended: string }>`select case_event_log_append_cases(${regionCode}, ${[...caseIds]}::uuid[]) as appended`.execute(trx);
  return Number(rows[0]?.appended ?? 0);
}

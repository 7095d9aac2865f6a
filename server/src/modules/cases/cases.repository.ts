import { sql, type Insertable, type Kysely } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { v7 as uuidv7 } from "uuid";
import type { CaseRow, CaseTable, DB } from "../../db/schema.ts";
import { inScope, type Actor } from "../auth/actor.ts";

/** Statuses of a case still being worked on: the ones a new report may duplicate. */
export const OPEN_STATUSES = ["reported", "accepted", "registered", "dispatched", "in_progress", "suspended", "handled"] as const;

export type NearbyCase = { id: string; number: string; lat: number; lng: number; search_text: string };

export type NewReport = {
  case: Omit<Insertable<CaseTable>, "number" | "department_code">;
  /** The day of the case number, yyyymmdd in the district's time zone. */
  day: string;
  /** The category's department when no routing rule of the case's community names one. */
  defaultDepartment: string | null;
  event: { actorId: string | null; details: Record<string, unknown> };
};

/** Open cases of the same category this near and this recent are read back for duplicate detection. */
export type NearbyWindow = { radiusMeters: number; days: number };

const METERS_PER_DEGREE = 111_320;

/**
 * Writes reported cases and their first events in one statement, so that a batch of intakes costs
 * one round trip: each region's day counter is advanced once for the whole batch and draws the
 * numbers (530103-20261122-00042), the most specific routing rule of each case's community names
 * its department, and the open cases near each place come back for duplicate detection (read as
 * they were before the batch). Answers in the order of `reports`.
 */
export async function insertReportedCases(
  db: Kysely<DB>,
  reports: readonly NewReport[],
  window: NearbyWindow,
): Promise<{ row: CaseRow; nearby: NearbyCase[] }[]> {
  // One counter row per region and day; sorted, so that concurrent batches lock them in one order.
  const counts = new Map<string, { region_code: string; day: string; last_value: number }>();
  const ordinals = reports.map((report) => {
    const key = `${report.case.region_code}-${report.day}`;
    const counter = counts.get(key) ?? { region_code: report.case.region_code, day: report.day, last_value: 0 };
    counts.set(key, counter);
    return ++counter.last_value;
  });
  const counters = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, counter]) => counter);
  const reported = new Map<string, { region_code: string; community_code: string; status: string; cases: number }>();
  for (const { case: values } of reports) {
    const key = `${values.region_code}-${values.community_code}-${values.status}`;
    const count = reported.get(key) ?? { region_code: values.region_code, community_code: values.community_code, status: values.status, cases: 0 };
    reported.set(key, count);
    count.cases++;
  }

  const rows = await db
    .with("counter", (qb) =>
      qb
        .insertInto("case_number_counters")
        .values(counters)
        .onConflict((conflict) =>
          conflict.columns(["region_code", "day"]).doUpdateSet({ last_value: sql`case_number_counters.last_value + excluded.last_value` }),
        )
        .returning(["region_code", "day", "last_value"]),
    )
    .with("inserted", (qb) =>
      qb
        .insertInto("cases")
        .values(
          reports.map((report, index) => {
            const { region_code: region, category_code: category, community_code: community } = report.case;
            const batchCount = counts.get(`${region}-${report.day}`)?.last_value ?? 1;
            return {
              ...report.case,
              // The counter now holds the batch's last number of the day; lpad alone would cut a 100,000th case.
              number: sql<string>`(
                select ${`${region}-${report.day}-`} || lpad(n::text, greatest(5, length(n::text)), '0')
                from (select last_value - ${batchCount - ordinals[index]} as n from counter where region_code = ${region} and day = ${report.day}) as drawn
              )`,
              department_code: category
                ? sql<string | null>`coalesce((
                    select department_code from routing_rules
                    where category_code = ${category} and ${community} like division_code || '%'
                    order by length(division_code) desc limit 1
                  ), ${report.defaultDepartment}::text)`
                : null,
            };
          }),
        )
        .returningAll(),
    )
    .with("counted", (qb) =>
      qb
        .insertInto("case_status_counts")
        .values([...reported.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, count]) => count))
        .onConflict((conflict) =>
          conflict.columns(["region_code", "community_code", "status"]).doUpdateSet({ cases: sql`case_status_counts.cases + excluded.cases` }),
        ),
    )
    .with("event", (qb) =>
      qb.insertInto("case_events").values(
        reports.map((report) => ({
          region_code: report.case.region_code,
          id: uuidv7(),
          case_id: report.case.id,
          actor_id: report.event.actorId,
          action: "report",
          from_status: null,
          to_status: report.case.status,
          level: report.case.level,
          public_note: true,
          details: sql<string>`${JSON.stringify(report.event.details)}::jsonb
            || jsonb_build_object('department', (select department_code from inserted where id = ${report.case.id}))`,
        })),
      ),
    )
    .selectFrom("inserted")
    .selectAll("inserted")
    .select((eb) =>
      // Same category (given or suggested), open, recent, inside the box around the point; the
      // partial GiST index on open cases' points serves the box.
      jsonArrayFrom(
        eb
          .selectFrom("cases as open")
          .select(["open.id", "open.number", "open.lat", "open.lng", "open.search_text"])
          .whereRef("open.region_code", "=", "inserted.region_code")
          .where("open.status", "in", OPEN_STATUSES)
          .where(
            sql<boolean>`point(open.lng, open.lat) <@ box(
              point(inserted.lng - ${window.radiusMeters}::float8 / (${METERS_PER_DEGREE} * cos(radians(inserted.lat))), inserted.lat - ${window.radiusMeters / METERS_PER_DEGREE}::float8),
              point(inserted.lng + ${window.radiusMeters}::float8 / (${METERS_PER_DEGREE} * cos(radians(inserted.lat))), inserted.lat + ${window.radiusMeters / METERS_PER_DEGREE}::float8))`,
          )
          .where(sql<boolean>`coalesce(inserted.category_code, inserted.suggested_category_code) in (open.category_code, open.suggested_category_code)`)
          .where("open.created_at", ">", sql<Date>`now() - make_interval(days => ${window.days})`)
          .orderBy("open.created_at", "desc")
          .limit(200),
      ).as("nearby"),
    )
    .execute();
  const byId = new Map(rows.map(({ nearby, ...row }) => [row.id, { row: row as CaseRow, nearby }]));
  return reports.map((report) => {
    const written = byId.get(report.case.id);
    if (!written) throw new Error(`The case ${report.case.id} was not written`);
    return written;
  });
}

/** Moves a case from one status to another in the per-community rollup, inside the caller's transaction. */
export async function countStatusChange(db: Kysely<DB>, regionCode: string, communityCode: string, from: string, to: string): Promise<void> {
  if (from === to) return;
  // Rows are locked in status order, so that two transactions moving cases between the same two
  // statuses cannot deadlock. The row a case leaves exists: the case was counted in it.
  for (const status of [from, to].sort()) {
    if (status === from) {
      await db
        .updateTable("case_status_counts")
        .set({ cases: sql`cases - 1` })
        .where("region_code", "=", regionCode)
        .where("community_code", "=", communityCode)
        .where("status", "=", from)
        .execute();
    } else {
      await db
        .insertInto("case_status_counts")
        .values({ region_code: regionCode, community_code: communityCode, status: to, cases: 1 })
        .onConflict((conflict) => conflict.columns(["region_code", "community_code", "status"]).doUpdateSet({ cases: sql`case_status_counts.cases + 1` }))
        .execute();
    }
  }
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

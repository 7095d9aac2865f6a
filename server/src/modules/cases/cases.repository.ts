import { sql, type Expression, type ExpressionBuilder, type Insertable, type Kysely, type RawBuilder, type SqlBool, type Updateable } from "kysely";
import { uuidv7 } from "../../ids.ts";
import type { CaseAnswer, CaseRow, CaseTable, DB, Open311RequestTable } from "../../db/schema.ts";
import type { Actor } from "../auth/actor.ts";
import { currentApiKeyId } from "../auth/api-key-attribution.ts";
import { executePrepared } from "../../db/prepared.ts";
import { isPublicPhoto, publicPhotosJson, redactionJson, type PhotoRedaction, type PublicPhotoRow } from "../attachments/redactions.repository.ts";
import { RECORDED_COLUMNS, recordedChanges } from "./case-changes.ts";

/** Statuses of a case still being worked on: the ones a new report may duplicate. */
export const OPEN_STATUSES = ["reported", "accepted", "registered", "dispatched", "in_progress", "suspended", "handled"] as const;

export type NearbyCase = {
  id: string;
  number: string;
  community_code: string;
  lat: number;
  lng: number;
  search_text: string;
  title: string;
  status: string;
  created_at: string;
};

export type NewReport = {
  /** Answers go in as an object: the reports travel as one JSON parameter. */
  case: Omit<Insertable<CaseTable>, "number" | "department_code" | "answers"> & { answers?: Record<string, CaseAnswer> };
  /** The day of the case number, yyyymmdd in the district's time zone. */
  day: string;
  /** The category's department when no routing rule of the case's community names one. */
  defaultDepartment: string | null;
  event: { actorId: string | null; details: Record<string, unknown>; apiKeyId?: string | null };
  /**
   * The Open311 request the report came by: its token row is written in the case's statement, so
   * that a post costs the database one statement, not a second one after the case's number.
   */
  open311Request?: Open311Request;
};

/** An Open311 request's token row, less what the case gives it. */
export type Open311Request = Omit<Insertable<Open311RequestTable>, "region_code" | "case_id" | "case_number" | "created_at">;

/** Open cases of the same category this near and this recent are read back for duplicate detection. */
export type NearbyWindow = { radiusMeters: number; days: number };

const METERS_PER_DEGREE = 111_320;

/**
 * Writes reported cases and their first events in one statement, so that a batch of intakes costs
 * one round trip: each region's day counter is advanced once for the whole batch and draws the
 * numbers (530103-20261122-00042), the most specific routing rule of each case's community names
 * its department, and the open cases near each place come back for duplicate detection (read as
 * they were before the batch). Answers in the order of `reports`.
 *
 * The reports, their counts and their Open311 token rows travel as JSON parameters read back as
 * rows, so the statement has one text per set of columns whatever the batch: it runs as a named
 * statement, parsed once per connection and then run from its generic plan: planned on every call,
 * the statement held the native intake to 300–324 reports/s, against 370–460 named.
 */
export async function insertReportedCases(
  db: Kysely<DB>,
  reports: readonly NewReport[],
  window: NearbyWindow,
): Promise<{ row: CaseRow; nearby: NearbyCase[] }[]> {
  const query = reportedCases<CaseRow & { nearby: NearbyCase[] }>(reports, undefined, sql`select inserted.*, ${nearbyOf("inserted", window)} as nearby from inserted`);
  const rows = await executePrepared(db, "cases_reported", { compile: () => query.compile(db) });
  const byId = new Map(rows.map(({ nearby, ...row }) => [row.id, { row: row as CaseRow, nearby }]));
  return reports.map((report) => {
    const written = byId.get(report.case.id);
    if (!written) throw new Error(`The case ${report.case.id} was not written`);
    return written;
  });
}

/**
 * Writes another platform's orders as reported cases by the intake's statement, without looking
 * for duplicates (the platform took each call as its own order), and answers their ids: an import
 * reads nothing else back. Their numbers are drawn in the statement, or beforehand (`drawn`).
 */
export async function insertImportedCases(db: Kysely<DB>, reports: readonly NewReport[], drawn?: DrawnNumbers): Promise<string[]> {
  const query = reportedCases<{ id: string }>(reports, drawn, sql`select inserted.id from inserted`);
  const rows = await executePrepared(db, "cases_imported", { compile: () => query.compile(db) });
  if (rows.length !== reports.length) throw new Error(`${reports.length - rows.length} of ${reports.length} cases were not written`);
  return rows.map((row) => row.id);
}

/** The reports' statement, `answer` its final select from `inserted`. */
function reportedCases<R>(reports: readonly NewReport[], drawn: DrawnNumbers | undefined, answer: RawBuilder<unknown>): RawBuilder<R> {
  const { counters, below } = drawn ?? countersOf(reports);
  const reported = new Map<string, { region_code: string; community_code: string; status: string; cases: number }>();
  for (const { case: values } of reports) {
    const key = `${values.region_code}-${values.community_code}-${values.status}`;
    const count = reported.get(key) ?? { region_code: values.region_code, community_code: values.community_code, status: values.status, cases: 0 };
    reported.set(key, count);
    count.cases++;
  }
  const open311Requests = reports.flatMap((report) => (report.open311Request ? [{ ...report.open311Request, case_id: report.case.id }] : []));
  const statusCounts = [...reported.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, count]) => count);
  const columns = [...new Set(reports.flatMap((report) => Object.keys(report.case).filter((column) => report.case[column as keyof NewReport["case"]] !== undefined)))].sort();
  const batch = reports.map((report, index) => ({
    case: report.case,
    day: report.day,
    // How far below the counter's new value (the batch's last number of its region and day) this report's number lies.
    below: below[index],
    default_department: report.defaultDepartment,
    event_id: uuidv7(),
    actor_id: report.event.actorId,
    api_key_id: report.event.apiKeyId ?? null,
    details: report.event.details,
  }));

  return sql<R>`
    with report as (
      select
        entry->>'day' as report_day,
        (entry->>'below')::int as report_below,
        entry->>'default_department' as report_default_department,
        (entry->>'event_id')::uuid as report_event_id,
        (entry->>'actor_id')::uuid as report_actor_id,
        (entry->>'api_key_id')::uuid as report_api_key_id,
        entry->'details' as report_details,
        reported.*
      from jsonb_array_elements(${JSON.stringify(batch)}::jsonb) as entries(entry)
      cross join lateral jsonb_populate_record(null::cases, entry->'case') as reported
    ),
    counter as (${drawn ? sql`select region_code, day, last_value from jsonb_to_recordset(${JSON.stringify(counters)}::jsonb) as c (region_code text, day text, last_value int)` : advanceCounters(counters)}),
    inserted as (
      insert into cases (${sql.join(columns.map((column) => sql.ref(column)))}, number, department_code)
      select
        ${sql.join(columns.map((column) => sql.ref(`report.${column}`)))},
        -- lpad alone would cut a 100,000th case.
        report.region_code || '-' || report.report_day || '-' || lpad(drawn.n::text, greatest(5, length(drawn.n::text)), '0'),
        case when report.category_code is not null then coalesce(routed.department_code, report.report_default_department) end
      from report
      join counter on counter.region_code = report.region_code and counter.day = report.report_day
      cross join lateral (select counter.last_value - report.report_below as n) as drawn
      left join lateral (
        select department_code from routing_rules
        where category_code = report.category_code and report.community_code like division_code || '%'
        order by length(division_code) desc limit 1
      ) as routed on true
      returning *
    ),
    counted as (
      insert into case_status_counts (region_code, community_code, status, cases)
      select region_code, community_code, status, cases
      from jsonb_to_recordset(${JSON.stringify(statusCounts)}::jsonb) as c (region_code text, community_code text, status text, cases int)
      order by region_code, community_code, status
      on conflict (region_code, community_code, status) do update set cases = case_status_counts.cases + excluded.cases
    ),
    event as (
      insert into case_events (region_code, id, case_id, actor_id, api_key_id, action, from_status, to_status, level, public_note, details, changes)
      select inserted.region_code, report.report_event_id, inserted.id, report.report_actor_id, report.report_api_key_id, 'report', null, inserted.status,
        inserted.level, true, report.report_details || jsonb_build_object('department', inserted.department_code),
        -- The case's first state: its events replay it from here.
        jsonb_build_object(${sql.join(RECORDED_COLUMNS.map((column) => sql`${sql.lit(column)}, ${sql.ref(`inserted.${column}`)}`))})
      from inserted join report on report.id = inserted.id
      -- In region order: the event log's trigger locks each region's head at commit in this order.
      order by inserted.region_code
    ),
    open311_request as (
      insert into open311_requests (token_hash, region_code, case_id, case_number, user_id, request_hash, email, device_id, account_id)
      select r.token_hash, inserted.region_code, inserted.id, inserted.number, r.user_id, r.request_hash, r.email, r.device_id, r.account_id
      from jsonb_to_recordset(${JSON.stringify(open311Requests)}::jsonb)
        as r (case_id uuid, token_hash text, user_id uuid, request_hash text, email text, device_id text, account_id text)
      join inserted on inserted.id = r.case_id
    )
    ${answer}`;
}

type Counter = { region_code: string; day: string; last_value: number };
/**
 * Each region's and day's counter, and how far below that counter's new value each report's number
 * lies. `last_value` is how far to advance the counter (`countersOf`) or, once drawn
 * (`drawCaseNumbers`), its new value.
 */
export type DrawnNumbers = { counters: Counter[]; below: number[] };

function countersOf(reports: readonly NewReport[]): DrawnNumbers {
  // One counter row per region and day; sorted, so that concurrent batches lock them in one order.
  const counts = new Map<string, Counter>();
  const ordinals = reports.map((report) => {
    const key = `${report.case.region_code}-${report.day}`;
    const counter = counts.get(key) ?? { region_code: report.case.region_code, day: report.day, last_value: 0 };
    counts.set(key, counter);
    return ++counter.last_value;
  });
  const counters = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, counter]) => counter);
  return { counters, below: reports.map((report, index) => (counts.get(`${report.case.region_code}-${report.day}`)?.last_value ?? 1) - ordinals[index]) };
}

const advanceCounters = (counters: Counter[]) => sql`
      insert into case_number_counters (region_code, day, last_value)
      select region_code, day, last_value from jsonb_to_recordset(${JSON.stringify(counters)}::jsonb) as c (region_code text, day text, last_value int)
      order by region_code, day
      on conflict (region_code, day) do update set last_value = case_number_counters.last_value + excluded.last_value
      returning region_code, day, last_value`;

/** Draws the reports' numbers in a statement of its own: committed at once, so a later failure leaves them unused. */
export async function drawCaseNumbers(db: Kysely<DB>, reports: readonly NewReport[]): Promise<DrawnNumbers> {
  const { counters, below } = countersOf(reports);
  const { rows } = await sql<Counter>`${advanceCounters(counters)}`.execute(db);
  return { counters: rows, below };
}

/**
 * The open cases near the case `row` names (a table or CTE of cases) while it is open itself, as a
 * JSON array, for duplicate detection: of its category or suggested category, recent, inside the box
 * around its point, newest first. The open statuses are written into the statement, so that even a
 * plan made once for every case (a named statement) uses the partial GiST index on open cases'
 * points, and a finished case skips the search.
 */
function nearbyOf(row: "inserted" | "updated" | "cases", window: NearbyWindow): RawBuilder<NearbyCase[]> {
  const open = sql.join(OPEN_STATUSES.map((status) => sql.lit(status)));
  const r = sql.raw(row);
  const halfWidth = sql`${window.radiusMeters}::float8 / (${METERS_PER_DEGREE} * cos(radians(${r}.lat)))`;
  const halfHeight = sql`${window.radiusMeters / METERS_PER_DEGREE}::float8`;
  return sql<NearbyCase[]>`(
      select coalesce(json_agg(nearby order by nearby.created_at desc), '[]') from (
        select open.id, open.number, open.community_code, open.lat, open.lng, open.search_text, open.title, open.status, open.created_at
        from cases as open
        where ${r}.status in (${open})
          and open.region_code = ${r}.region_code
          and open.status in (${open})
          and point(open.lng, open.lat) <@ box(point(${r}.lng - ${halfWidth}, ${r}.lat - ${halfHeight}), point(${r}.lng + ${halfWidth}, ${r}.lat + ${halfHeight}))
          and (open.category_code in (${r}.category_code, ${r}.suggested_category_code) or open.suggested_category_code in (${r}.category_code, ${r}.suggested_category_code))
          and open.created_at > now() - make_interval(days => ${window.days})
          and open.id <> ${r}.id
        order by open.created_at desc
        limit 200
      ) as nearby
    )`;
}

/**
 * The open cases of the region near a point, of one of the categories (given or suggested), created
 * within the window, in the actor's scope, newest first: the same box on the partial GiST index of
 * open cases' points that intake's duplicate detection reads, so it costs the same at any size.
 */
export async function findNearbyOpenCases(
  db: Kysely<DB>,
  actor: Actor,
  near: { regionCode: string; lat: number; lng: number; categories: readonly string[] },
  window: NearbyWindow,
): Promise<NearbyCase[]> {
  if (near.categories.length === 0) return [];
  const dLat = window.radiusMeters / METERS_PER_DEGREE;
  const dLng = window.radiusMeters / (METERS_PER_DEGREE * Math.cos((near.lat * Math.PI) / 180));
  const rows = await db
    .selectFrom("cases")
    .select(["id", "number", "community_code", "lat", "lng", "search_text", "title", "status", sql<string>`created_at`.as("created_at")])
    .where("region_code", "=", near.regionCode)
    .where((eb) => caseInScope(eb, actor))
    .where("status", "in", [...OPEN_STATUSES])
    .where(sql<SqlBool>`point(lng, lat) <@ box(point(${near.lng - dLng}::float8, ${near.lat - dLat}::float8), point(${near.lng + dLng}::float8, ${near.lat + dLat}::float8))`)
    .where((eb) => eb.or([eb("category_code", "in", [...near.categories]), eb("suggested_category_code", "in", [...near.categories])]))
    .where(sql<SqlBool>`created_at > now() - make_interval(days => ${window.days})`)
    .orderBy("created_at", "desc")
    .limit(200)
    .execute();
  return rows.map((row) => ({ ...row, created_at: new Date(row.created_at).toISOString() }));
}

/** A case's event as its timeline lists it, with the name of who took it (JSON: `at` is a string). */
export type TimelineEntry = {
  id: string;
  at: string;
  action: string;
  from_status: string | null;
  to_status: string;
  level: string;
  note: string | null;
  public_note: boolean;
  details: Record<string, unknown>;
  actor_name: string | null;
  /** The API key the event was written with, if any. */
  api_key: { id: string; name: string; organisation: string } | null;
};
export type CasePhoto = { id: string; kind: string | null; mime: string; width: number; height: number; redaction: PhotoRedaction | null; public: boolean };
/**
 * A case with what its detail view shows besides the row: its timeline, oldest first, its photos,
 * and while it is open the open cases near it that may be the same problem (`nearbyOf`).
 */
export type CaseDetailRow = CaseRow & { timeline: TimelineEntry[]; photos: CasePhoto[]; nearby: NearbyCase[] };

/**
 * The events of `events` (rows of case_events) as a JSON array, oldest first, each with its actor's
 * name, looked up one by one (a join would hash every user of the district for a dozen events).
 */
const timelineJson = (events: RawBuilder<unknown>) => sql<TimelineEntry[]>`(
  select coalesce(json_agg(json_build_object(
    'id', e.id, 'at', e.at, 'action', e.action, 'from_status', e.from_status, 'to_status', e.to_status, 'level', e.level,
    'note', e.note, 'public_note', e.public_note, 'details', e.details,
    'actor_name', (select users.display_name from users where users.id = e.actor_id),
    'api_key', (select json_build_object('id', k.id, 'name', k.name, 'organisation', k.organisation) from api_keys as k where k.id = e.api_key_id)
  ) order by e.at, e.id), '[]')
  from (${events}) as e
)`;

/** The photos of the case `row` names (a table or CTE with region_code and id) as a JSON array, oldest first. */
const photosJson = (row: string) => sql<CasePhoto[]>`(
  select coalesce(json_agg(json_build_object(
    'id', a.id, 'kind', a.kind, 'mime', a.mime, 'width', a.width, 'height', a.height, 'redaction', ${redactionJson}, 'public', ${isPublicPhoto}
  ) order by a.created_at), '[]')
  from attachments as a left join attachment_redactions as r on r.attachment_id = a.id where a.region_code = ${sql.ref(`${row}.region_code`)} and a.case_id = ${sql.ref(`${row}.id`)}
)`;

/**
 * Writes a transition in one statement, so that it needs no transaction of its own: the case's new
 * state if it still has the version that was read, its event, and its move between statuses in the
 * per-community rollup. The same statement answers with the case's timeline (its new event
 * included) and photos, the detail the caller shows next. Undefined, with nothing written, when the
 * version has moved on.
 */
export async function writeTransition(
  db: Kysely<DB>,
  transition: { before: CaseRow; changes: Updateable<CaseTable>; event: NewCaseEvent },
  /** The window of the open cases near it the answer lists; none without one. */
  window: NearbyWindow | null = null,
): Promise<CaseDetailRow | undefined> {
  const { event, before } = transition;
  const from = before.status;
  const written = db
    .with("updated", (qb) =>
      qb
        .updateTable("cases")
        .set(transition.changes)
        .where("region_code", "=", event.regionCode)
        .where("id", "=", event.caseId)
        .where("version", "=", before.version)
        .returningAll(),
    )
    .with("event", (qb) =>
      qb
        .insertInto("case_events")
        .columns(["region_code", "id", "case_id", "actor_id", "api_key_id", "action", "from_status", "to_status", "level", "note", "public_note", "details", "changes"])
        .expression((eb) =>
          eb.selectFrom("updated").select([
            "updated.region_code",
            sql<string>`${uuidv7()}::uuid`.as("id"),
            "updated.id as case_id",
            sql<string | null>`${event.actorId}::uuid`.as("actor_id"),
            sql<string | null>`${currentApiKeyId()}::uuid`.as("api_key_id"),
            sql<string>`${event.action}::text`.as("action"),
            sql<string | null>`${event.from}::text`.as("from_status"),
            sql<string>`${event.to}::text`.as("to_status"),
            sql<string>`${event.level}::text`.as("level"),
            sql<string | null>`${event.note ?? null}::text`.as("note"),
            sql<boolean>`${event.publicNote ?? false}::boolean`.as("public_note"),
            sql<string>`${JSON.stringify(event.details ?? {})}::jsonb`.as("details"),
            sql<string>`${JSON.stringify(recordedChanges(before, transition.changes))}::jsonb`.as("changes"),
          ]),
        )
        .returningAll(),
    );
  // The statement's reads see the case's events as they were before it: the new one comes from its CTE.
  const answer = [
    timelineJson(sql`
      select * from case_events where region_code = ${event.regionCode} and case_id = ${event.caseId}
      union all select * from event`).as("timeline"),
    photosJson("updated").as("photos"),
    (window ? nearbyOf("updated", window) : sql<NearbyCase[]>`'[]'::json`).as("nearby"),
  ];
  if (from === event.to) return written.selectFrom("updated").selectAll().select(answer).executeTakeFirst();
  // Both rows in one upsert, locked in status order, so that two transitions moving cases between
  // the same two statuses cannot deadlock. The row left is proposed with 0 cases (a proposed row
  // must pass the check cases >= 0 too) and exists, the case was counted in it: it loses one.
  const rows = [
    { status: from, cases: 0 },
    { status: event.to, cases: 1 },
  ].sort((a, b) => a.status.localeCompare(b.status));
  return written
    .with("counted", (qb) => {
      const row = (step: { status: string; cases: number }) =>
        qb
          .selectFrom("updated")
          .select(["updated.region_code", "updated.community_code", sql<string>`${step.status}::text`.as("status"), sql<number>`${step.cases}::int`.as("cases")]);
      return qb
        .insertInto("case_status_counts")
        .columns(["region_code", "community_code", "status", "cases"])
        .expression(row(rows[0]).unionAll(row(rows[1])))
        .onConflict((conflict) =>
          conflict.columns(["region_code", "community_code", "status"]).doUpdateSet({
            cases: sql`case_status_counts.cases + case when excluded.status = ${from}::text then -1 else 1 end`,
          }),
        );
    })
    .selectFrom("updated")
    .selectAll()
    .select(answer)
    .executeTakeFirst();
}

/** One case in the actor's scope with its timeline, photos and the open cases near it, in one query; or undefined. */
export async function findCaseDetailInScope(db: Kysely<DB>, actor: Actor, id: string, window: NearbyWindow): Promise<CaseDetailRow | undefined> {
  const query = db
    .selectFrom("cases")
    .selectAll("cases")
    .select([
      timelineJson(sql`select * from case_events where region_code = cases.region_code and case_id = cases.id`).as("timeline"),
      photosJson("cases").as("photos"),
      nearbyOf("cases", window).as("nearby"),
    ])
    .where((eb) => caseReadable(eb, actor))
    .where("id", "=", id);
  // A named statement: planning this one cost more than running it.
  const [row] = await executePrepared(db, "case_detail", query);
  return row;
}

/**
 * The end of the range of codes that start with `prefix`: division codes are digits, so the codes
 * under a prefix are `>= prefix` and `< codeRangeEnd(prefix)` (`530103009` → `53010301`), a range a
 * btree walks directly. Null when no code follows every code under the prefix (all nines, or empty).
 */
export function codeRangeEnd(prefix: string): string | null {
  const kept = prefix.replace(/9+$/, "");
  if (kept.length === 0) return null;
  const last = kept.charCodeAt(kept.length - 1);
  return kept.slice(0, -1) + String.fromCharCode(last + 1);
}

/** `column` holds a code under `prefix`, as a range. */
export function codeUnder(eb: ExpressionBuilder<DB, "cases">, column: "region_code" | "community_code", prefix: string): Expression<SqlBool> {
  const end = codeRangeEnd(prefix);
  return end === null ? eb(column, ">=", prefix) : eb.and([eb(column, ">=", prefix), eb(column, "<", end)]);
}

/**
 * Cases under a division: the region (the district, a case's key prefix) and the street or
 * community by equality on their own columns (a case's codes nest, checked by the table), so that
 * an index over (region, street or community, creation) serves it in order. Codes of other lengths
 * fall back to a range of community codes.
 */
export function caseUnder(eb: ExpressionBuilder<DB, "cases">, code: string): Expression<SqlBool> {
  if (code.length < 6) return codeUnder(eb, "region_code", code);
  const region = eb("region_code", "=", code.slice(0, 6));
  if (code.length === 6) return region;
  if (code.length === 9) return eb.and([region, eb("street_code", "=", code)]);
  if (code.length === 12) return eb.and([region, eb("community_code", "=", code)]);
  return eb.and([region, codeUnder(eb, "community_code", code)]);
}

/** Cases in the actor's scope (under their division); none without a staff scope. */
export function caseInScope(eb: ExpressionBuilder<DB, "cases">, actor: Actor): Expression<SqlBool> {
  return actor.scopeCode === null ? sql<SqlBool>`false` : caseUnder(eb, actor.scopeCode);
}

/** Cases a co-handling department (协办) of the actor's works on; none without a department. */
export function coHandledBy(eb: ExpressionBuilder<DB, "cases">, actor: Pick<Actor, "departmentId">): Expression<SqlBool> {
  if (actor.departmentId === null) return sql<SqlBool>`false`;
  return eb("co_handlers", "@>", sql<never>`${JSON.stringify([{ departmentId: actor.departmentId }])}::jsonb`);
}

/**
 * Cases the actor may read: those in their scope, and those their department co-handles wherever
 * they lie (a department's reach is checked at dispatch, its staff's scope may be narrower).
 */
export function caseReadable(eb: ExpressionBuilder<DB, "cases">, actor: Actor): Expression<SqlBool> {
  return actor.departmentId === null ? caseInScope(eb, actor) : eb.or([caseInScope(eb, actor), coHandledBy(eb, actor)]);
}

/** One case the actor may read (in their scope, or co-handled by their department), or undefined. */
export function findCaseInScope(db: Kysely<DB>, actor: Actor, id: string): Promise<CaseRow | undefined> {
  // The lookup is by id: widening the scope with the co-handlers costs nothing here.
  return db
    .selectFrom("cases")
    .selectAll()
    .where((eb) => caseReadable(eb, actor))
    .where("id", "=", id)
    .executeTakeFirst();
}

/** The case with this number (530103-20261122-00042), found through its region, the number's first six digits. */
export function findCaseByNumber(db: Kysely<DB>, number: string): Promise<CaseRow | undefined> {
  return db
    .selectFrom("cases")
    .selectAll()
    .where("region_code", "=", number.slice(0, 6))
    .where("number", "=", number)
    .executeTakeFirst();
}

/** A case's event as public tracking shows it: no one's name, a note only when it was made public. */
export type TrackedEvent = { at: string; action: string; to_status: string; note: string | null };
/** A case with what its tracking answer shows besides the row: its events, public photos, and the case it was merged into. */
export type TrackedCaseRow = CaseRow & {
  timeline: TrackedEvent[];
  photos: PublicPhotoRow[];
  merged_target: { number: string; status: string; closed_at: string | null } | null;
};

/**
 * The case with this number (found through its region, the number's first six digits) with its
 * public events, public photos and merge target, in one named statement: tracking is the busiest
 * public read, and each round trip and planning cost more than the reads themselves.
 */
export async function findTrackedCase(db: Kysely<DB>, number: string): Promise<TrackedCaseRow | undefined> {
  const query = db
    .selectFrom("cases")
    .selectAll("cases")
    .select([
      sql<TrackedEvent[]>`(
        select coalesce(json_agg(json_build_object(
          'at', e.at, 'action', e.action, 'to_status', e.to_status, 'note', case when e.public_note then e.note end
        ) order by e.at, e.id), '[]')
        from case_events as e where e.region_code = cases.region_code and e.case_id = cases.id
      )`.as("timeline"),
      publicPhotosJson("cases").as("photos"),
      sql<TrackedCaseRow["merged_target"]>`(
        select json_build_object('number', t.number, 'status', t.status, 'closed_at', t.closed_at)
        from cases as t where t.region_code = cases.region_code and t.id = cases.merged_into
      )`.as("merged_target"),
    ])
    .where("region_code", "=", number.slice(0, 6))
    .where("number", "=", number);
  const [row] = await executePrepared(db, "case_tracked", query);
  return row;
}

/** The department the most specific routing rule of the community names for the category, if any. */
export async function routedDepartment(db: Kysely<DB>, categoryCode: string, communityCode: string): Promise<string | null> {
  const rule = await db
    .selectFrom("routing_rules")
    .select("department_code")
    .where("category_code", "=", categoryCode)
    .where(sql<SqlBool>`${communityCode} like division_code || '%'`)
    .orderBy(sql`length(division_code)`, "desc")
    .limit(1)
    .executeTakeFirst();
  return rule?.department_code ?? null;
}

export type NewCaseEvent = {
  /** Given when the caller answers with the event's id; new otherwise. */
  id?: string;
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

/** Appends one event to a case's timeline, inside the caller's transaction; it names the request's API key, if any. */
export async function insertCaseEvent(db: Kysely<DB>, event: NewCaseEvent): Promise<void> {
  await db
    .insertInto("case_events")
    .values({
      region_code: event.regionCode,
      id: event.id ?? uuidv7(),
      case_id: event.caseId,
      actor_id: event.actorId,
      api_key_id: currentApiKeyId(),
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

/** The region's response limit (响应时限) in working hours: its evaluation setting, else 2. */
export async function responseHours(db: Kysely<DB>, regionCode: string): Promise<number> {
  const row = await db.selectFrom("evaluation_settings").select("response_hours").where("region_code", "=", regionCode).executeTakeFirst();
  return row ? Number(row.response_hours) : 2;
}

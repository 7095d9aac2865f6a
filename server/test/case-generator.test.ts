import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../src/modules/audit/audit.service.ts";
import { sweepDeadlines } from "../src/modules/cases/deadline-sweep.ts";
import { applyCommand, isFinal, reportedState, type Assignment, type CaseState, type CaseStatus, type Command, type WorkflowActor } from "../src/modules/cases/workflow.ts";
import { generateCases, type SeedCasesSummary } from "../src/modules/demo/case-seed.ts";
import { rebuildRollups } from "../src/modules/evaluation/rollups.repository.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

const CASES = 2000;
const SEED = 20261203;

type EventRow = {
  case_id: string;
  at: Date;
  actor_id: string | null;
  action: string;
  from_status: string | null;
  to_status: string;
  level: string;
  note: string | null;
  details: Record<string, unknown>;
};

/** The workflow command an event records. */
function commandOf(event: EventRow): Command {
  const note = event.note ?? undefined;
  const details = event.details;
  switch (event.action) {
    case "dispatch":
      return { action: "dispatch", to: details.assignment as Assignment, coHandlers: details.coHandlers as string[] | undefined, note };
    case "request_extension":
      return { action: "request_extension", days: details.days as number, note: note ?? "" };
    case "evaluate":
      return { action: "evaluate", satisfaction: details.satisfaction as "satisfied", note };
    case "merge":
      return { action: "merge", into: details.into as string, note };
    case "reject":
    case "return":
      return { action: event.action, reasonCode: details.reason as string, note };
    case "release_co_handler":
      return { action: event.action, departmentId: (details.coHandler as { departmentId: string }).departmentId, note: note ?? "" };
    case "suspend":
    case "verify_fail":
    case "handle":
    case "deny_return":
    case "co_report":
      return { action: event.action, note: note ?? "" };
    default:
      return { action: event.action as "accept", note };
  }
}

describe("generated cases", () => {
  let t: TestApp;
  let summary: SeedCasesSummary;
  const now = new Date();

  beforeAll(async () => {
    t = await createTestApp("demo");
    summary = await generateCases(t.database, { cases: CASES, seed: SEED, now, chunkSize: 700 });
  }, 300_000);
  afterAll(() => t.close());

  it("loads every case with its history, numbered per day, spread over the past year", async () => {
    expect(summary).toMatchObject({ cases: CASES, seed: SEED, region: "530103" });
    const { rows } = await sql<{ cases: number; numbers: number; days: number; oldest: Date; newest: Date }>`
      select count(*)::int as cases, count(distinct number)::int as numbers, count(distinct split_part(number, '-', 2))::int as days,
             min(created_at) as oldest, max(created_at) as newest
      from cases`.execute(t.ctx.db);
    expect(rows[0].cases).toBe(CASES);
    expect(rows[0].numbers).toBe(CASES);
    expect(rows[0].days).toBeGreaterThan(300);
    expect(now.getTime() - rows[0].oldest.getTime()).toBeGreaterThan(360 * 86_400_000);
    expect(rows[0].newest.getTime()).toBeLessThanOrEqual(now.getTime());
    // Numbers follow the order of the reports within each day, from 00001.
    const { rows: misnumbered } = await sql<{ number: string }>`
      select number from (
        select number, split_part(number, '-', 3)::int as n,
               row_number() over (partition by split_part(number, '-', 2) order by created_at, id) as expected
        from cases) numbered
      where n <> expected`.execute(t.ctx.db);
    expect(misnumbered).toEqual([]);
  });

  it("gives every history a valid path through the workflow to the case's stored state", async () => {
    const users = await t.ctx.db.selectFrom("users").select(["id", "roles", "scope_code", "department_id"]).execute();
    const actors = new Map(users.map((u): [string, WorkflowActor] => [u.id, { userId: u.id, roles: u.roles, scopeCode: u.scope_code, departmentId: u.department_id }]));
    const cases = await t.ctx.db.selectFrom("cases").selectAll().execute();
    const events = (await sql<EventRow>`select case_id, at, actor_id, action, from_status, to_status, level, note, details from case_events order by case_id, at, id`.execute(t.ctx.db)).rows;
    const timelines = new Map<string, EventRow[]>();
    for (const event of events) timelines.set(event.case_id, [...(timelines.get(event.case_id) ?? []), event]);
    const statusAt = (caseId: string, at: Date) => (timelines.get(caseId) ?? []).filter((e) => e.at <= at).at(-1)?.to_status;

    const seen = { actions: new Set<string>(), statuses: new Set<string>() };
    for (const row of cases) {
      const timeline = timelines.get(row.id) ?? [];
      expect(timeline[0]).toMatchObject({ action: "report", to_status: "reported" });
      let state: CaseState = reportedState({
        level: timeline[0].level as CaseState["level"],
        communityCode: row.community_code,
        streetCode: row.street_code,
        districtCode: row.region_code,
      });
      let transitions = 0;
      for (const event of timeline.slice(1)) {
        expect(event.at.getTime()).toBeLessThanOrEqual(now.getTime());
        seen.actions.add(event.action);
        if (event.action === "urge" && event.actor_id === null) {
          // The deadline sweep's reminders change nothing but the deadline state.
          expect(event.to_status).toBe(state.status);
          continue;
        }
        const staff = event.actor_id ? actors.get(event.actor_id) : undefined;
        const byReporter = event.action === "evaluate" && (!staff || !(staff.roles.includes("seat_operator") || staff.roles.includes("dispatcher")));
        const actor: WorkflowActor = byReporter ? { userId: "reporter", roles: ["reporter"], scopeCode: null, departmentId: null } : staff!;
        expect(actor, `${row.number}: ${event.action} by ${event.actor_id}`).toBeDefined();
        const transition = applyCommand(state, actor, commandOf(event));
        expect([transition.from, transition.to, transition.level]).toEqual([event.from_status, event.to_status, event.level]);
        if (event.action === "merge") {
          // Merged into a case that was still open then.
          const target = statusAt(event.details.into as string, event.at);
          expect(target && !isFinal(target as CaseStatus), `${row.number} merged into a ${target} case`).toBe(true);
        }
        state = transition.state;
        transitions++;
      }
      seen.statuses.add(state.status);
      expect(
        {
          status: row.status,
          level: row.level,
          assignment: row.assignment,
          coHandlers: row.co_handlers,
          returnRequest: row.return_request,
          suspendedFrom: row.suspended_from,
          pendingExtensionDays: row.pending_extension_days,
          extensionRequestedBy: row.extension_requested_by,
          reworkCount: row.rework_count,
          reopenCount: row.reopen_count,
          satisfaction: row.satisfaction,
          mergedInto: row.merged_into,
          version: row.version,
        },
        row.number,
      ).toEqual({ ...state, version: 1 + transitions, communityCode: undefined, streetCode: undefined, districtCode: undefined });
      expect(row.closed_at !== null, row.number).toBe(["closed", "evaluated"].includes(row.status));
    }
    // The mix: every status, and the detours of the loop.
    expect([...seen.statuses].sort()).toEqual(
      ["accepted", "closed", "dispatched", "evaluated", "handled", "in_progress", "merged", "registered", "rejected", "reported", "suspended"],
    );
    for (const action of [
      "verify_fail", "request_extension", "approve_extension", "deny_extension", "suspend", "resume", "escalate", "return", "merge", "evaluate", "urge",
      "approve_return", "co_acknowledge", "co_report",
    ]) {
      expect(seen.actions, action).toContain(action);
    }
  }, 120_000);

  it("keeps the status rollup, the deadline states and the audit chain consistent", async () => {
    const { rows: drift } = await sql<{ community_code: string; status: string }>`
      select coalesce(r.community_code, c.community_code) as community_code, coalesce(r.status, c.status) as status
      from (select community_code, status, cases from case_status_counts where cases > 0) r
      full join (select community_code, status, count(*)::int as cases from cases group by 1, 2) c
        on c.community_code = r.community_code and c.status = r.status
      where r.cases is distinct from c.cases`.execute(t.ctx.db);
    expect(drift).toEqual([]);
    // The return counters hold what a recount of the return events finds.
    const { rows: returnDrift } = await sql<{ community_code: string }>`
      select coalesce(r.community_code, e.community_code) as community_code
      from case_return_counts r
      full join (
        select c.community_code, e.details->>'department' as department_code,
          count(*) filter (where e.action = 'return')::int as requested, count(*) filter (where e.action = 'approve_return')::int as approved
        from case_events e join cases c on c.region_code = e.region_code and c.id = e.case_id
        where e.action in ('return', 'approve_return') and e.details->>'department' is not null group by 1, 2
      ) e on e.community_code = r.community_code and e.department_code = r.department_code
      where r.requested is distinct from e.requested or r.approved is distinct from e.approved`.execute(t.ctx.db);
    expect(returnDrift).toEqual([]);
    expect(Number((await sql<{ n: number }>`select sum(requested)::int as n from case_return_counts`.execute(t.ctx.db)).rows[0].n)).toBeGreaterThan(0);
    // The sweep finds every open case already marked as it would have marked it.
    expect(await sweepDeadlines(t.ctx, now)).toEqual({ nearDue: 0, overdue: 0 });
    const { rows: overdue } = await sql<{ n: number }>`select count(*)::int as n from cases where deadline_state = 'overdue' and status not in ('closed', 'evaluated', 'rejected', 'merged')`.execute(t.ctx.db);
    expect(overdue[0].n).toBeGreaterThan(0);
    const audit = await verifyAuditChain(t.ctx.db);
    expect(audit.intact).toBe(true);
    const seeded = await t.ctx.db.selectFrom("audit_log").select("details").where("action", "=", "demo.seed_cases").execute();
    expect(seeded.reduce((sum, entry) => sum + (entry.details.cases as number), 0)).toBe(CASES);
  });

  it("stamps each case with the moments indicators count by, as its events give them, and counts it as a rebuild does", async () => {
    // The moments from the events, as the workflow stamps them: firsts, the last handling, extensions granted.
    const { rows } = await sql<{ id: string; registered: boolean; dispatched: boolean; responded: boolean | null }>`
      select c.id, c.registered_at is not null as registered, c.dispatched_at is not null as dispatched, c.responded_on_time as responded
      from cases as c
      cross join lateral (
        select min(e.at) filter (where e.action in ('register', 'handle_on_spot')) as registered_at,
          min(e.at) filter (where e.action = 'dispatch') as dispatched_at,
          min(e.at) filter (where e.action = 'acknowledge') as acknowledged_at,
          max(e.at) filter (where e.action in ('handle', 'handle_on_spot')) as handled_at,
          (array_agg(e.actor_id order by e.at desc) filter (where e.action in ('handle', 'handle_on_spot')))[1] as handled_by,
          (count(*) filter (where e.action = 'approve_extension'))::int as extensions
        from case_events as e where e.region_code = c.region_code and e.case_id = c.id
      ) as m
      where c.registered_at is not distinct from m.registered_at
        and c.dispatched_at is not distinct from case when m.registered_at is not null then m.dispatched_at end
        and c.acknowledged_at is not distinct from case when m.registered_at is not null then m.acknowledged_at end
        and c.handled_at is not distinct from case when m.registered_at is not null then m.handled_at end
        and c.handled_by is not distinct from case when m.registered_at is not null then m.handled_by end
        and c.extension_count = case when m.registered_at is not null then m.extensions else 0 end
        and (c.handling_minutes is not null) = (m.registered_at is not null and m.dispatched_at is not null and m.handled_at is not null)
        and (c.responded_on_time is not null) = (m.registered_at is not null and m.dispatched_at is not null and m.acknowledged_at is not null)`.execute(t.ctx.db);
    expect(rows).toHaveLength(CASES);
    expect(rows.some((row) => row.responded === true) && rows.some((row) => row.responded === false)).toBe(true);
    expect(rows.filter((row) => row.registered).length).toBeGreaterThan(CASES / 2);
    // The rollups counted chunk by chunk are what a rebuild from the events counts.
    const rollups = async () => (await sql`select * from case_counts order by kind, day, community_code, value`.execute(t.ctx.db)).rows;
    const loaded = await rollups();
    expect(loaded.length).toBeGreaterThan(0);
    await rebuildRollups(t.ctx.db, "530103");
    expect(await rollups()).toEqual(loaded);
  });

  it("refuses to load the same seed twice, writing nothing", async () => {
    await expect(generateCases(t.database, { cases: CASES, seed: SEED, now })).rejects.toMatchObject({ code: "already_seeded" });
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from cases`.execute(t.ctx.db);
    expect(rows[0].n).toBe(CASES);
  });

  it("lets the engine go on: a new report gets the next number of its day, and a generated open case moves on", async () => {
    const cookie = await t.login("seat-01");
    const sample = await t.ctx.db.selectFrom("cases").select(["grid_code"]).limit(1).executeTakeFirstOrThrow();
    const created = await t.app.inject({
      method: "POST",
      url: "/api/v1/cases",
      headers: { cookie },
      payload: { description: "来电反映路灯不亮", gridCode: sample.grid_code, source: "hotline" },
    });
    expect(created.statusCode, created.body).toBe(201);
    const number: string = created.json().case.number;
    const day = number.split("-")[1];
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from cases where split_part(number, '-', 2) = ${day}`.execute(t.ctx.db);
    expect(Number(number.split("-")[2])).toBe(rows[0].n);

    const dispatcher = await t.login("dispatcher");
    const open = await t.ctx.db.selectFrom("cases").select(["id", "version"]).where("status", "=", "registered").orderBy("created_at", "desc").limit(1).executeTakeFirstOrThrow();
    const moved = await t.app.inject({
      method: "POST",
      url: `/api/v1/cases/${open.id}/transitions`,
      headers: { cookie: dispatcher, "if-match": `"${open.version}"` },
      payload: { action: "dispatch", to: { departmentCode: "cgj" } },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().case).toMatchObject({ status: "dispatched", version: open.version + 1 });
    const { rows: drift } = await sql<{ n: number }>`
      select count(*)::int as n from (select community_code, status, count(*)::int as cases from cases group by 1, 2) c
      left join case_status_counts r using (community_code, status) where r.cases is distinct from c.cases`.execute(t.ctx.db);
    expect(drift[0].n).toBe(0);
  });

  it("finds generated cases by a Chinese word, and their reporters by number and token", async () => {
    const cookie = await t.login("dispatcher");
    const found = await t.app.inject({ method: "GET", url: `/api/v1/cases?q=${encodeURIComponent("井盖")}&limit=5`, headers: { cookie } });
    expect(found.statusCode, found.body).toBe(200);
    const cases: { title: string; description: string }[] = found.json().cases;
    expect(cases.length).toBeGreaterThan(0);
    for (const item of cases) expect(`${item.title}${item.description}`).toContain("井盖");

    const sample = summary.samples.find((s) => s.status === "evaluated") ?? summary.samples[0];
    const tracked = await t.app.inject({ method: "GET", url: `/api/v1/public/cases/${sample.number}?token=${sample.trackingToken}` });
    expect(tracked.statusCode, tracked.body).toBe(200);
    expect(tracked.json()).toMatchObject({ number: sample.number, status: sample.status });
  });
});

describe("a bulk load", () => {
  let t: TestApp;
  let summary: SeedCasesSummary;
  const now = new Date();
  type Shape = { indexes: string[]; constraints: string[] };
  let before: Shape;
  const shape = async (): Promise<Shape> => {
    const indexes = await sql<{ def: string }>`
      select pg_get_indexdef(indexrelid) as def from pg_index where indrelid in ('cases'::regclass, 'case_events'::regclass) order by 1`.execute(t.ctx.db);
    const constraints = await sql<{ def: string }>`
      select conname || ' ' || pg_get_constraintdef(oid) || ' ' || convalidated as def from pg_constraint
      where conrelid in ('cases'::regclass, 'case_events'::regclass) or confrelid in ('cases'::regclass, 'case_events'::regclass) order by 1`.execute(t.ctx.db);
    return { indexes: indexes.rows.map((r) => r.def), constraints: constraints.rows.map((r) => r.def) };
  };

  beforeAll(async () => {
    t = await createTestApp("demo");
    before = await shape();
    summary = await generateCases(t.database, { cases: 1200, seed: 5, now, years: 3, bulk: true, chunkSize: 500 });
  }, 300_000);
  afterAll(() => t.close());

  it("loads every case in one transaction over the years asked, and builds every index, key and reference again", async () => {
    expect(summary).toMatchObject({ cases: 1200, bulk: true });
    expect(await shape()).toEqual(before);
    const { rows } = await sql<{ cases: number; oldest: Date }>`select count(*)::int as cases, min(created_at) as oldest from cases`.execute(t.ctx.db);
    expect(rows[0].cases).toBe(1200);
    expect(now.getTime() - rows[0].oldest.getTime()).toBeGreaterThan(2.9 * 365 * 86_400_000);
    // The reference is back and checks: an event of no case is refused.
    await expect(
      sql`insert into case_events (region_code, id, case_id, action, to_status, level) values ('530103', gen_random_uuid(), gen_random_uuid(), 'urge', 'reported', 'community')`.execute(t.ctx.db),
    ).rejects.toThrow(/foreign key/);
  });

  it("keeps the rollups, the deadline states and the audit chain as a chunked load does", async () => {
    const { rows: drift } = await sql<{ n: number }>`
      select count(*)::int as n from (select community_code, status, count(*)::int as cases from cases group by 1, 2) c
      full join (select * from case_status_counts where cases > 0) r using (community_code, status) where r.cases is distinct from c.cases`.execute(t.ctx.db);
    expect(drift[0].n).toBe(0);
    expect(await sweepDeadlines(t.ctx, now)).toEqual({ nearDue: 0, overdue: 0 });
    expect((await verifyAuditChain(t.ctx.db)).intact).toBe(true);
    const { rows: rated } = await sql<{ n: number }>`select count(*)::int as n from cases where satisfaction is not null and resolved is not null`.execute(t.ctx.db);
    expect(rated[0].n).toBeGreaterThan(0);
  });
});

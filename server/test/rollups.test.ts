import crypto from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "../src/modules/auth/actor.ts";
import { actorFromUser } from "../src/modules/auth/auth.service.ts";
import { getCase, intakeCase, transitionCaseInBulk, type TransitionInput } from "../src/modules/cases/cases.service.ts";
import { COUNTED_INDICATORS } from "../src/modules/cases/counted-cases.ts";
import { bucketsOf, figuresOf, periodOf, type Grouping } from "../src/modules/evaluation/indicators.ts";
import { scanCounts, sumCounts } from "../src/modules/evaluation/indicators.repository.ts";
import { rebuildRollups } from "../src/modules/evaluation/rollups.repository.ts";
import { AppError } from "../src/errors.ts";
import { generateCases } from "../src/modules/demo/case-seed.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

const REGION = "530103";
const COMMUNITY = "530103001001";
const USERS = ["dispatcher", "dispatcher-001-1", "community-530103001001", "handler-cgj-1", "handler-swj-1", "supervisor-001", "seat-01", "gw-530103001001-1", "leader"];
const HOUR = 3_600_000;
const SIDE_ACTIONS = ["urge", "follow_up", "reclassify", "escalate", "merge", "reject", "return", "suspend", "reassign"];

/** A seeded generator, so that a failing workload can be replayed from the seed the test prints. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] };
}

/** Every non-zero rollup row of the region, in key order. */
async function rollups(t: TestApp) {
  const { rows: counts } = await sql`select * from case_counts where region_code = ${REGION} and (accepted, registered, dispatched, responded, due_close, closed_due,
    closed_on_time, reworked, extended, due_handle, handled_on_time, handled, handling_minutes, closed, on_spot, rated, resolved, satisfied)
    <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) order by kind, day, community_code, value`.execute(t.ctx.db);
  const { rows: late } = await sql`select * from case_late_counts where region_code = ${REGION} and (cases, reworked, extended) <> (0, 0, 0)
    order by kind, stage, done_day, due_day, community_code, value`.execute(t.ctx.db);
  const { rows: halves } = await sql`select * from case_half_counts where region_code = ${REGION} and (accepted, registered, dispatched, responded, due_close,
    closed_due, closed_on_time, reworked, extended, due_handle, handled_on_time, handled, handling_minutes, closed, on_spot, rated, resolved, satisfied)
    <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) order by kind, half, community_code, value`.execute(t.ctx.db);
  const { rows: lateHalves } = await sql`select * from case_late_half_counts where region_code = ${REGION} and (cases, reworked, extended) <> (0, 0, 0)
    order by kind, stage, done_half, due_half, community_code, value`.execute(t.ctx.db);
  return { counts, late, halves, lateHalves };
}

/** The late half-month rows the late day rows add up to, in the same order. */
async function lateHalvesOfDays(t: TestApp) {
  const { rows } = await sql`select * from (
      select region_code, kind, stage, gridgov_half(done_day) as done_half, gridgov_half(due_day) as due_half, community_code, value, sum(cases)::int as cases,
        sum(reworked)::int as reworked, sum(extended)::int as extended
      from case_late_counts where region_code = ${REGION} group by 1, 2, 3, 4, 5, 6, 7
    ) as h
    where (cases, reworked, extended) <> (0, 0, 0)
    order by kind, stage, done_half, due_half, community_code, value`.execute(t.ctx.db);
  return rows;
}

/** The half-month rows the day rows add up to, in the same order. */
async function halvesOfDays(t: TestApp) {
  const { rows } = await sql`select * from (
      select region_code, kind, gridgov_half(day) as half, community_code, value, sum(accepted)::int as accepted, sum(registered)::int as registered,
        sum(dispatched)::int as dispatched, sum(responded)::int as responded, sum(due_close)::int as due_close, sum(closed_due)::int as closed_due,
        sum(closed_on_time)::int as closed_on_time, sum(reworked)::int as reworked, sum(extended)::int as extended, sum(due_handle)::int as due_handle,
        sum(handled_on_time)::int as handled_on_time, sum(handled)::int as handled, sum(handling_minutes)::bigint as handling_minutes,
        sum(closed)::int as closed, sum(on_spot)::int as on_spot, sum(rated)::int as rated, sum(resolved)::int as resolved, sum(satisfied)::int as satisfied
      from case_counts where region_code = ${REGION} and kind in ('all', 'reporter') group by 1, 2, 3, 4, 5
    ) as h
    where (accepted, registered, dispatched, responded, due_close, closed_due, closed_on_time, reworked, extended, due_handle, handled_on_time, handled,
      handling_minutes, closed, on_spot, rated, resolved, satisfied) <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    order by kind, half, community_code, value`.execute(t.ctx.db);
  return rows;
}

describe("evaluation rollups", () => {
  let t: TestApp;
  const actors = new Map<string, Actor>();
  const seed = Number(process.env.ROLLUP_SEED ?? crypto.randomInt(1, 1_000_000));
  const months = new Set<string>();

  beforeAll(async () => {
    t = await createTestApp("demo");
    const users = await t.ctx.db.selectFrom("users").selectAll().where("username", "in", USERS).execute();
    for (const user of users) actors.set(user.username, actorFromUser(user));
  });
  afterAll(async () => {
    vi.useRealTimers();
    await t.close();
  });

  it("keeps the rollups exactly as a rebuild from the case events finds them, through random workloads across days and months", { timeout: 600_000 }, async () => {
    console.log(`rollup workload seed ${seed} (ROLLUP_SEED=${seed} replays it)`);
    const g = random(seed);
    let now = Date.parse("2027-01-29T20:00:00+08:00");
    vi.useFakeTimers({ toFake: ["Date"], now });
    const grids = await t.ctx.db.selectFrom("grids").select("code").where("community_code", "=", COMMUNITY).execute();
    const departments = await t.ctx.db.selectFrom("departments").select(["id", "code"]).where("code", "in", ["cgj", "swj"]).execute();
    // Categories that ask for no photo and no answers, so that any channel may report them.
    const CATEGORIES = (
      await sql<{ code: string }>`select code from categories where parent_code is not null and active and not photo_required
        and coalesce(jsonb_array_length(questions), 0) = 0 order by code limit 4`.execute(t.ctx.db)
    ).rows.map((row) => row.code);
    const reasons = await t.ctx.db.selectFrom("case_reasons").select(["kind", "code"]).where("active", "=", true).execute();
    const worker = actors.get("gw-530103001001-1") as Actor;
    const ids: string[] = [];
    const report = async () => {
      const grid = g.pick(grids).code;
      const point = await t.ctx.grids.interiorPoint(grid);
      if (!point) throw new Error(`no point in ${grid}`);
      const onSpot = g.next() < 0.1;
      const reporter = onSpot ? worker : (actors.get(g.pick(["seat-01", "gw-530103001001-1", "dispatcher"])) as Actor);
      const photo = async () => {
        const id = crypto.randomUUID();
        await t.ctx.db
          .insertInto("attachments")
          .values({ id, storage_key: `${REGION}/${id}`, mime: "image/jpeg", bytes: 1, sha256: "0", width: 1, height: 1, uploaded_by: reporter.userId })
          .execute();
        return id;
      };
      const answer = await intakeCase(t.ctx, reporter, {
        description: "路灯不亮，垃圾满了",
        location: { lng: point[0], lat: point[1] },
        categoryCode: g.next() < 0.5 ? g.pick(CATEGORIES) : undefined,
        ...(onSpot ? { handledOnSpot: true, photoIds: [await photo()], afterPhotoIds: [await photo()] } : {}),
      });
      ids.push((answer.body as { case: { id: string } }).case.id);
    };
    const inputFor = (action: TransitionInput["action"], id: string): TransitionInput => {
      const note = "处理说明";
      switch (action) {
        case "register":
        case "reclassify":
          return { action, categoryCode: g.pick(CATEGORIES), note };
        case "dispatch":
        case "reassign": {
          const lead = g.pick(departments);
          if (g.next() < 0.2) return { action, to: { userId: worker.userId }, note };
          const co = departments.find((d) => d.id !== lead.id);
          return { action, to: { departmentCode: lead.code }, coHandlers: co && g.next() < 0.3 ? [co.code] : undefined, note };
        }
        case "reject":
        case "return":
          return { action, reasonCode: g.pick(reasons.filter((r) => r.kind === (action === "reject" ? "reject" : "return"))).code, note };
        case "release_co_handler":
          return { action, departmentCode: g.pick(departments).code, note };
        case "request_extension":
          return { action, days: 1 + Math.floor(g.next() * 5), note };
        case "evaluate":
          return { action, satisfaction: g.pick(["satisfied", "basically_satisfied", "dissatisfied"] as const), resolved: g.next() < 0.7, note };
        case "merge":
          return { action, into: g.pick(ids.filter((other) => other !== id)), note };
        default:
          return { action, note };
      }
    };

    // Until the workload has been through every branch of the loop (escalation, merge, suspension,
    // extension, rework, reopening, handling on the spot), and for 400 steps at least.
    const branches = ["register", "dispatch", "acknowledge", "handle", "verify_pass", "verify_fail", "evaluate", "escalate", "suspend", "resume", "approve_extension", "merge", "reclassify"];
    const taken = new Set<string>();
    for (let step = 0; step < 400 || (step < 2000 && branches.some((action) => !taken.has(action))); step++) {
      // Mostly minutes to hours apart, sometimes days: the moments land across midnights and month ends.
      const roll = g.next();
      now += roll < 0.7 ? g.next() * 3 * HOUR : roll < 0.95 ? g.next() * 30 * HOUR : g.next() * 240 * HOUR;
      vi.setSystemTime(now);
      months.add(new Date(now + 8 * HOUR).toISOString().slice(0, 7));
      if (ids.length < 8 || g.next() < 0.08) {
        await report();
        continue;
      }
      const id = g.pick(ids);
      const offers = [];
      for (const [, actor] of actors) {
        const detail = await getCase(t.ctx, actor, id).catch(() => undefined);
        for (const action of detail?.case.actions ?? []) offers.push({ actor, action });
      }
      if (offers.length === 0) continue;
      // Actions that move a case on are drawn more often than those that end it or leave it where it is.
      const weighted = offers.filter((offer) => !SIDE_ACTIONS.includes(offer.action) || g.next() < 0.15);
      const { actor, action } = g.pick(weighted.length > 0 ? weighted : offers);
      try {
        await transitionCaseInBulk(t.ctx, actor, id, undefined, inputFor(action as TransitionInput["action"], id));
        taken.add(action);
      } catch (error) {
        // Inputs are drawn at random (a merge target already closed, a co-handler not pending): a refusal writes nothing.
        if (!(error instanceof AppError) || error.statusCode >= 500) throw error;
      }
    }
    vi.useRealTimers();
    expect(branches.filter((action) => !taken.has(action))).toEqual([]);
    expect(months.size).toBeGreaterThanOrEqual(3);

    const kept = await rollups(t);
    expect(kept.counts.length).toBeGreaterThan(50);
    // The half-month rows are the day rows summed by half month, kept as the cases moved.
    expect(kept.halves.length).toBeGreaterThan(10);
    expect(kept.halves).toEqual(await halvesOfDays(t));
    expect(kept.lateHalves.length).toBeGreaterThan(0);
    expect(kept.lateHalves).toEqual(await lateHalvesOfDays(t));
    await rebuildRollups(t.ctx.db, REGION);
    expect(await rollups(t)).toEqual(kept);
  });

  it("keeps them exact through generated loads, chunk by chunk or in bulk", { timeout: 300_000 }, async () => {
    await generateCases(t.database, { cases: 400, seed: 7, days: 120, chunkSize: 150, bulk: false });
    await generateCases(t.database, { cases: 400, seed: 8, days: 120, chunkSize: 150, bulk: true });
    const kept = await rollups(t);
    expect(kept.halves).toEqual(await halvesOfDays(t));
    expect(kept.lateHalves).toEqual(await lateHalvesOfDays(t));
    await rebuildRollups(t.ctx.db, REGION);
    expect(await rollups(t)).toEqual(kept);
    const { rows } = await sql<{ accepted: number; registered: number; due: number; responded: number; handled: number }>`
      select sum(accepted)::int as accepted, sum(registered)::int as registered, sum(due_close)::int as due, sum(responded)::int as responded,
        sum(handled)::int as handled from case_counts where region_code = ${REGION} and kind = 'all'`.execute(t.ctx.db);
    const { rows: cases } = await sql<{ n: number }>`select count(*)::int as n from cases where region_code = ${REGION}`.execute(t.ctx.db);
    expect(rows[0].accepted).toBe(cases[0].n);
    // Generated cases carry the moments indicators count by, stamped from their events.
    expect(Math.min(rows[0].registered, rows[0].due, rows[0].responded, rows[0].handled)).toBeGreaterThan(400);
  });

  it("gives the same figures from the rollups as counted from the case table, for every grouping and period", { timeout: 300_000 }, async () => {
    // The workload's months and the generated loads' (whose histories close cases late across
    // half months and months).
    const { rows: loaded } = await sql<{ month: string }>`select distinct to_char(gridgov_day(created_at), 'YYYY-MM') as month
      from cases where region_code = ${REGION}`.execute(t.ctx.db);
    const ordered = [...new Set([...months, ...loaded.map((row) => row.month)])].sort();
    // Months and half months, and a stretch from a 10th to a 20th: days, whole half months, days.
    const periods = [
      ...ordered.flatMap((month) => [`${month}`, `${month}-H1`, `${month}-H2`].map((code) => periodOf(code)!)),
      { code: "10th to 20th", from: `${ordered[0]}-10`, to: `${ordered.at(-1)}-20` },
    ];
    const groupings: (Grouping | undefined)[] = [undefined, "street", "community", "grid", "department", "person", "category", "level", "source", "reporter", "week", "month"];
    for (const suspendedDue of [true, false]) {
      await sql`insert into evaluation_settings (region_code, suspended_due) values (${REGION}, ${suspendedDue})
        on conflict (region_code) do update set suspended_due = excluded.suspended_due`.execute(t.ctx.db);
      await rebuildRollups(t.ctx.db, REGION);
      for (const period of periods) {
        for (const groupBy of groupings) {
          const scope = { regionCode: REGION, division: divisionFor(groupBy) };
          const buckets = bucketsOf(period, groupBy);
          const fromRollups = new Map(
            (await sumCounts(t.ctx.db, scope, groupBy, buckets)).map((row) => [`${row.bucket}|${row.group}`, figuresOf(row.sums)]),
          );
          const scanned = new Map((await scanCounts(t.ctx.db, scope, groupBy, buckets, suspendedDue)).map((row) => [`${row.bucket}|${row.group}`, row.counts]));
          for (const key of new Set([...fromRollups.keys(), ...scanned.keys()])) {
            for (const indicator of COUNTED_INDICATORS) {
              const label = `${indicator} ${period.code} by ${groupBy ?? "total"} ${key} (suspended due: ${suspendedDue})`;
              expect(fromRollups.get(key)?.[indicator] ?? 0, label).toBe(scanned.get(key)?.[indicator] ?? 0);
            }
          }
        }
      }
    }
  });
});

/** The division a grouping is asked under: the district, or a street for the finer ones. */
const divisionFor = (groupBy: Grouping | undefined) => (groupBy === "grid" || groupBy === "community" ? "530103001" : REGION);

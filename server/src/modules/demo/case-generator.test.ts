import { describe, expect, it } from "vitest";
import { calendarFor } from "../cases/calendars.ts";
import { CATEGORY_SEEDS } from "../cases/categories.data.ts";
import { deadlineStatus } from "../cases/deadlines.ts";
import { searchTerms, suggestCategories } from "../cases/text.ts";
import { generateCaseHistories, nearDueFrom, type GeneratedCase, type GeneratorWorld } from "./case-generator.ts";

const REGION = "530103";
const STREET = "530103001";
const COMMUNITY = "530103001001";
const square = (lng: number, lat: number, size: number) => ({
  type: "Polygon" as const,
  coordinates: [[[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]],
});
let next = 0;
const person = (roles: string[], scopeCode: string | null, departmentId: string | null = null) => ({
  id: `00000000-0000-7000-8000-${String(++next).padStart(12, "0")}`,
  roles,
  scopeCode,
  departmentId,
});
const departments = [...new Set(CATEGORY_SEEDS.flatMap((c) => (c.departmentCode ? [c.departmentCode] : [])))].map((code, i) => ({
  id: `00000000-0000-7000-9000-${String(i + 1).padStart(12, "0")}`,
  code,
}));

/** A district of one street, one community and two grids, staffed as the demo district is. */
const world: GeneratorWorld = {
  regionCode: REGION,
  calendar: calendarFor(REGION),
  grids: [
    { code: `${COMMUNITY}001`, communityCode: COMMUNITY, geometry: square(102.71, 25.04, 0.004) },
    { code: `${COMMUNITY}002`, communityCode: COMMUNITY, geometry: square(102.714, 25.04, 0.004) },
  ],
  divisionNames: new Map([
    [STREET, "拓东街道"],
    [COMMUNITY, "金星社区"],
  ]),
  categories: CATEGORY_SEEDS.map((c) => ({ ...c, deadlinePolicy: c.deadlinePolicy })),
  departments,
  people: [
    person(["dispatcher"], REGION),
    person(["dispatcher"], REGION),
    person(["leader"], REGION),
    person(["seat_operator"], REGION),
    person(["dispatcher"], STREET),
    person(["supervisor"], STREET),
    person(["handler"], STREET),
    person(["dispatcher", "handler"], COMMUNITY),
    person(["grid_worker"], COMMUNITY),
    person(["volunteer"], COMMUNITY),
    person(["resident"], null),
    ...departments.map((d) => person(["handler"], REGION, d.id)),
  ],
  responseHours: 2,
};
const NOW = new Date("2026-11-20T06:00:00Z");
const generate = (cases: number, seed: number) => [...generateCaseHistories(world, { cases, seed, now: NOW })];

describe("the case generator", () => {
  const cases = generate(1500, 7);

  it("is deterministic: the same seed gives the same cases, another seed others", () => {
    expect(generate(50, 7)).toEqual(generate(50, 7));
    expect(generate(50, 8)[0].id).not.toBe(generate(50, 7)[0].id);
  });

  it("spreads the cases over the 365 days before now, in the order they were reported", () => {
    expect(cases).toHaveLength(1500);
    const times = cases.map((c) => c.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(NOW.getTime() - times[0]).toBeLessThan(365 * 86_400_000);
    expect(NOW.getTime() - times[0]).toBeGreaterThan(360 * 86_400_000);
    expect(times.at(-1)).toBeLessThanOrEqual(NOW.getTime());
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    expect(cases.every((c) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(c.id))).toBe(true);
  });

  it("spreads them over fewer days when asked, as a demo start does with a quarter", () => {
    const quarter = [...generateCaseHistories(world, { cases: 300, seed: 7, now: NOW, days: 90 })];
    expect(quarter).toHaveLength(300);
    const oldest = quarter[0].createdAt.getTime();
    expect(NOW.getTime() - oldest).toBeLessThan(90 * 86_400_000);
    expect(NOW.getTime() - oldest).toBeGreaterThan(85 * 86_400_000);
    expect(() => [...generateCaseHistories(world, { cases: 1, seed: 7, now: NOW, days: 0 })]).toThrow(RangeError);
  });

  it("writes the search terms and the suggested category that intake would", () => {
    const subcategories = CATEGORY_SEEDS.filter((c) => c.parentCode !== null);
    for (const c of cases) {
      expect(c.searchText, c.description).toBe(searchTerms(`${c.title} ${c.description}`));
      expect(c.suggestedCategoryCode, c.description).toBe(suggestCategories(c.description + c.title, subcategories)[0]?.code ?? null);
    }
  });

  it("keeps each timeline in time order, up to now, with the events' statuses chained", () => {
    for (const c of cases) {
      let status: string | null = null;
      let at = 0;
      for (const event of c.events) {
        expect(event.from).toBe(status);
        expect(event.at.getTime()).toBeGreaterThanOrEqual(at);
        expect(event.at.getTime()).toBeLessThanOrEqual(NOW.getTime());
        status = event.to;
        at = event.at.getTime();
      }
      expect(status).toBe(c.status);
    }
  });

  it("marks open cases as the deadline sweep would have, with one automatic urge per change", () => {
    const open = cases.filter((c) => ["reported", "accepted", "registered", "dispatched", "in_progress", "handled"].includes(c.status));
    expect(open.length).toBeGreaterThan(0);
    for (const c of open) {
      const state = deadlineStatus(c.handleBy, NOW, world.calendar);
      if (state !== "on_time") expect([state, "overdue"]).toContain(c.deadlineState);
      const urges = c.events.filter((e) => e.action === "urge" && e.actorId === null).map((e) => e.details.deadline);
      expect(urges.at(-1) ?? "on_time").toBe(c.deadlineState);
    }
    expect(cases.some((c) => c.deadlineState === "overdue")).toBe(true);
  });

  it("is near due from four working hours before a deadline, over weekends", () => {
    // Monday 2026-11-23 02:00 Shanghai: two hours that morning, two on Friday evening.
    const due = new Date("2026-11-22T18:00:00Z").getTime();
    expect(new Date(nearDueFrom(world.calendar, due)).toISOString()).toBe("2026-11-20T14:00:00.000Z");
    const endOfDay = new Date("2026-11-20T15:59:59.999Z").getTime();
    expect(nearDueFrom(world.calendar, endOfDay)).toBe(endOfDay - 4 * 3_600_000);
  });

  it("mixes outcomes: most closed, some of each open status, reworked, extended, suspended, escalated, merged, rated", () => {
    const count = (test: (c: GeneratedCase) => boolean) => cases.filter(test).length;
    const did = (action: string) => count((c) => c.events.some((e) => e.action === action));
    expect(count((c) => ["closed", "evaluated"].includes(c.status))).toBeGreaterThan(cases.length * 0.7);
    for (const action of [
      "verify_fail", "request_extension", "approve_extension", "suspend", "escalate", "merge", "evaluate", "return", "reject",
      "approve_return", "deny_return", "co_acknowledge", "co_report",
    ]) {
      expect(did(action), action).toBeGreaterThan(0);
    }
    const ratings = new Set(cases.map((c) => c.satisfaction));
    expect(ratings).toEqual(new Set([null, "satisfied", "basically_satisfied", "dissatisfied"]));
    const merged = cases.filter((c) => c.status === "merged");
    const ids = new Set(cases.map((c) => c.id));
    for (const c of merged) expect(ids.has(c.mergedInto ?? "")).toBe(true);
  });
});

describe("cases over several years", () => {
  const DAY = 86_400_000;
  const days = 3 * 365;
  const cases = [...generateCaseHistories(world, { cases: 12_000, seed: 3, now: NOW, days })];
  const dayOf = (c: GeneratedCase) => new Date(c.createdAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  const share = (test: (c: GeneratedCase) => boolean, among = cases) => among.filter(test).length / among.length;

  it("spreads them over the years asked, the last days busier than the first", () => {
    expect(NOW.getTime() - cases[0].createdAt.getTime()).toBeGreaterThan((days - 5) * DAY);
    expect(NOW.getTime() - cases[0].createdAt.getTime()).toBeLessThan(days * DAY);
    const firstYear = cases.filter((c) => NOW.getTime() - c.createdAt.getTime() > 2 * 365 * DAY).length;
    const lastYear = cases.filter((c) => NOW.getTime() - c.createdAt.getTime() <= 365 * DAY).length;
    expect(lastYear / firstYear).toBeGreaterThan(1.1);
  });

  it("has fewer cases on the working calendar's weekends and holidays than on working days", () => {
    const perDay = new Map<string, number>();
    for (const c of cases) perDay.set(dayOf(c), (perDay.get(dayOf(c)) ?? 0) + 1);
    const mean = (dates: string[]) => dates.reduce((sum, date) => sum + (perDay.get(date) ?? 0), 0) / dates.length;
    const all = Array.from({ length: days - 2 }, (_, k) => new Date(NOW.getTime() - (k + 1) * DAY + 8 * 3_600_000).toISOString().slice(0, 10));
    const working = all.filter((date) => world.calendar.isWorkingDay(date));
    const holidays = all.filter((date) => !world.calendar.isWorkingDay(date) && ![0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay()));
    const weekends = all.filter((date) => !world.calendar.isWorkingDay(date) && [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay()));
    expect(holidays.length).toBeGreaterThan(10);
    expect(mean(weekends) / mean(working)).toBeLessThan(0.75);
    expect(mean(holidays) / mean(working)).toBeLessThan(0.65);
  });

  it("follows the seasons: drains and flooding in the summer rains, burst pipes in winter", () => {
    const month = (c: GeneratedCase) => new Date(c.createdAt.getTime() + 8 * 3_600_000).getUTCMonth() + 1;
    const summer = cases.filter((c) => [6, 7, 8].includes(month(c)));
    const winter = cases.filter((c) => [12, 1, 2].includes(month(c)));
    const rains = (c: GeneratedCase) => ["event.emergency.waterlogging", "event.emergency.sewer_blockage", "component.public_facility.storm_grate"].includes(c.categoryCode ?? "");
    expect(share(rains, summer)).toBeGreaterThan(2 * share(rains, winter));
    const pipes = (c: GeneratedCase) => c.categoryCode === "event.emergency.water_main_burst";
    expect(share(pipes, winter)).toBeGreaterThan(share(pipes, summer));
  });

  it("mixes channels with the hotline first, and appeals nearly all by telephone", () => {
    const sources = new Map<string, number>();
    for (const c of cases) sources.set(c.source, (sources.get(c.source) ?? 0) + 1);
    const ranked = [...sources].sort((a, b) => b[1] - a[1]).map(([source]) => source);
    expect(ranked[0]).toBe("hotline");
    expect(ranked.slice(1, 2)).toEqual(["grid_worker"]);
    expect(new Set(ranked)).toEqual(new Set(["hotline", "grid_worker", "resident_app", "supervisor_patrol", "resident_web", "volunteer"]));
    const appeals = cases.filter((c) => c.categoryCode?.startsWith("appeal."));
    expect(share((c) => c.source === "hotline", appeals)).toBeGreaterThan(0.7);
  });

  it("rates closed cases with satisfaction and whether the problem was solved, on the case and its event", () => {
    const rated = cases.filter((c) => c.satisfaction !== null);
    expect(rated.length).toBeGreaterThan(cases.length * 0.5);
    expect(share((c) => c.satisfaction === "satisfied", rated)).toBeGreaterThan(0.7);
    expect(share((c) => c.resolved === true, rated)).toBeGreaterThan(0.8);
    expect(rated.some((c) => c.resolved === false)).toBe(true);
    for (const c of cases) {
      const evaluated = c.events.filter((e) => e.action === "evaluate");
      if (evaluated.length === 0) expect(c.resolved).toBeNull();
      else expect(evaluated.at(-1)?.details.resolved).toBe(c.resolved);
    }
  });

  it("records each moved deadline on its event, so that the events alone give a case's deadline", () => {
    const moving = ["approve_extension", "resume", "escalate"];
    let moved = 0;
    for (const c of cases) {
      let handleBy: string | undefined;
      for (const e of c.events) {
        const deadlines = e.details.deadlines as { from: Record<string, string>; to: Record<string, string> } | undefined;
        if (deadlines?.to.handleBy) {
          moved++;
          expect(moving.includes(e.action) || (e.action === "evaluate" && e.to === "registered"), e.action).toBe(true);
          handleBy = deadlines.to.handleBy;
        }
      }
      if (handleBy) expect(handleBy).toBe(c.handleBy.toISOString());
    }
    expect(moved).toBeGreaterThan(0);
  });

  it("keeps cases open in every open status within the last 90 days", () => {
    const recent = cases.filter((c) => NOW.getTime() - c.createdAt.getTime() <= 90 * DAY);
    const open = new Set(recent.map((c) => c.status));
    for (const status of ["reported", "accepted", "registered", "dispatched", "in_progress", "suspended", "handled"]) expect(open, status).toContain(status);
  });
});

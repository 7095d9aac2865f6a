/**
 * Generated case histories for the demo district: a pure, seeded generator (no I/O) that walks each
 * case through the real workflow (`applyCommand`) with real people of the district, on the working
 * calendar, so that every history is valid by construction. `case-seed.ts` loads what it yields.
 *
 * The same world, seed, count and `now` give the same cases, ids and tracking tokens.
 */
import crypto from "node:crypto";
import type { GeoJsonPolygon } from "../../db/schema.ts";
import type { WorkingCalendar } from "../cases/calendar.ts";
import { computeDeadlines, deadlineStatus, NEAR_DUE_WORKING_HOURS, policyFor, type DeadlineStatus, type Urgency } from "../cases/deadlines.ts";
import { suggestCategories, tokenize } from "../cases/text.ts";
import {
  applyCommand,
  isFinal,
  pendingCoHandlers,
  reportedState,
  type Assignment,
  type CoHandler,
  type ReturnRequest,
  type CaseState,
  type CaseStatus,
  type ClosureLevel,
  type Command,
  type Satisfaction,
  type WorkflowActor,
} from "../cases/workflow.ts";
import { locatePoint, polygonBBox } from "../grids/geometry.ts";
import { mulberry32 } from "./demo-geometry.ts";
import { mobilePhone, personName } from "./demo-people.ts";

export type WorldCategory = {
  code: string;
  name: string;
  parentCode: string | null;
  departmentCode: string | null;
  closureLevel: ClosureLevel;
  deadlinePolicy: string;
  photoRequired: boolean;
  keywords: string[];
};
export type WorldPerson = { id: string; roles: string[]; scopeCode: string | null; departmentId: string | null };

/** What the generator needs of the district, read from the database by the loader. */
export type GeneratorWorld = {
  regionCode: string;
  calendar: WorkingCalendar;
  grids: { code: string; communityCode: string; geometry: GeoJsonPolygon }[];
  /** Community and street names by code, for the places in descriptions. */
  divisionNames: Map<string, string>;
  categories: WorldCategory[];
  departments: { id: string; code: string }[];
  people: WorldPerson[];
};

export type GenerateOptions = {
  /** How many cases. */
  cases: number;
  seed: number;
  /** The end of the period the cases are spread over. */
  now: Date;
  /** How many days before `now` the cases are spread over; a year by default. */
  days?: number;
};

/** One event of a case's timeline, as case_events stores it. */
export type GeneratedEvent = {
  id: string;
  at: Date;
  actorId: string | null;
  action: string;
  from: string | null;
  to: string;
  level: string;
  note: string | null;
  publicNote: boolean;
  details: Record<string, unknown>;
};

/** One case as the cases table stores it, without its number (drawn from the day counter at loading). */
export type GeneratedCase = {
  id: string;
  /** The day of its number, yyyymmdd in Asia/Shanghai. */
  day: string;
  status: CaseStatus;
  level: ClosureLevel;
  source: string;
  categoryCode: string | null;
  suggestedCategoryCode: string | null;
  departmentCode: string | null;
  urgency: Urgency;
  title: string;
  description: string;
  searchText: string;
  lat: number;
  lng: number;
  gridCode: string;
  communityCode: string;
  streetCode: string;
  reporterUserId: string | null;
  reporterName: string | null;
  reporterPhone: string | null;
  trackingToken: string;
  trackingTokenHash: string;
  assignment: Assignment | null;
  coHandlers: CoHandler[];
  returnRequest: ReturnRequest | null;
  suspendedFrom: CaseStatus | null;
  suspendedAt: Date | null;
  pendingExtensionDays: number | null;
  extensionRequestedBy: string | null;
  reworkCount: number;
  reopenCount: number;
  satisfaction: Satisfaction | null;
  mergedInto: string | null;
  acceptBy: Date;
  dispatchBy: Date;
  feedbackBy: Date;
  handleBy: Date;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  deadlineState: "on_time" | "near_due" | "overdue";
  version: number;
  events: GeneratedEvent[];
};

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** The period cases are spread over unless the options say otherwise. */
const YEAR_DAYS = 365;
/** The sweep's near-due margin. */
const NEAR_DUE_HOURS = NEAR_DUE_WORKING_HOURS;
/** Statuses the deadline sweep looks at (a suspended case's clock stands still). */
const SWEPT: readonly CaseStatus[] = ["reported", "accepted", "registered", "dispatched", "in_progress", "handled"];

// Where in a community a problem is seen.
const LANDMARKS = ["小区门口", "菜市场旁", "公交站附近", "学校门口", "十字路口", "巷子里", "停车场出口", "公园入口", "河边步道", "商铺前面", "老旧小区内", "农贸市场", "医院门口", "广场边上"];
const OPENINGS = ["", "发现", "有人反映", "居民反映"];
const DETAILS = [
  "已经好几天了",
  "影响居民出行",
  "存在安全隐患",
  "请尽快派人处理",
  "晚上特别明显",
  "附近老人小孩很多",
  "多次反映还没有解决",
  "周边商户意见很大",
  "下雨天更严重",
  "希望相关部门尽快处理",
  "早晚高峰影响通行",
  "给周围住户带来不便",
];
const HANDLE_NOTES = ["已现场处置完毕", "已安排人员清理", "已维修恢复", "已协调相关单位解决", "已劝导整改到位", "已上门走访解决"];
const VERIFY_FAIL_NOTES = ["现场核查未整改到位", "处置不彻底，仍有问题", "复查发现问题反复"];
const SUSPEND_NOTES = ["需等待产权单位确认", "涉及多部门协调，暂缓办理", "恶劣天气暂停施工"];
/** Reasons from the seeded lists (migration 0018), with what a handler or dispatcher adds. */
const RETURN_REASONS: readonly [code: string, note: string][] = [
  ["not_our_duty", "不属于本单位职责，建议派至属地街道"],
  ["wrong_location", "现场未找到，地址有误"],
  ["wrong_category", "派遣对象有误，请重新派遣"],
  ["private_property", "属小区物业管理范围"],
];
const REJECT_REASONS: readonly [code: string, note: string][] = [
  ["not_governance", "不属于受理范围"],
  ["insufficient", "信息不全，无法核实"],
  ["duplicate", "重复上报"],
];
const DENY_RETURN_NOTES = ["经核实属于本单位职责，请继续办理", "该点位在贵单位管辖范围内"];
const CO_REPORT_NOTES = ["协办部分已完成，现场已配合处置", "已派员到场配合，协办事项办结"];
const RELEASE_NOTES = ["主办单位可独立完成，不再需要协办"];
const EXTENSION_NOTES = ["需采购材料，申请延期", "工程量较大，申请延期", "需协调产权单位，申请延期"];

/** The workflow roles of the district's people, by where they work. */
class Staff {
  private readonly byScope = new Map<string, WorldPerson[]>();
  readonly seatOperators: WorldPerson[];
  readonly leaders: WorldPerson[];
  readonly residents: WorldPerson[];
  private readonly departmentHandlers = new Map<string, WorldPerson[]>();

  constructor(readonly people: WorldPerson[]) {
    for (const person of people) {
      const key = person.scopeCode ?? "";
      const list = this.byScope.get(key) ?? [];
      list.push(person);
      this.byScope.set(key, list);
      if (person.departmentId && person.roles.includes("handler")) {
        const handlers = this.departmentHandlers.get(person.departmentId) ?? [];
        handlers.push(person);
        this.departmentHandlers.set(person.departmentId, handlers);
      }
    }
    this.seatOperators = people.filter((p) => p.roles.includes("seat_operator"));
    this.leaders = people.filter((p) => p.roles.includes("leader"));
    this.residents = people.filter((p) => p.roles.includes("resident"));
  }

  private readonly found = new Map<string, WorldPerson[]>();

  /** People scoped exactly to `code` holding `role`. */
  at(code: string, role: string): WorldPerson[] {
    const key = `${code}/${role}`;
    let people = this.found.get(key);
    if (!people) {
      people = (this.byScope.get(code) ?? []).filter((p) => p.roles.includes(role));
      this.found.set(key, people);
    }
    return people;
  }

  handlersOf(departmentId: string): WorldPerson[] {
    return this.departmentHandlers.get(departmentId) ?? [];
  }
}

const actorOf = (person: WorldPerson): WorkflowActor => ({
  userId: person.id,
  roles: person.roles,
  scopeCode: person.scopeCode,
  departmentId: person.departmentId,
});
const REPORTER: WorldPerson = { id: "reporter", roles: ["reporter"], scopeCode: null, departmentId: null };

/** A case still open at some time, that a later duplicate may be merged into. */
type MergeTarget = { id: string; categoryCode: string | null; gridCode: string; createdAt: number; openUntil: number; text: { place: string; keyword: string } };

/** Day boundaries in Asia/Shanghai. */
const shanghaiDayStart = (ms: number) => Math.floor((ms + 8 * HOUR) / DAY) * DAY - 8 * HOUR;
const shanghaiDayKey = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 10).replaceAll("-", "");

/**
 * Yields `options.cases` cases in the order they were reported, spread over the `options.days`
 * (365 by default) days before `options.now` (fewer on weekends and at night, rising slowly over
 * the period).
 */
export function* generateCaseHistories(world: GeneratorWorld, options: GenerateOptions): Generator<GeneratedCase> {
  const generator = new HistoryGenerator(world, options);
  yield* generator.run();
}

class HistoryGenerator {
  private readonly random: () => number;
  private readonly staff: Staff;
  private readonly subcategories: WorldCategory[];
  private readonly categoryByCode: Map<string, WorldCategory>;
  private readonly departmentIdByCode: Map<string, string>;
  private readonly gridPoints: { grid: GeneratorWorld["grids"][number]; points: [number, number][] }[];
  private readonly tokenCache = new Map<string, string[]>();
  private readonly hitCache = new Map<string, number[]>();
  /** A keyword spanning the joint of two clauses has at most this many characters on either side. */
  private readonly joint: number;
  private readonly recentByCommunity = new Map<string, MergeTarget[]>();
  private readonly nowMs: number;
  private readonly days: number;

  constructor(
    private readonly world: GeneratorWorld,
    private readonly options: GenerateOptions,
  ) {
    this.random = mulberry32(options.seed);
    this.staff = new Staff(world.people);
    this.subcategories = world.categories.filter((c) => c.parentCode !== null && c.keywords.length > 0);
    this.joint = Math.max(1, ...this.subcategories.flatMap((c) => c.keywords.map((k) => k.length))) - 1;
    this.categoryByCode = new Map(world.categories.map((c) => [c.code, c]));
    this.departmentIdByCode = new Map(world.departments.map((d) => [d.code, d.id]));
    this.nowMs = options.now.getTime();
    this.days = options.days ?? YEAR_DAYS;
    if (!Number.isInteger(this.days) || this.days < 1) throw new RangeError(`Cases are spread over a whole number of days, at least 1, not ${this.days}`);
    // A few points inside each grid, drawn once: reports cluster where problems recur.
    this.gridPoints = world.grids.map((grid) => ({ grid, points: this.pointsInside(grid.geometry, 12) }));
  }

  *run(): Generator<GeneratedCase> {
    const { cases } = this.options;
    const perDay = this.casesPerDay(cases);
    const firstDay = shanghaiDayStart(this.nowMs) - (this.days - 1) * DAY;
    for (let d = 0; d < this.days; d++) {
      const dayStart = firstDay + d * DAY;
      // Today only up to now.
      const span = Math.min(DAY, this.nowMs - dayStart);
      const times: number[] = [];
      for (let k = 0; k < perDay[d]; k++) times.push(dayStart + Math.floor(this.timeOfDay() * span));
      times.sort((a, b) => a - b);
      for (const at of times) yield this.generateCase(at);
    }
  }

  /** Cases per day: weekends at 60 %, the period's end a third busier than its start; adds up exactly. */
  private casesPerDay(total: number): number[] {
    const firstDay = shanghaiDayStart(this.nowMs) - (this.days - 1) * DAY;
    const weights = Array.from({ length: this.days }, (_, d) => {
      const weekday = new Date(firstDay + d * DAY + 8 * HOUR).getUTCDay();
      return (weekday === 0 || weekday === 6 ? 0.6 : 1) * (0.75 + (0.25 * d) / this.days);
    });
    const sum = weights.reduce((a, b) => a + b, 0);
    const exact = weights.map((w) => (w * total) / sum);
    const parts = exact.map(Math.floor);
    let missing = total - parts.reduce((a, b) => a + b, 0);
    const order = exact.map((value, i) => [value - Math.floor(value), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (let k = 0; missing > 0; k++, missing--) parts[order[k % order.length][1]]++;
    return parts;
  }

  /** A fraction of the day, mostly between 8:00 and 20:00. */
  private timeOfDay(): number {
    const r = this.random();
    if (r < 0.85) return (8 + this.random() * 12) / 24;
    return r < 0.93 ? (20 + this.random() * 4) / 24 : (this.random() * 8) / 24;
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  /** Minutes to hours, log-uniform between `min` and `max` milliseconds. */
  private delay(min: number, max: number): number {
    return Math.round(min * Math.exp(this.random() * Math.log(max / min)));
  }

  private pointsInside(geometry: GeoJsonPolygon, count: number): [number, number][] {
    const [minX, minY, maxX, maxY] = polygonBBox(geometry);
    const points: [number, number][] = [];
    for (let tries = 0; points.length < count && tries < count * 50; tries++) {
      const lng = minX + this.random() * (maxX - minX);
      const lat = minY + this.random() * (maxY - minY);
      if (locatePoint(geometry, lng, lat) === "inside") points.push([Math.round(lng * 1e6) / 1e6, Math.round(lat * 1e6) / 1e6]);
    }
    return points;
  }

  /** A v7 UUID for an instant, its random bits from the seeded stream. */
  private uuid(ms: number): string {
    const hex = ms.toString(16).padStart(12, "0");
    const a = (this.random() * 0x100000000) >>> 0;
    const b = (this.random() * 0x100000000) >>> 0;
    const c = (this.random() * 0x100000000) >>> 0;
    const word = (n: number) => n.toString(16).padStart(8, "0");
    const ab = word(a);
    // Version 7, variant 10xx.
    const variant = (((b >>> 28) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${ab.slice(0, 3)}-${variant}${ab.slice(3, 6)}-${word(b).slice(1, 5)}${word(c)}`;
  }

  private tokensOf(clause: string): string[] {
    let tokens = this.tokenCache.get(clause);
    if (!tokens) {
      tokens = tokenize(clause);
      if (this.tokenCache.size >= 100_000) this.tokenCache.clear();
      this.tokenCache.set(clause, tokens);
    }
    return tokens;
  }

  /**
   * The stored search terms of `title description`: clauses are split by punctuation, where the
   * tokenizer always cuts, so the terms are the clauses' tokens in order, each clause tokenized once.
   */
  private searchTermsOf(clauses: string[]): string {
    const seen = new Set<string>();
    for (const clause of clauses) for (const token of this.tokensOf(clause)) seen.add(token);
    return [...seen].join(" ");
  }

  /** The subcategories with a keyword inside `text` (no punctuation in it), by their catalogue order. */
  private keywordHits(text: string): number[] {
    let hits = this.hitCache.get(text);
    if (!hits) {
      hits = [];
      for (let i = 0; i < this.subcategories.length; i++) if (this.subcategories[i].keywords.some((k) => text.includes(k))) hits.push(i);
      // Joints of clauses are many: the cache is bounded, so that memory stays flat over millions of cases.
      if (this.hitCache.size >= 100_000) this.hitCache.clear();
      this.hitCache.set(text, hits);
    }
    return hits;
  }

  /**
   * What intake suggests for `text`, the clauses joined by punctuation: `suggestCategories` over the
   * categories that have a keyword in some clause or across the joint of two (punctuation is
   * dropped before matching), which are the only ones that can score; the others would come last.
   */
  private suggestionFor(text: string, clauses: string[]): string | null {
    const hits = new Set<number>();
    clauses.forEach((clause, i) => {
      for (const hit of this.keywordHits(clause)) hits.add(hit);
      if (i > 0) for (const hit of this.keywordHits(clauses[i - 1].slice(-this.joint) + clause.slice(0, this.joint))) hits.add(hit);
    });
    if (hits.size === 0) return null;
    const candidates = [...hits].sort((a, b) => a - b).map((i) => this.subcategories[i]);
    return suggestCategories(text, candidates)[0]?.code ?? null;
  }

  private generateCase(createdAt: number): GeneratedCase {
    const world = this.world;
    const { grid, points } = this.pick(this.gridPoints);
    const [lng, lat] = points.length > 0 ? this.pick(points) : [0, 0];
    const communityCode = grid.communityCode;
    const streetCode = communityCode.slice(0, 9);
    const id = this.uuid(createdAt);

    // A duplicate of an open case nearby: same problem, merged into it later.
    const duplicateOf = this.chance(0.04) ? this.mergeTargetFor(communityCode, createdAt) : undefined;
    const category = duplicateOf
      ? (duplicateOf.categoryCode ? this.categoryByCode.get(duplicateOf.categoryCode) : undefined)
      : this.chance(0.97)
        ? this.pick(this.subcategories)
        : undefined;
    const keywordCategory = category ?? this.pick(this.subcategories);
    const place = duplicateOf?.text.place ?? `${world.divisionNames.get(communityCode) ?? ""}${this.pick(LANDMARKS)}`;
    const keyword = duplicateOf?.text.keyword ?? this.pick(keywordCategory.keywords);
    const problem = `${this.pick(OPENINGS)}${keyword}`;
    const detail = this.pick(DETAILS);
    const title = keyword;
    const description = `${place}，${problem}，${detail}。`;
    // Intake stores the terms of "title description".
    const searchText = this.searchTermsOf([title, place, problem, detail]);
    const suggested = this.suggestionFor(description + title, [place, problem, detail, title]);

    const source = this.source(category);
    const reporter = this.reporterFor(source, communityCode, streetCode);
    const urgency: Urgency =
      category?.deadlinePolicy === "emergency" ? (this.chance(0.5) ? "emergency" : "urgent") : this.chance(0.06) ? "urgent" : "normal";
    const policy = policyFor(category?.deadlinePolicy ?? "dukao130", urgency);
    const deadlines = computeDeadlines(policy, new Date(createdAt), world.calendar);
    const tokenBytes = Buffer.alloc(18);
    for (let i = 0; i < 18; i++) tokenBytes[i] = Math.floor(this.random() * 256);
    const trackingToken = tokenBytes.toString("base64url");
    const departmentCode = category?.departmentCode ?? null;

    const row: GeneratedCase = {
      id,
      day: shanghaiDayKey(createdAt),
      status: "reported",
      level: category?.closureLevel ?? "community",
      source,
      categoryCode: category?.code ?? null,
      suggestedCategoryCode: suggested,
      departmentCode,
      urgency,
      title,
      description,
      searchText,
      lat,
      lng,
      gridCode: grid.code,
      communityCode,
      streetCode,
      reporterUserId: reporter.userId,
      reporterName: reporter.name,
      reporterPhone: reporter.phone,
      trackingToken,
      trackingTokenHash: crypto.createHash("sha256").update(trackingToken).digest("hex"),
      assignment: null,
      coHandlers: [],
      returnRequest: null,
      suspendedFrom: null,
      suspendedAt: null,
      pendingExtensionDays: null,
      extensionRequestedBy: null,
      reworkCount: 0,
      reopenCount: 0,
      satisfaction: null,
      mergedInto: null,
      acceptBy: deadlines.acceptBy,
      dispatchBy: deadlines.dispatchBy,
      feedbackBy: deadlines.feedbackBy,
      handleBy: deadlines.handleBy,
      createdAt: new Date(createdAt),
      updatedAt: new Date(createdAt),
      closedAt: null,
      deadlineState: "on_time",
      version: 1,
      events: [
        {
          id: this.uuid(createdAt),
          at: new Date(createdAt),
          actorId: reporter.userId,
          action: "report",
          from: null,
          to: "reported",
          level: category?.closureLevel ?? "community",
          note: null,
          publicNote: true,
          details: { source, gridCode: grid.code, suggestedCategory: suggested, photos: [], department: departmentCode },
        },
      ],
    };
    new CaseRun(this, row, category, duplicateOf).play();
    this.remember(row, place, keyword);
    return row;
  }

  /** An open case of the community reported in the last two days, open for a while yet. */
  private mergeTargetFor(communityCode: string, at: number): MergeTarget | undefined {
    const recent = this.recentByCommunity.get(communityCode) ?? [];
    const open = recent.filter((target) => at - target.createdAt < 2 * DAY && target.openUntil > at + 6 * HOUR);
    return open.length > 0 ? this.pick(open) : undefined;
  }

  private remember(row: GeneratedCase, place: string, keyword: string): void {
    const final = row.events.find((event) => isFinal(event.to as CaseStatus) || event.to === "handled");
    const recent = this.recentByCommunity.get(row.communityCode) ?? [];
    recent.push({
      id: row.id,
      categoryCode: row.categoryCode,
      gridCode: row.gridCode,
      createdAt: row.createdAt.getTime(),
      // Merged into it only while it is being worked on, before it is handled.
      openUntil: final ? final.at.getTime() : Number.POSITIVE_INFINITY,
      text: { place, keyword },
    });
    if (recent.length > 20) recent.shift();
    this.recentByCommunity.set(row.communityCode, recent);
  }

  private source(category: WorldCategory | undefined): string {
    const r = this.random();
    // Reports that need a photo come from channels that send one, or by telephone.
    if (r < 0.45) return "grid_worker";
    if (r < 0.65) return "hotline";
    if (r < 0.75) return "supervisor_patrol";
    if (r < 0.8) return "volunteer";
    return category?.photoRequired ? "grid_worker" : "resident_web";
  }

  private reporterFor(source: string, communityCode: string, streetCode: string): { userId: string | null; name: string | null; phone: string | null } {
    const someone = (people: WorldPerson[]) => (people.length > 0 ? this.pick(people).id : null);
    switch (source) {
      case "grid_worker":
        return { userId: someone(this.staff.at(communityCode, "grid_worker")), name: null, phone: null };
      case "supervisor_patrol":
        return { userId: someone(this.staff.at(streetCode, "supervisor")), name: null, phone: null };
      case "volunteer":
        return { userId: someone(this.staff.at(communityCode, "volunteer")), name: null, phone: null };
      case "hotline":
        return { userId: someone(this.staff.seatOperators), name: personName(this.random), phone: mobilePhone(this.random) };
      default:
        // Residents on the web: some signed in, most not, some leaving a number for a call back.
        if (this.chance(0.2) && this.staff.residents.length > 0) return { userId: this.pick(this.staff.residents).id, name: null, phone: null };
        return this.chance(0.5) ? { userId: null, name: personName(this.random), phone: mobilePhone(this.random) } : { userId: null, name: null, phone: null };
    }
  }

  // Shared with CaseRun.
  get rand() {
    return this.random;
  }
  get now() {
    return this.nowMs;
  }
  get people() {
    return this.staff;
  }
  get calendar() {
    return this.world.calendar;
  }
  get region() {
    return this.world.regionCode;
  }
  departmentId(code: string | null): string | undefined {
    return code ? this.departmentIdByCode.get(code) : undefined;
  }
  departmentCode(id: string): string | undefined {
    return this.world.departments.find((d) => d.id === id)?.code;
  }
  get departmentIds(): string[] {
    return this.world.departments.map((d) => d.id);
  }
  private readonly nearDueCache = new Map<number, number>();
  nearDue(due: number): number {
    let at = this.nearDueCache.get(due);
    if (at === undefined) {
      at = nearDueFrom(this.world.calendar, due);
      if (this.nearDueCache.size > 100_000) this.nearDueCache.clear();
      this.nearDueCache.set(due, at);
    }
    return at;
  }
  eventId(at: number): string {
    return this.uuid(at);
  }
  choose<T>(items: readonly T[]): T {
    return this.pick(items);
  }
  maybe(p: number): boolean {
    return this.chance(p);
  }
  wait(min: number, max: number): number {
    return this.delay(min, max);
  }
}

/** One case's history: the actions people take, in time order, until it ends or `now` comes. */
class CaseRun {
  private state: CaseState;
  private at: number;
  private readonly policy;
  /** Once the case has stalled, nothing more happens to it: it stays open and runs overdue. */
  private readonly stallAfter: number;
  private steps = 0;
  private readonly late: boolean;

  constructor(
    private readonly g: HistoryGenerator,
    private readonly row: GeneratedCase,
    private readonly category: WorldCategory | undefined,
    private readonly duplicateOf: MergeTarget | undefined,
  ) {
    this.state = reportedState({ level: row.level, communityCode: row.communityCode, streetCode: row.streetCode, districtCode: g.region });
    this.at = row.createdAt.getTime();
    this.policy = policyFor(category?.deadlinePolicy ?? "dukao130", row.urgency);
    this.stallAfter = g.maybe(0.03) ? Math.floor(g.rand() * 8) : Number.POSITIVE_INFINITY;
    this.late = g.maybe(0.1);
  }

  play(): void {
    for (let guard = 0; guard < 40; guard++) {
      if (isFinal(this.state.status) || this.steps >= this.stallAfter) break;
      const next = this.nextStep();
      if (!next) break;
      const at = this.at + next.after;
      this.sweepUntil(Math.min(at, this.g.now));
      if (at > this.g.now) break;
      this.apply(next.by, next.command, at, next.publicNote ?? false);
      this.steps++;
    }
    this.sweepUntil(this.g.now);
  }

  /** The owning dispatcher at the case's level: the community's centre, the street's or the district's. */
  private dispatcher(): WorldPerson {
    const staff = this.g.people;
    const code = this.state.level === "community" ? this.row.communityCode : this.state.level === "street" ? this.row.streetCode : this.g.region;
    const found = staff.at(code, "dispatcher");
    return found.length > 0 ? this.g.choose(found) : this.g.choose(staff.at(this.g.region, "dispatcher"));
  }

  private assignee(): WorldPerson | undefined {
    const assignment = this.state.assignment;
    const staff = this.g.people;
    if (!assignment) return undefined;
    if (assignment.kind === "department") {
      const handlers = staff.handlersOf(assignment.departmentId);
      return handlers.length > 0 ? this.g.choose(handlers) : undefined;
    }
    if (assignment.kind === "division") {
      const handlers = staff.at(assignment.divisionCode, "handler").filter((p) => !p.departmentId);
      return handlers.length > 0 ? this.g.choose(handlers) : undefined;
    }
    return undefined;
  }

  /** Where the owning centre sends the case: the category's department, or its own people. */
  private dispatchTarget(): Assignment {
    const departmentId = this.g.departmentId(this.row.departmentCode);
    if (departmentId && this.g.people.handlersOf(departmentId).length > 0 && (this.state.level !== "community" || this.g.maybe(0.5))) {
      return { kind: "department", departmentId };
    }
    const division = this.state.level === "community" ? this.row.communityCode : this.row.streetCode;
    if (this.g.people.at(division, "handler").some((p) => !p.departmentId)) return { kind: "division", divisionCode: division };
    return { kind: "division", divisionCode: this.row.streetCode };
  }

  /** The lead, and now and then a second department that co-handles (协办) the case. */
  private dispatchTargets(): { to: Assignment; coHandlers?: string[] } {
    const to = this.dispatchTarget();
    if (to.kind !== "department" || !this.g.maybe(0.06)) return { to };
    const others = this.g.departmentIds.filter((id) => id !== to.departmentId && this.g.people.handlersOf(id).length > 0);
    return others.length > 0 ? { to, coHandlers: [this.g.choose(others)] } : { to };
  }

  /** The next step of a co-handling department whose part is open, or the dispatcher releasing it. */
  private coHandlerStep(): { by: WorldPerson; command: Command; after: number } | undefined {
    const [departmentId] = pendingCoHandlers(this.state);
    if (departmentId === undefined) return undefined;
    const g = this.g;
    if (g.maybe(0.1)) return { by: this.dispatcher(), command: { action: "release_co_handler", departmentId, note: g.choose(RELEASE_NOTES) }, after: g.wait(HOUR, DAY) };
    const co = this.state.coHandlers.find((entry) => entry.departmentId === departmentId);
    const by = g.choose(g.people.handlersOf(departmentId));
    if (co?.state === "dispatched") return { by, command: { action: "co_acknowledge" }, after: g.wait(10 * MINUTE, 6 * HOUR) };
    return { by, command: { action: "co_report", note: g.choose(CO_REPORT_NOTES) }, after: g.wait(2 * HOUR, 2 * DAY) };
  }

  /** The owning centre's decision on a return waiting for it: mostly approved, else the department keeps the case. */
  private returnDecision(): { by: WorldPerson; command: Command; after: number } | undefined {
    const request = this.state.returnRequest;
    if (!request) return undefined;
    const g = this.g;
    const dispatcher = this.dispatcher();
    const approve = g.maybe(0.7) && dispatcher.id !== request.requestedBy;
    const command: Command = approve ? { action: "approve_return" } : { action: "deny_return", note: g.choose(DENY_RETURN_NOTES) };
    return { by: dispatcher, command, after: g.wait(15 * MINUTE, 6 * HOUR) };
  }

  private supervisor(): WorldPerson {
    const found = this.g.people.at(this.row.streetCode, "supervisor");
    return found.length > 0 ? this.g.choose(found) : this.g.choose(this.g.people.people.filter((p) => p.roles.includes("supervisor")));
  }

  private nextStep(): { by: WorldPerson; command: Command; after: number; publicNote?: boolean } | undefined {
    const g = this.g;
    const s = this.state;
    // Work slows down past its deadline when this case is one of the late ones.
    const slow = this.late ? 4 : 1;
    switch (s.status) {
      case "reported": {
        if (this.duplicateOf) return { by: this.dispatcher(), command: { action: "merge", into: this.duplicateOf.id, note: "与已有案件重复，合并办理" }, after: g.wait(10 * MINUTE, 4 * HOUR) };
        if (s.level !== "district" && g.maybe(0.01)) return { by: this.dispatcher(), command: { action: "escalate", note: "超出本级处置能力" }, after: g.wait(5 * MINUTE, 2 * HOUR) };
        const hotline = this.row.source === "hotline" && g.people.seatOperators.length > 0;
        return { by: hotline ? g.choose(g.people.seatOperators) : this.dispatcher(), command: { action: "accept" }, after: g.wait(2 * MINUTE, 3 * HOUR * slow) };
      }
      case "accepted":
        if (g.maybe(0.04)) {
          const [reasonCode, note] = g.choose(REJECT_REASONS);
          return { by: this.dispatcher(), command: { action: "reject", reasonCode, note }, after: g.wait(5 * MINUTE, 4 * HOUR), publicNote: true };
        }
        return { by: this.dispatcher(), command: { action: "register" }, after: g.wait(5 * MINUTE, 6 * HOUR * slow) };
      case "registered":
        if (s.level !== "district" && this.steps < 6 && g.maybe(0.03)) return { by: this.dispatcher(), command: { action: "escalate", note: "需上级协调处置" }, after: g.wait(30 * MINUTE, 1 * DAY) };
        if (this.steps < 8 && g.maybe(0.02)) return { by: this.dispatcher(), command: { action: "suspend", note: g.choose(SUSPEND_NOTES) }, after: g.wait(30 * MINUTE, 1 * DAY) };
        return { by: this.dispatcher(), command: { action: "dispatch", ...this.dispatchTargets() }, after: g.wait(10 * MINUTE, 8 * HOUR * slow) };
      case "dispatched": {
        const decided = this.returnDecision();
        if (decided) return decided;
        const assignee = this.assignee();
        if (!assignee || (this.steps < 10 && g.maybe(0.03))) {
          if (!assignee) return { by: this.dispatcher(), command: { action: "suspend", note: g.choose(SUSPEND_NOTES) }, after: g.wait(HOUR, DAY) };
          const [reasonCode, note] = g.choose(RETURN_REASONS);
          return { by: assignee, command: { action: "return", reasonCode, note }, after: g.wait(30 * MINUTE, 1 * DAY) };
        }
        return this.coHandlerStep() ?? { by: assignee, command: { action: "acknowledge" }, after: g.wait(5 * MINUTE, 6 * HOUR * slow) };
      }
      case "in_progress": {
        const assignee = this.assignee();
        const coStep = this.coHandlerStep();
        if (coStep) return coStep;
        if (s.pendingExtensionDays !== null) {
          const approve = g.maybe(0.75);
          const dispatcher = this.dispatcher();
          // Whoever asked cannot approve: a community's workstation that asked withdraws its own request.
          const action = approve && dispatcher.id !== s.extensionRequestedBy ? "approve_extension" : "deny_extension";
          return { by: dispatcher, command: { action }, after: g.wait(30 * MINUTE, 1 * DAY) };
        }
        if (!assignee) return { by: this.dispatcher(), command: { action: "suspend", note: g.choose(SUSPEND_NOTES) }, after: g.wait(HOUR, DAY) };
        if (this.steps < 12 && g.maybe(0.05)) {
          return { by: assignee, command: { action: "request_extension", days: 1 + Math.floor(g.rand() * 5), note: g.choose(EXTENSION_NOTES) }, after: g.wait(2 * HOUR, 2 * DAY) };
        }
        if (this.steps < 12 && g.maybe(0.03)) return { by: this.dispatcher(), command: { action: "suspend", note: g.choose(SUSPEND_NOTES) }, after: g.wait(2 * HOUR, 2 * DAY) };
        if (this.steps < 12 && g.maybe(0.02) && g.people.leaders.length > 0) {
          const leader = g.choose(g.people.leaders.filter((p) => p.scopeCode !== null && this.row.communityCode.startsWith(p.scopeCode)));
          if (leader) return { by: leader, command: { action: "urge", note: "请加快办理进度" }, after: g.wait(HOUR, DAY) };
        }
        const handleDays = this.policy.handleDays;
        return { by: assignee, command: { action: "handle", note: g.choose(HANDLE_NOTES) }, after: g.wait(30 * MINUTE, Math.max(2 * HOUR, handleDays * 0.7 * DAY * slow)), publicNote: true };
      }
      case "suspended":
        // Some wait long for what they were suspended for: those still are, now.
        return { by: this.dispatcher(), command: { action: "resume" }, after: g.wait(4 * HOUR, 30 * DAY) };
      case "handled":
        if (g.maybe(s.reworkCount > 0 ? 0.03 : 0.08)) return { by: this.supervisor(), command: { action: "verify_fail", note: g.choose(VERIFY_FAIL_NOTES) }, after: g.wait(30 * MINUTE, 1 * DAY), publicNote: true };
        return { by: this.supervisor(), command: { action: "verify_pass" }, after: g.wait(30 * MINUTE, 1 * DAY * slow) };
      case "closed": {
        // Most reporters rate the result; the others' cases stay closed without a rating.
        if (!g.maybe(0.75)) return undefined;
        const r = g.rand();
        const satisfaction: Satisfaction = r < 0.8 ? "satisfied" : r < 0.94 ? "basically_satisfied" : "dissatisfied";
        const byReporter = this.row.reporterUserId === null || this.row.source === "resident_web" ? REPORTER : undefined;
        const operator = g.people.seatOperators.length > 0 ? g.choose(g.people.seatOperators) : this.dispatcher();
        return { by: byReporter ?? operator, command: { action: "evaluate", satisfaction }, after: g.wait(HOUR, 3 * DAY), publicNote: byReporter !== undefined };
      }
      default:
        return undefined;
    }
  }

  /** Applies one command through the workflow, then what the service changes beside it. */
  private apply(by: WorldPerson, command: Command, at: number, publicNote: boolean): void {
    const row = this.row;
    const before = this.state;
    const transition = applyCommand(before, actorOf(by), command);
    const next = transition.state;
    const calendar = this.g.calendar;
    const when = new Date(at);
    if (command.action === "approve_extension" && before.pendingExtensionDays) {
      row.handleBy = calendar.addWorkingDays(row.handleBy, before.pendingExtensionDays);
    }
    if (command.action === "resume" && row.suspendedAt) {
      row.dispatchBy = calendar.extendBySuspension(row.dispatchBy, row.suspendedAt, when);
      row.feedbackBy = calendar.extendBySuspension(row.feedbackBy, row.suspendedAt, when);
      row.handleBy = calendar.extendBySuspension(row.handleBy, row.suspendedAt, when);
    }
    if (command.action === "escalate" || (command.action === "evaluate" && next.status === "registered")) {
      const fresh = computeDeadlines(this.policy, when, calendar);
      row.dispatchBy = fresh.dispatchBy;
      row.feedbackBy = fresh.feedbackBy;
      row.handleBy = fresh.handleBy;
    }
    row.status = next.status;
    row.level = next.level;
    row.assignment = next.assignment;
    row.coHandlers = next.coHandlers;
    row.returnRequest = next.returnRequest;
    row.suspendedFrom = next.suspendedFrom;
    row.suspendedAt = next.status === "suspended" ? when : null;
    row.pendingExtensionDays = next.pendingExtensionDays;
    row.extensionRequestedBy = next.extensionRequestedBy;
    row.reworkCount = next.reworkCount;
    row.reopenCount = next.reopenCount;
    row.satisfaction = next.satisfaction;
    row.mergedInto = next.mergedInto;
    row.closedAt = next.status === "closed" ? when : next.status === "registered" ? null : row.closedAt;
    row.version += 1;
    row.updatedAt = when;
    const note = "note" in command && command.note !== undefined ? command.note : null;
    row.events.push({
      id: this.g.eventId(at),
      at: when,
      actorId: by === REPORTER ? row.reporterUserId : by.id,
      action: command.action,
      from: transition.from,
      to: transition.to,
      level: transition.level,
      note,
      publicNote,
      details: { ...transition.details, ...this.returnDepartment(command, before) },
    });
    this.state = next;
    this.at = at;
  }

  /** The department a return, its approval or its denial counts against, as the service records it. */
  private returnDepartment(command: Command, before: CaseState): { department?: string } {
    if (!["return", "approve_return", "deny_return"].includes(command.action) || before.assignment?.kind !== "department") return {};
    const code = this.g.departmentCode(before.assignment.departmentId);
    return code ? { department: code } : {};
  }

  /**
   * What the deadline sweep (run every minute) did between the last event and `until`: marks the
   * case near due, then overdue, with one automatic urge each, while it is open and not suspended.
   */
  private sweepUntil(until: number): void {
    const row = this.row;
    if (!SWEPT.includes(this.state.status)) return;
    const calendar = this.g.calendar;
    const due = row.handleBy.getTime();
    // The moments the sweep's answer may change: right after the last event, when the case comes
    // near due, and when it passes its deadline.
    const moments = [this.at + 1, this.g.nearDue(due), due + 1].filter((t) => t > this.at && t <= until).sort((a, b) => a - b);
    for (const moment of moments) {
      const state = deadlineStatus(row.handleBy, new Date(moment), calendar, NEAR_DUE_HOURS);
      if (state === "on_time" || state === row.deadlineState || row.deadlineState === "overdue") continue;
      // The sweep runs every minute: it notices within one.
      const at = Math.min(until, moment + Math.floor(this.g.rand() * MINUTE));
      row.deadlineState = state;
      row.events.push({
        id: this.g.eventId(at),
        at: new Date(at),
        actorId: null,
        action: "urge",
        from: this.state.status,
        to: this.state.status,
        level: this.state.level,
        note: state === "overdue" ? "已超期，自动督办" : "即将到期，自动提醒",
        publicNote: false,
        details: { automatic: true, deadline: state, handleBy: row.handleBy.toISOString() },
      });
      this.at = at;
    }
  }
}

/** The instant from which `NEAR_DUE_HOURS` of working time or less remain before `due`. */
export function nearDueFrom(calendar: WorkingCalendar, due: number): number {
  let remaining = NEAR_DUE_HOURS * HOUR;
  let t = due;
  for (let guard = 0; guard < 60; guard++) {
    const start = shanghaiDayStart(t - 1);
    const working = calendar.isWorkingDay(new Date(start + 8 * HOUR).toISOString().slice(0, 10));
    if (working) {
      if (t - start >= remaining) return t - remaining;
      remaining -= t - start;
    }
    t = start;
  }
  return t;
}

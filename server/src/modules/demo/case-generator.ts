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
import { momentsOf, NO_MOMENTS, type CountedMoments } from "../cases/counted-moments.ts";
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
  /** The region's response limit (响应时限) in working hours: an acknowledgement within it counts as responded. */
  responseHours: number;
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
  /** Whether the reporter says the problem was solved (是否解决), with the rating. */
  resolved: boolean | null;
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
  /** The moments indicators count by, stamped by the history's events as the workflow stamps them. */
  moments: CountedMoments;
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

/**
 * The mixes of generated cases, each with why: one table, so that what the figures of a generated
 * district rest on can be read and changed in one place. Shares are of all cases, and chances per
 * case (or per step, where said), unless the entry says otherwise.
 */
export const MIX = {
  /** How busy a day is against an ordinary working day. */
  days: {
    weekend: { factor: 0.6, why: "grid workers patrol less at weekends and offices are shut; calls and residents' reports go on" },
    holiday: { factor: 0.45, why: "public holidays of the working calendar (Spring Festival, National Day): the fewest staff on duty" },
    growth: { from: 0.75, why: "a district's volume rises slowly as channels open: the period starts at 75 % of its last days" },
    summer: { months: [6, 7, 8], factor: 1.1, why: "the rainy season and long evenings bring more of everything outdoors" },
  },
  /** Channels (来源) by the family of the category; the rest of each family is split alike. */
  channels: {
    general: {
      shares: { hotline: 0.38, grid_worker: 0.32, resident_app: 0.12, supervisor_patrol: 0.08, resident_web: 0.05, volunteer: 0.05 },
      why: "the 12345 hotline is the largest channel; grid workers' patrols find most street and facility problems; residents' apps (随手拍) grow",
    },
    governance: {
      shares: { hotline: 0.4, grid_worker: 0.45, resident_app: 0.1, resident_web: 0.05 },
      why: "disputes, hazards and people in need are found on grid workers' door-to-door visits (走访) or called in",
    },
    appeal: {
      shares: { hotline: 0.85, resident_app: 0.1, resident_web: 0.05 },
      why: "consultations, help, complaints and suggestions are the hotline's own business",
    },
  },
  /** Categories: each family's share of cases, split alike among its subcategories. */
  families: {
    shares: {
      "event.street_order": 0.24,
      "event.city_appearance": 0.18,
      "event.advertising": 0.1,
      "event.construction": 0.06,
      "event.other": 0.07,
      "event.emergency": 0.02,
      "component.public_facility": 0.05,
      "component.road_traffic": 0.03,
      "component.city_appearance": 0.04,
      "component.greening": 0.03,
      "component.housing_land": 0.02,
      "component.other_facility": 0.02,
      "governance.dispute": 0.03,
      "governance.safety": 0.02,
      "governance.livelihood": 0.02,
      "governance.care": 0.02,
      "appeal.hotline": 0.05,
    } as Record<string, number>,
    why: "street order (stalls, parking), litter and flyers are most of a 数字城管 district's cases; broken facilities, disputes and hotline appeals fewer; emergencies rare",
  },
  /** Seasons: a category's weight multiplied in the months given (1–12). */
  seasons: [
    {
      categories: ["event.emergency.waterlogging", "event.emergency.sewer_blockage", "component.public_facility.storm_grate", "component.public_facility.manhole_cover_rain", "event.emergency.fallen_tree"],
      months: [6, 7, 8],
      factor: 3,
      why: "主汛期: summer rains block drains, flood roads and bring trees down",
    },
    {
      categories: ["event.emergency.waterlogging", "event.emergency.sewer_blockage", "component.public_facility.storm_grate"],
      months: [5, 9],
      factor: 1.8,
      why: "the rainy season's start and end",
    },
    {
      categories: ["event.street_order.outdoor_bbq", "event.other.noise", "event.other.cooking_fumes", "event.street_order.out_of_store"],
      months: [6, 7, 8, 9],
      factor: 1.7,
      why: "summer nights outdoors: barbecues, noise and fumes",
    },
    {
      categories: ["event.construction.site_dust", "event.city_appearance.burning", "governance.safety.fire_hazard"],
      months: [2, 3, 4],
      factor: 1.8,
      why: "the dry, windy spring: dust, burning and fire hazards",
    },
    {
      categories: ["event.emergency.water_main_burst", "event.emergency.gas_pipe_burst", "governance.care.empty_nest_elderly", "governance.care.hardship"],
      months: [12, 1, 2],
      factor: 1.8,
      why: "winter: cold snaps burst pipes, heating raises gas leaks, and people in need are visited before the Spring Festival",
    },
  ],
  outcomes: {
    uncategorised: { chance: 0.03, why: "a few reports name no category and are classified by the centre" },
    duplicate: { chance: 0.04, why: "a problem seen by many is reported again within two days and merged (合并)" },
    rejected: { chance: 0.04, why: "some reports are outside governance, too vague or duplicates (不予立案)" },
    escalated: { chance: 0.03, why: "what a community or street cannot handle goes up a level (上报), more often after registering than before" },
    suspended: { chance: 0.03, why: "waiting for an owner, a season or a contractor (缓办)" },
    extension: { chance: 0.05, why: "material to buy or works too large for the deadline: an extension asked for (延期), three in four granted" },
    returned: { chance: 0.03, why: "a case dispatched to the wrong unit is sent back (退回), mostly approved" },
    coHandled: { chance: 0.06, why: "some cases need a second department (协办)" },
    reworked: { chance: 0.08, why: "on-site verification finds the problem not solved (返工): 8 % the first time, 3 % after" },
    late: { chance: 0.1, why: "one case in ten is worked slowly and closes late, or is still open past its deadline" },
    stalled: { chance: 0.03, why: "a few cases stall and stay open, overdue (积案)" },
  },
  /** Residents' ratings (满意度) of closed cases, and whether they say the problem was solved (是否解决). */
  ratings: {
    rated: { chance: 0.75, why: "the hotline calls back or the reporter rates most closed cases; the others stay closed unrated" },
    satisfaction: {
      shares: { satisfied: 0.8, basically_satisfied: 0.14, dissatisfied: 0.06 },
      why: "满意率 of 90–95 % is what districts publish; a dissatisfied rating reopens the case once",
    },
    resolved: {
      chances: { satisfied: 0.97, basically_satisfied: 0.8, dissatisfied: 0.2 },
      why: "解决率 follows satisfaction but is lower: some are satisfied with the answer to a problem that remains",
    },
  },
} as const;

/** Picks a key by its share, from a random number in [0, 1). */
function byShare<K extends string>(shares: Readonly<Record<K, number>>, r: number): K {
  const keys = Object.keys(shares) as K[];
  let total = 0;
  for (const key of keys) total += shares[key];
  let at = r * total;
  for (const key of keys) {
    at -= shares[key];
    if (at < 0) return key;
  }
  return keys[keys.length - 1];
}

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

/** Two hex digits of each byte. */
const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

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
  /** Every way to split each keyword in two, by its head: the tails and the subcategory. */
  private readonly keywordHeads = new Map<string, [tail: string, subcategory: number][]>();
  /** Each community's places and each keyword's problems, built once: the same strings every time. */
  private readonly places = new Map<string, string[]>();
  private readonly problems = new Map<string, string[]>();
  /** Per month, the cumulative weights of the subcategories. */
  private readonly categoryTables: number[][] = [];
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
    this.subcategories.forEach((c, index) => {
      for (const keyword of c.keywords) {
        for (let cut = 1; cut < keyword.length; cut++) {
          const head = keyword.slice(0, cut);
          const tails = this.keywordHeads.get(head) ?? [];
          tails.push([keyword.slice(cut), index]);
          this.keywordHeads.set(head, tails);
        }
      }
    });
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

  /**
   * Cases per day (`MIX.days`): fewer on the working calendar's weekends and holidays, more in
   * summer, the period's end a third busier than its start; adds up exactly.
   */
  private casesPerDay(total: number): number[] {
    const firstDay = shanghaiDayStart(this.nowMs) - (this.days - 1) * DAY;
    const { weekend, holiday, growth, summer } = MIX.days;
    const weights = Array.from({ length: this.days }, (_, d) => {
      const date = new Date(firstDay + d * DAY + 8 * HOUR);
      const weekday = date.getUTCDay();
      const working = this.world.calendar.isWorkingDay(date.toISOString().slice(0, 10));
      const day = working ? 1 : weekday === 0 || weekday === 6 ? weekend.factor : holiday.factor;
      const season = (summer.months as readonly number[]).includes(date.getUTCMonth() + 1) ? summer.factor : 1;
      return day * season * (growth.from + ((1 - growth.from) * d) / this.days);
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
    // 48 bits of milliseconds: the high 32 and the low 16.
    const high = Math.floor(ms / 65536);
    const low = ms % 65536;
    const a = (this.random() * 0x100000000) >>> 0;
    const b = (this.random() * 0x100000000) >>> 0;
    const c = (this.random() * 0x10000) >>> 0;
    // Version 7, then 12 random bits; variant 10, then 14 random bits; then 48 random bits.
    return (
      HEX[high >>> 24] + HEX[(high >>> 16) & 255] + HEX[(high >>> 8) & 255] + HEX[high & 255] + "-" + HEX[low >>> 8] + HEX[low & 255] +
      "-7" + HEX[(a >>> 24) & 15].slice(1) + HEX[(a >>> 16) & 255] + "-" + HEX[0x80 | ((a >>> 8) & 0x3f)] + HEX[a & 255] +
      "-" + HEX[b >>> 24] + HEX[(b >>> 16) & 255] + HEX[(b >>> 8) & 255] + HEX[b & 255] + HEX[c >>> 8] + HEX[c & 255]
    );
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
   * The subcategories with a keyword across the joint of two clauses: a keyword split in two, its
   * head ending `first` and its tail starting `second`. Looked up by the head, so that no joint is
   * built or cached.
   */
  private jointHits(first: string, second: string): number[] {
    const hits: number[] = [];
    for (let length = 1; length <= this.joint && length <= first.length; length++) {
      const tails = this.keywordHeads.get(first.slice(-length));
      if (tails) for (const [tail, hit] of tails) if (second.startsWith(tail)) hits.push(hit);
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
    for (let i = 0; i < clauses.length; i++) {
      for (const hit of this.keywordHits(clauses[i])) hits.add(hit);
      if (i > 0) for (const hit of this.jointHits(clauses[i - 1], clauses[i])) hits.add(hit);
    }
    if (hits.size === 0) return null;
    // One category with a keyword in the text is the one suggested; several are scored.
    if (hits.size === 1) return this.subcategories[hits.values().next().value as number].code;
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
    const duplicateOf = this.chance(MIX.outcomes.duplicate.chance) ? this.mergeTargetFor(communityCode, createdAt) : undefined;
    const category = duplicateOf
      ? (duplicateOf.categoryCode ? this.categoryByCode.get(duplicateOf.categoryCode) : undefined)
      : this.chance(MIX.outcomes.uncategorised.chance)
        ? undefined
        : this.categoryIn(new Date(createdAt + 8 * HOUR).getUTCMonth());
    const keywordCategory = category ?? this.pick(this.subcategories);
    const place = duplicateOf?.text.place ?? this.pick(this.placesOf(communityCode));
    const keyword = duplicateOf?.text.keyword ?? this.pick(keywordCategory.keywords);
    const problem = this.pick(this.problemsOf(keyword));
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
      resolved: null,
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
      moments: NO_MOMENTS,
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
    row.moments = row.events.reduce(
      (moments, event) => ({ ...moments, ...momentsOf(moments, event.action, event.at, event.actorId, world.calendar, world.responseHours) }),
      NO_MOMENTS,
    );
    this.remember(row, place, keyword);
    return row;
  }

  private placesOf(communityCode: string): string[] {
    let places = this.places.get(communityCode);
    if (!places) {
      const name = this.world.divisionNames.get(communityCode) ?? "";
      places = LANDMARKS.map((landmark) => `${name}${landmark}`);
      this.places.set(communityCode, places);
    }
    return places;
  }

  private problemsOf(keyword: string): string[] {
    let problems = this.problems.get(keyword);
    if (!problems) {
      problems = OPENINGS.map((opening) => `${opening}${keyword}`);
      this.problems.set(keyword, problems);
    }
    return problems;
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

  /** The channel, by the mix of the category's family (`MIX.channels`). */
  private source(category: WorldCategory | undefined): string {
    const family = category?.code.startsWith("appeal.") ? "appeal" : category?.code.startsWith("governance.") ? "governance" : "general";
    return byShare<string>(MIX.channels[family].shares, this.random());
  }

  /**
   * A subcategory for a case reported in `month` (0–11): its family's share split among the
   * family's subcategories, times the season's factor (`MIX.families`, `MIX.seasons`).
   */
  private categoryIn(month: number): WorldCategory {
    let table = this.categoryTables[month];
    if (!table) {
      const sizes = new Map<string, number>();
      for (const c of this.subcategories) sizes.set(c.parentCode ?? "", (sizes.get(c.parentCode ?? "") ?? 0) + 1);
      const shares: Record<string, number> = MIX.families.shares;
      // A family the table does not name (a district's own) gets a small share.
      const weights = this.subcategories.map((c) => {
        const family = c.parentCode ?? "";
        let weight = (shares[family] ?? 0.01) / (sizes.get(family) ?? 1);
        for (const season of MIX.seasons) {
          if ((season.categories as readonly string[]).includes(c.code) && (season.months as readonly number[]).includes(month + 1)) weight *= season.factor;
        }
        return weight;
      });
      const total = weights.reduce((a, b) => a + b, 0);
      let sum = 0;
      table = weights.map((weight) => (sum += weight / total));
      this.categoryTables[month] = table;
    }
    const r = this.random();
    let low = 0;
    let high = table.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (table[middle] > r) high = middle;
      else low = middle + 1;
    }
    return this.subcategories[low];
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
    this.stallAfter = g.maybe(MIX.outcomes.stalled.chance) ? Math.floor(g.rand() * 8) : Number.POSITIVE_INFINITY;
    this.late = g.maybe(MIX.outcomes.late.chance);
  }

  play(): void {
    for (let guard = 0; guard < 40; guard++) {
      if (isFinal(this.state.status) || this.steps >= this.stallAfter) break;
      const next = this.nextStep();
      if (!next) break;
      const at = this.at + next.after;
      this.sweepUntil(Math.min(at, this.g.now));
      if (at > this.g.now) break;
      this.apply(next.by, next.command, at, next.publicNote ?? false, next.resolved);
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
    if (to.kind !== "department" || !this.g.maybe(MIX.outcomes.coHandled.chance)) return { to };
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

  private nextStep(): { by: WorldPerson; command: Command; after: number; publicNote?: boolean; resolved?: boolean } | undefined {
    const g = this.g;
    const s = this.state;
    // Work slows down past its deadline when this case is one of the late ones.
    const slow = this.late ? 4 : 1;
    switch (s.status) {
      case "reported": {
        if (this.duplicateOf) return { by: this.dispatcher(), command: { action: "merge", into: this.duplicateOf.id, note: "与已有案件重复，合并办理" }, after: g.wait(10 * MINUTE, 4 * HOUR) };
        if (s.level !== "district" && g.maybe(MIX.outcomes.escalated.chance / 3)) return { by: this.dispatcher(), command: { action: "escalate", note: "超出本级处置能力" }, after: g.wait(5 * MINUTE, 2 * HOUR) };
        const hotline = this.row.source === "hotline" && g.people.seatOperators.length > 0;
        return { by: hotline ? g.choose(g.people.seatOperators) : this.dispatcher(), command: { action: "accept" }, after: g.wait(2 * MINUTE, 3 * HOUR * slow) };
      }
      case "accepted":
        if (g.maybe(MIX.outcomes.rejected.chance)) {
          const [reasonCode, note] = g.choose(REJECT_REASONS);
          return { by: this.dispatcher(), command: { action: "reject", reasonCode, note }, after: g.wait(5 * MINUTE, 4 * HOUR), publicNote: true };
        }
        return { by: this.dispatcher(), command: { action: "register" }, after: g.wait(5 * MINUTE, 6 * HOUR * slow) };
      case "registered":
        if (s.level !== "district" && this.steps < 6 && g.maybe(MIX.outcomes.escalated.chance)) return { by: this.dispatcher(), command: { action: "escalate", note: "需上级协调处置" }, after: g.wait(30 * MINUTE, 1 * DAY) };
        if (this.steps < 8 && g.maybe(MIX.outcomes.suspended.chance * 0.7)) return { by: this.dispatcher(), command: { action: "suspend", note: g.choose(SUSPEND_NOTES) }, after: g.wait(30 * MINUTE, 1 * DAY) };
        return { by: this.dispatcher(), command: { action: "dispatch", ...this.dispatchTargets() }, after: g.wait(10 * MINUTE, 8 * HOUR * slow) };
      case "dispatched": {
        const decided = this.returnDecision();
        if (decided) return decided;
        const assignee = this.assignee();
        if (!assignee || (this.steps < 10 && g.maybe(MIX.outcomes.returned.chance))) {
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
        if (this.steps < 12 && g.maybe(MIX.outcomes.extension.chance)) {
          return { by: assignee, command: { action: "request_extension", days: 1 + Math.floor(g.rand() * 5), note: g.choose(EXTENSION_NOTES) }, after: g.wait(2 * HOUR, 2 * DAY) };
        }
        if (this.steps < 12 && g.maybe(MIX.outcomes.suspended.chance)) return { by: this.dispatcher(), command: { action: "suspend", note: g.choose(SUSPEND_NOTES) }, after: g.wait(2 * HOUR, 2 * DAY) };
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
        if (g.maybe(s.reworkCount > 0 ? MIX.outcomes.reworked.chance * 0.375 : MIX.outcomes.reworked.chance)) return { by: this.supervisor(), command: { action: "verify_fail", note: g.choose(VERIFY_FAIL_NOTES) }, after: g.wait(30 * MINUTE, 1 * DAY), publicNote: true };
        return { by: this.supervisor(), command: { action: "verify_pass" }, after: g.wait(30 * MINUTE, 1 * DAY * slow) };
      case "closed": {
        // Most reporters rate the result; the others' cases stay closed without a rating.
        const { rated, satisfaction: shares, resolved: solved } = MIX.ratings;
        if (!g.maybe(rated.chance)) return undefined;
        const satisfaction = byShare<Satisfaction>(shares.shares, g.rand());
        const resolved = g.maybe(solved.chances[satisfaction]);
        const byReporter = this.row.reporterUserId === null || this.row.source === "resident_web" || this.row.source === "resident_app" ? REPORTER : undefined;
        const operator = g.people.seatOperators.length > 0 ? g.choose(g.people.seatOperators) : this.dispatcher();
        return { by: byReporter ?? operator, command: { action: "evaluate", satisfaction }, resolved, after: g.wait(HOUR, 3 * DAY), publicNote: byReporter !== undefined };
      }
      default:
        return undefined;
    }
  }

  /** Applies one command through the workflow, then what the service changes beside it. */
  private apply(by: WorldPerson, command: Command, at: number, publicNote: boolean, resolved?: boolean): void {
    const row = this.row;
    const before = this.state;
    const transition = applyCommand(before, actorOf(by), command);
    const next = transition.state;
    const calendar = this.g.calendar;
    const when = new Date(at);
    const was = { dispatchBy: row.dispatchBy, feedbackBy: row.feedbackBy, handleBy: row.handleBy };
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
    // A moved deadline is recorded on its event, as classification records its own: before → after.
    const moved = movedDeadlines(was, row);
    if (command.action === "evaluate") row.resolved = resolved ?? null;
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
      details: {
        ...transition.details,
        ...this.returnDepartment(command, before),
        ...(moved ? { deadlines: moved } : {}),
        ...(command.action === "evaluate" && resolved !== undefined ? { resolved } : {}),
      },
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

type Deadlines = { dispatchBy: Date; feedbackBy: Date; handleBy: Date };

/** The deadlines that moved, before → after, as ISO instants; undefined when none did. */
function movedDeadlines(was: Deadlines, now: Deadlines): { from: Record<string, string>; to: Record<string, string> } | undefined {
  let moved: { from: Record<string, string>; to: Record<string, string> } | undefined;
  for (const field of ["dispatchBy", "feedbackBy", "handleBy"] as const) {
    if (was[field].getTime() === now[field].getTime()) continue;
    moved ??= { from: {}, to: {} };
    moved.from[field] = was[field].toISOString();
    moved.to[field] = now[field].toISOString();
  }
  return moved;
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

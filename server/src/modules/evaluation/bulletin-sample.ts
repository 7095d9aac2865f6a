/**
 * A made-up bulletin of Panlong district with as many rows as asked, the same for the same seed:
 * for the bulletin files' tests, their benchmark and a look at what the files look like.
 */
import { mulberry32 } from "../demo/demo-geometry.ts";
import type { BulletinData, BulletinLevel, Figures, OverdueCase, RankedRow } from "./bulletin-data.ts";

export type SampleSize = { streets: number; communities: number; departments: number; gridWorkers: number; overdueCases: number };

const STREETS = ["拓东", "鼓楼", "东华", "联盟", "金辰", "青云", "龙泉", "茨坝", "双龙", "松华", "滇源", "阿子营"];
const COMMUNITY_WORDS = ["金星", "桃园", "白塔", "江东", "菊华", "东庄", "北辰", "穿金", "小坝", "麦溪", "沣源", "金康", "银河", "万宏", "霖雨", "龙头", "北站", "明通", "东风", "昆瑞"];
const DEPARTMENTS = [
  "区城市管理局", "区住房和城乡建设局", "区市场监督管理局", "市生态环境局盘龙分局", "区水务局", "区交通运输局", "区卫生健康局",
  "区民政局", "区应急管理局", "市公安局盘龙分局", "区自然资源局", "区教育体育局", "区人力资源和社会保障局", "区农业农村局",
  "区文化和旅游局", "区园林绿化局", "区供排水公司", "区供电局", "区燃气公司", "区通信管理办公室",
];
const SURNAMES = ["李", "王", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高", "段", "赟"];
const GIVEN = ["建华", "丽", "伟", "秀英", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "霞", "平", "刚", "喆", "堃"];
const TITLES = ["占道经营", "井盖缺失", "垃圾满溢", "路灯不亮", "违章搭建", "噪声扰民", "道路破损", "绿地损坏", "油烟污染", "积水"];

const rate = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/** Counts in realistic proportions and the rates that follow from them. */
export function sampleFigures(next: () => number, accepted: number): Figures {
  const share = (count: number, low: number, high: number) => Math.round(count * (low + (high - low) * next()));
  const registered = share(accepted, 0.97, 1);
  const dispatched = share(registered, 0.9, 0.99);
  const dueToClose = share(accepted, 0.95, 1.05);
  const closed = share(dueToClose, 0.75, 0.99);
  const closedOnTime = share(closed, 0.85, 1);
  const dueToHandle = share(dispatched, 0.95, 1.05);
  const handledOnTime = share(dueToHandle, 0.85, 0.99);
  const reworked = share(dueToClose, 0, 0.02);
  const extended = share(dueToClose, 0, 0.01);
  return {
    accepted, registered, registrationRate: rate(registered, accepted), dispatched, dispatchRate: rate(dispatched, registered),
    dueToClose, closed, closureRate: rate(closed, dueToClose), closedOnTime, onTimeClosureRate: rate(closedOnTime, dueToClose),
    dueToHandle, handledOnTime, onTimeHandlingRate: rate(handledOnTime, dueToHandle), reworked, reworkRate: rate(reworked, dueToClose),
    extended, extensionRate: rate(extended, dueToClose), overdue: dueToClose - closedOnTime,
    averageHandlingHours: accepted === 0 ? null : Math.round((8 + 40 * next()) * 100) / 100,
  };
}

function rankedLevel(kind: BulletinLevel["kind"], units: { code: string; name: string; figures: Figures }[], next: () => number): BulletinLevel {
  const scored = units.map((unit) => {
    const { closureRate, onTimeClosureRate, reworkRate, accepted, onSpot } = unit.figures;
    // A grid worker scores reports and cases handled on the spot (against 120 and 40); the others their rates.
    const score = kind === "grid_worker" ? 0.6 * Math.min(1, (accepted ?? 0) / 120) + 0.4 * Math.min(1, (onSpot ?? 0) / 40) : 0.4 * (closureRate ?? 0) + 0.4 * (onTimeClosureRate ?? 0) + 0.2 * (1 - (reworkRate ?? 0));
    const index = Math.round(100 * score * 100) / 100;
    return { ...unit, index };
  });
  scored.sort((a, b) => b.index - a.index || a.code.localeCompare(b.code));
  const rows: RankedRow[] = scored.map((unit, k) => ({
    // Equal indices share a rank (1, 2, 2, 4).
    rank: k > 0 && scored[k - 1].index === unit.index ? 0 : k + 1,
    code: unit.code,
    name: unit.name,
    index: unit.index,
    change: next() < 0.05 ? null : Math.round((next() - 0.5) * 10),
    figures: unit.figures,
  }));
  rows.forEach((row, k) => { if (row.rank === 0) row.rank = rows[k - 1].rank; });
  return { kind, rows };
}

export function sampleBulletin(size: SampleSize, seed = 1): BulletinData {
  const next = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  const named = (list: { name: string }[], fallback: string): string => (list.length > 0 ? pick(list).name : fallback);
  const streets = Array.from({ length: size.streets }, (_, k) => ({
    code: `530103${String(k + 1).padStart(3, "0")}`,
    name: `${STREETS[k % STREETS.length]}${k >= STREETS.length ? k + 1 : ""}街道`,
  }));
  const communities = Array.from({ length: size.communities }, (_, k) => ({
    code: `${streets[k % Math.max(1, streets.length)]?.code ?? "530103001"}${String(Math.floor(k / Math.max(1, streets.length)) + 1).padStart(3, "0")}`,
    name: `${COMMUNITY_WORDS[k % COMMUNITY_WORDS.length]}${k >= COMMUNITY_WORDS.length ? Math.floor(k / COMMUNITY_WORDS.length) + 1 : ""}社区`,
  }));
  const departments = Array.from({ length: size.departments }, (_, k) => ({
    code: `D${String(k + 1).padStart(3, "0")}`,
    name: `${DEPARTMENTS[k % DEPARTMENTS.length]}${k >= DEPARTMENTS.length ? `（${Math.floor(k / DEPARTMENTS.length) + 1}）` : ""}`,
  }));
  const gridWorkers = Array.from({ length: size.gridWorkers }, (_, k) => ({
    code: `W${String(k + 1).padStart(4, "0")}`,
    name: `${pick(SURNAMES)}${pick(GIVEN)}`,
  }));
  // A grid worker's figures are those counted per finder: reports, and cases handled on the spot.
  const unitFigures = (kind: BulletinLevel["kind"], accepted: number): Figures =>
    kind === "grid_worker" ? { accepted, onSpot: Math.round(accepted * 0.4 * next()) } : sampleFigures(next, accepted);
  const level = (kind: BulletinLevel["kind"], units: { code: string; name: string }[], low: number, high: number) =>
    rankedLevel(kind, units.map((unit) => ({ ...unit, figures: unitFigures(kind, Math.round(low + (high - low) * next())) })), next);
  const levels = [
    level("street", streets, 800, 6000),
    level("community", communities, 40, 600),
    level("department", departments, 20, 3000),
    level("grid_worker", gridWorkers, 0, 120),
  ].filter((item) => item.rows.length > 0);
  const overdueCases: OverdueCase[] = Array.from({ length: size.overdueCases }, (_, k) => ({
    number: `20261120${String(k + 1).padStart(5, "0")}`,
    title: `${named(communities, "金星社区")}${pick(TITLES)}`,
    divisionName: named(streets, "拓东街道"),
    departmentName: next() < 0.2 ? null : pick(DEPARTMENTS),
    deadline: new Date(Date.UTC(2026, 10, 16 + Math.floor(next() * 14), Math.floor(next() * 24))).toISOString(),
    overdueWorkingHours: Math.round(next() * 20000) / 100,
  }));
  return {
    regionCode: "530103",
    regionName: "盘龙区",
    period: { code: "2026-11-H2", from: "2026-11-16", to: "2026-11-30" },
    generatedAt: "2026-12-01T00:30:00.000Z",
    totals: sampleFigures(next, 51_571),
    levels,
    worst: 3,
    overdueCases,
    corrections: [],
    locale: "zh-CN",
  };
}

/** 300 rows over the four levels, as a district's half-monthly bulletin has. */
export const BULLETIN_300_ROWS: SampleSize = { streets: 12, communities: 110, departments: 40, gridWorkers: 138, overdueCases: 50 };

/**
 * A small bulletin written out by hand: Zhengzhou's published monthly totals (GLOSSARY), two
 * streets, two departments, an overdue case and a correction, so that every figure a test looks
 * for is known in advance.
 */
export function handBulletin(): BulletinData {
  const period = { code: "2026-11-H2", from: "2026-11-16", to: "2026-11-30" };
  return {
    regionCode: "530103",
    regionName: "盘龙区",
    period,
    generatedAt: "2026-12-01T00:30:00.000Z",
    totals: {
      accepted: 51_571, registered: 51_229, registrationRate: 51_229 / 51_571, dispatched: 49_151, dispatchRate: 49_151 / 51_229,
      dueToClose: 52_434, closed: 43_523, closureRate: 43_523 / 52_434, closedOnTime: 40_394, onTimeClosureRate: 40_394 / 52_434,
      reworked: 276, reworkRate: 276 / 52_434, extended: 104, extensionRate: 104 / 52_434, averageHandlingHours: 18.25, satisfactionRate: null,
    },
    levels: [
      {
        kind: "street",
        rows: [
          { rank: 1, code: "530103002", name: "鼓楼街道", index: 92.5, change: 2, figures: { accepted: 4_885, closureRate: 0.9627, satisfactionRate: 0.95 } },
          { rank: 2, code: "530103011", name: "滇源街道", index: 79.6, change: null, figures: { accepted: 3_604, closureRate: 0.7849, satisfactionRate: null } },
        ],
      },
      {
        kind: "department",
        rows: [
          { rank: 1, code: "D001", name: "区城市管理局", index: 88.04, change: -1, figures: { closed: 1_204, onTimeClosureRate: 0.9312 } },
          { rank: 2, code: "D004", name: "市生态环境局盘龙分局", index: 71.3, change: 0, figures: { closed: 318, onTimeClosureRate: 0.7021 } },
        ],
      },
    ],
    worst: 1,
    overdueCases: [
      { number: "202611200007", title: "金星社区井盖缺失", divisionName: "拓东街道", departmentName: "区城市管理局", deadline: "2026-11-20T09:30:00.000Z", overdueWorkingHours: 130.5 },
      { number: "202611210013", title: "白塔社区路灯不亮", divisionName: "鼓楼街道", departmentName: null, deadline: "2026-11-25T01:00:00.000Z", overdueWorkingHours: 12 },
    ],
    corrections: [
      { period: { code: "2026-11-H1", from: "2026-11-01", to: "2026-11-15" }, kind: "street", code: "530103011", name: "滇源街道", indicator: "closed", published: 2_688, now: 2_690 },
      { period: { code: "2026-11-H1", from: "2026-11-01", to: "2026-11-15" }, kind: "region", code: "530103", name: "盘龙区", indicator: "closureRate", published: 0.8301, now: 0.8305 },
    ],
    locale: "zh-CN",
  };
}

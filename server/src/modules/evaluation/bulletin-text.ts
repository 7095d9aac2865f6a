/**
 * What a bulletin's workbook and PDF say in words: indicator and level names, titles, periods and
 * the way each figure is written, in Chinese and in English. Pure; shared by both files so that
 * they always name and round a figure the same way.
 */
import type { BulletinData, BulletinLevel, BulletinPeriod, Correction, IndicatorName, RankedRow } from "./bulletin-data.ts";

type Locale = BulletinData["locale"];

/** Every indicator in the order bulletins show them: counts beside the rate they feed. */
export const INDICATOR_ORDER: readonly IndicatorName[] = [
  "accepted", "onSpot", "registered", "registrationRate", "dispatched", "dispatchRate",
  "dueToClose", "closed", "closureRate", "closedOnTime", "onTimeClosureRate",
  "dueToHandle", "handledOnTime", "onTimeHandlingRate", "reworked", "reworkRate",
  "extended", "extensionRate", "overdue", "averageHandlingHours",
  "responseRate", "resolutionRate", "satisfactionRate",
];

const INDICATOR_LABELS: Record<IndicatorName, [zh: string, en: string]> = {
  accepted: ["受理数", "Accepted"],
  onSpot: ["就地处置数", "Handled on the spot"],
  registered: ["立案数", "Registered"],
  registrationRate: ["立案率", "Registration rate"],
  dispatched: ["派遣数", "Dispatched"],
  dispatchRate: ["派遣率", "Dispatch rate"],
  dueToClose: ["应结案数", "Due to close"],
  closed: ["结案数", "Closed"],
  closureRate: ["结案率", "Closure rate"],
  closedOnTime: ["按期结案数", "Closed on time"],
  onTimeClosureRate: ["按期结案率", "On-time closure rate"],
  dueToHandle: ["应处置数", "Due to handle"],
  handledOnTime: ["按期处置数", "Handled on time"],
  onTimeHandlingRate: ["按期处置率", "On-time handling rate"],
  reworked: ["返工数", "Reworked"],
  reworkRate: ["返工率", "Rework rate"],
  extended: ["延期数", "Extended"],
  extensionRate: ["延期率", "Extension rate"],
  overdue: ["超期数", "Overdue"],
  averageHandlingHours: ["平均处置时长（工作小时）", "Average handling time (working hours)"],
  responseRate: ["响应率", "Response rate"],
  resolutionRate: ["解决率", "Resolution rate"],
  satisfactionRate: ["满意率", "Satisfaction rate"],
};

const KIND_LABELS: Record<Correction["kind"], [zh: string, en: string]> = {
  region: ["全区", "Region"],
  street: ["街道", "Street"],
  community: ["社区", "Community"],
  department: ["部门", "Department"],
  grid_worker: ["网格员", "Grid worker"],
};

/** How a figure is written: a count, a rate (a fraction shown as a percentage) or working hours. */
export type FigureStyle = "count" | "rate" | "hours";

export function figureStyle(indicator: IndicatorName): FigureStyle {
  if (indicator.endsWith("Rate")) return "rate";
  if (indicator === "averageHandlingHours") return "hours";
  return "count";
}

const pick = (locale: Locale, [zh, en]: [string, string]): string => (locale === "en" ? en : zh);

export const indicatorLabel = (indicator: IndicatorName, locale: Locale): string => pick(locale, INDICATOR_LABELS[indicator]);
export const kindLabel = (kind: Correction["kind"], locale: Locale): string => pick(locale, KIND_LABELS[kind]);

/** The indicators any row of a level carries, in bulletin order: the level's figure columns. */
export function levelIndicators(level: BulletinLevel): IndicatorName[] {
  const present = new Set<IndicatorName>();
  for (const row of level.rows) for (const key of Object.keys(row.figures) as IndicatorName[]) present.add(key);
  return INDICATOR_ORDER.filter((indicator) => present.has(indicator));
}

/** The indicators present in a set of totals, in bulletin order. */
export const totalIndicators = (totals: BulletinData["totals"]): IndicatorName[] =>
  INDICATOR_ORDER.filter((indicator) => indicator in totals);

/** Written in place of a figure that has no value (a rate without denominator). */
export const NO_FIGURE = "—";

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const twoDecimals = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A figure as printed: 51,571 · 99.34% · 12.50. */
export function formatFigure(indicator: IndicatorName, value: number | null | undefined): string {
  if (value === null || value === undefined) return NO_FIGURE;
  switch (figureStyle(indicator)) {
    case "rate":
      return `${twoDecimals.format(value * 100)}%`;
    case "hours":
      return twoDecimals.format(value);
    case "count":
      return grouped.format(value);
  }
}

export const formatIndex = (index: number): string => twoDecimals.format(index);
export const formatHours = (hours: number): string => twoDecimals.format(hours);

/** A rank change as printed: ↑3, ↓2, 0 (no change) or 新/new (not ranked in the previous period). */
export function formatChange(change: RankedRow["change"], locale: Locale): string {
  if (change === null) return locale === "en" ? "new" : "新";
  if (change > 0) return `↑${change}`;
  if (change < 0) return `↓${-change}`;
  return "0";
}

const MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const PERIOD_CODE = /^(\d{4})-(\d{2})(?:-(H1|H2))?$/;

/** 2026年11月下半月 · November 2026, second half; other codes as their dates. */
export function periodLabel(period: BulletinPeriod, locale: Locale): string {
  const match = PERIOD_CODE.exec(period.code);
  if (!match) return periodRange(period, locale);
  const [, year, month, half] = match;
  if (locale === "en") {
    const name = `${MONTHS_EN[Number(month) - 1]} ${year}`;
    return half ? `${name}, ${half === "H1" ? "first" : "second"} half` : name;
  }
  return `${year}年${Number(month)}月${half ? (half === "H1" ? "上半月" : "下半月") : ""}`;
}

/** 2026年11月16日至2026年11月30日 · 2026-11-16 to 2026-11-30. */
export function periodRange(period: BulletinPeriod, locale: Locale): string {
  if (locale === "en") return `${period.from} to ${period.to}`;
  const zh = (date: string) => `${date.slice(0, 4)}年${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;
  return `${zh(period.from)}至${zh(period.to)}`;
}

/** 盘龙区网格化服务管理工作通报（2026年11月下半月）. */
export function bulletinTitle(data: BulletinData): string {
  const period = periodLabel(data.period, data.locale);
  return data.locale === "en"
    ? `${data.regionName} grid governance bulletin (${period})`
    : `${data.regionName}网格化服务管理工作通报（${period}）`;
}

/** Asia/Shanghai is UTC+8 all year round. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** The wall-clock time in Asia/Shanghai of an ISO instant, as a Date whose UTC fields hold it. */
export function shanghaiWallClock(iso: string): Date {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new RangeError(`Not an ISO instant: ${iso}`);
  return new Date(ms + SHANGHAI_OFFSET_MS);
}

/** 2026-12-01 08:00, Asia/Shanghai. */
export const formatShanghaiTime = (iso: string): string =>
  shanghaiWallClock(iso).toISOString().slice(0, 16).replace("T", " ");

/**
 * The rows of a level a bulletin names as its worst: the `worst` lowest ranked, and every row tied
 * with the last of them, so that two units with the same rank are never told apart by name order.
 */
export function worstRows(level: BulletinLevel, worst: number): RankedRow[] {
  if (worst <= 0 || level.rows.length === 0) return [];
  const byRank = [...level.rows].sort((a, b) => b.rank - a.rank || a.code.localeCompare(b.code));
  const cut = byRank[Math.min(worst, byRank.length) - 1].rank;
  return byRank.filter((row) => row.rank >= cut);
}

/** Overdue cases, longest overdue first. */
export const overdueInOrder = (cases: BulletinData["overdueCases"]): BulletinData["overdueCases"] =>
  [...cases].sort((a, b) => b.overdueWorkingHours - a.overdueWorkingHours || a.number.localeCompare(b.number));

/** The words both files use for their headings and columns. */
export function bulletinWords(locale: Locale) {
  const en = locale === "en";
  return {
    /** （…） after Chinese, " (…)" after English. */
    bracket: (text: string) => (en ? ` (${text})` : `（${text}）`),
    summary: en ? "Summary" : "汇总",
    period: en ? "Period" : "统计时段",
    generatedAt: en ? "Generated" : "生成时间",
    beijingTime: en ? "(Beijing time)" : "（北京时间）",
    indicator: en ? "Indicator" : "指标",
    value: en ? "Value" : "数值",
    totals: en ? "Overall figures" : "总体情况",
    ranking: (kind: BulletinLevel["kind"]) => (en ? `${kindLabel(kind, locale)} ranking` : `${kindLabel(kind, locale)}排名`),
    rank: en ? "Rank" : "排名",
    name: en ? "Name" : "名称",
    code: en ? "Code" : "代码",
    index: en ? "Governance index" : "治理指数",
    change: en ? "Change" : "名次变化",
    level: en ? "Level" : "层级",
    ranked: en ? "Units ranked" : "参评单位数",
    worst: en ? "Lowest ranked" : "排名靠后",
    worstHeading: (count: number) => (en ? `The last ${count} of each level, and any tied with them` : `各层级排名后${count}位（并列者一并列出）`),
    overdue: en ? "Overdue cases" : "超期案件",
    overdueCount: (count: number) => (en ? `Overdue cases: ${count}, longest overdue first` : `超期案件共${count}件，按超期时长排列`),
    correctionCount: (count: number) => (en ? `Figures corrected: ${count}` : `更正数据共${count}项`),
    caseNumber: en ? "Case number" : "案件编号",
    caseTitle: en ? "Title" : "案件标题",
    division: en ? "Division" : "所属区划",
    department: en ? "Department" : "责任部门",
    deadline: en ? "Deadline" : "处置时限",
    overdueHours: en ? "Overdue (working hours)" : "超期时长（工作小时）",
    corrections: en ? "Corrections" : "更正",
    correctionsHeading: en ? "Corrections to published bulletins" : "对已发布通报数据的更正",
    correctedPeriod: en ? "Period" : "期次",
    published: en ? "Published" : "原发布值",
    now: en ? "Now" : "更正后",
    difference: en ? "Difference" : "差值",
    none: en ? "None." : "无。",
    noFigureNote: en ? `${NO_FIGURE}: no denominator in the period, so no rate.` : `${NO_FIGURE}：本期无分母，不计算比率。`,
    changeNote: en
      ? "Change: places gained (+, ↑) or lost (−, ↓) since the previous period; new: not ranked then."
      : "名次变化：较上期上升（+、↑）或下降（−、↓）的名次；新：上期未参与排名。",
    continued: en ? " (continued)" : "（续）",
    page: (page: number, pages: number) => (en ? `Page ${page} of ${pages}` : `第 ${page} 页 共 ${pages} 页`),
  };
}

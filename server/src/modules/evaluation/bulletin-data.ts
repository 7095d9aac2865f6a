/**
 * The content of a bulletin (通报): everything its workbook and its PDF show, computed once and
 * frozen when the period is published. Both files are rendered from this one structure.
 */

export type IndicatorName = "accepted" | "onSpot" | "registered" | "registrationRate" | "dispatched" | "dispatchRate"
  | "dueToClose" | "closed" | "closureRate" | "closedOnTime" | "onTimeClosureRate" | "dueToHandle"
  | "handledOnTime" | "onTimeHandlingRate" | "reworked" | "reworkRate" | "extended" | "extensionRate"
  | "overdue" | "averageHandlingHours" | "responseRate" | "resolutionRate" | "satisfactionRate";

/** Named figures; rates are fractions 0–1, null where the rate has no denominator. */
export type Figures = Partial<Record<IndicatorName, number | null>>;

export type BulletinPeriod = {
  /** 2026-11-H2 (a half month), 2026-11 (a month). */
  code: string;
  /** YYYY-MM-DD, Asia/Shanghai, inclusive. */
  from: string;
  to: string;
};

export type RankedRow = {
  rank: number;
  code: string;
  name: string;
  /** Governance index, 0–100, two decimals. */
  index: number;
  /** Places gained (+) or lost (−) since the previous period; null if unranked then. */
  change: number | null;
  figures: Figures;
};

export type BulletinLevel = { kind: "street" | "community" | "department" | "grid_worker"; rows: RankedRow[] };

export type OverdueCase = {
  number: string;
  title: string;
  divisionName: string;
  departmentName: string | null;
  /** ISO instant. */
  deadline: string;
  overdueWorkingHours: number;
};

/**
 * A figure of an earlier published bulletin that differs when its period is computed again.
 * `kind` "region" is a figure of the region's totals (`code`, `name`: the region).
 */
export type Correction = {
  period: BulletinPeriod;
  kind: BulletinLevel["kind"] | "region";
  code: string;
  name: string;
  indicator: IndicatorName;
  published: number | null;
  now: number | null;
};

export type BulletinData = {
  regionCode: string;
  regionName: string;
  period: BulletinPeriod;
  /** ISO instant. */
  generatedAt: string;
  totals: Figures;
  levels: BulletinLevel[];
  /** How many worst rows each level names. */
  worst: number;
  overdueCases: OverdueCase[];
  corrections: Correction[];
  locale: "zh-CN" | "en";
};


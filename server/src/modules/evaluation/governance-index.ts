/**
 * The governance index (治理指数 / 综合指标值): a 0–100 weighted composite of a unit's indicators,
 * and the rankings it orders (docs/decisions/0033). No I/O.
 */
import { periodOf, type Figures } from "./indicators.ts";

export const RANKING_KINDS = ["street", "community", "department", "grid_worker"] as const;
export type RankingKind = (typeof RANKING_KINDS)[number];

/**
 * What an index is made of: rates (0–1, higher is better), rates where lower is better (counted as
 * 1 − rate), and a grid worker's activity measures, scored against the most active worker of the
 * region in the period (the best gets full marks).
 */
export type IndexPart =
  | "onTimeClosureRate"
  | "closureRate"
  | "satisfactionRate"
  | "responseRate"
  | "onTimeHandlingRate"
  | "resolutionRate"
  | "reworkRate"
  | "extensionRate"
  | "reports"
  | "onSpot"
  | "patrolHours";
export type IndexWeights = Partial<Record<IndexPart, number>>;

const LOWER_IS_BETTER: ReadonlySet<IndexPart> = new Set(["reworkRate", "extensionRate"]);
const RELATIVE: ReadonlySet<IndexPart> = new Set(["reports", "onSpot", "patrolHours"]);

/**
 * The default weights, per kind of unit. Streets and communities answer for closing what is due on
 * time (督考: 按期结案率 weighs most), then for residents' satisfaction and for closing at all;
 * rework and extensions cost a little. Departments are judged on handling on time, response
 * (签收) and satisfaction, the 12345 three rates. A grid worker is judged on finding problems
 * (reports), fixing them on the spot, and time on patrol, as the 1+1+N grid system asks.
 */
export const DEFAULT_WEIGHTS: Record<RankingKind, IndexWeights> = {
  street: { onTimeClosureRate: 35, closureRate: 20, satisfactionRate: 20, responseRate: 10, reworkRate: 10, extensionRate: 5 },
  community: { onTimeClosureRate: 35, closureRate: 20, satisfactionRate: 20, responseRate: 10, reworkRate: 10, extensionRate: 5 },
  department: { onTimeHandlingRate: 35, responseRate: 20, satisfactionRate: 20, resolutionRate: 10, reworkRate: 10, extensionRate: 5 },
  grid_worker: { reports: 40, onSpot: 30, patrolHours: 30 },
};

/** A unit's inputs: its indicators, and for grid workers its activity. */
export type IndexInputs = { figures: Partial<Figures>; reports?: number; onSpot?: number; patrolHours?: number };

/** The region's best value of each relative part, the mark it is scored against. */
export type Bests = Partial<Record<IndexPart, number>>;

function score(part: IndexPart, inputs: IndexInputs, bests: Bests): number | null {
  if (RELATIVE.has(part)) {
    const value = inputs[part as "reports" | "onSpot" | "patrolHours"] ?? 0;
    const best = bests[part] ?? 0;
    return best > 0 ? value / best : null;
  }
  const rate = inputs.figures[part as keyof Figures] as number | null;
  if (rate === null || rate === undefined) return null;
  return LOWER_IS_BETTER.has(part) ? 1 - rate : rate;
}

/**
 * The index, 0–100 with two decimals: the weighted mean of the parts that can be scored (a rate
 * without a denominator is left out and the others weigh in its place); null when none can.
 */
export function governanceIndex(inputs: IndexInputs, weights: IndexWeights, bests: Bests = {}): number | null {
  let weighted = 0;
  let total = 0;
  for (const [part, weight] of Object.entries(weights) as [IndexPart, number][]) {
    if (!(weight > 0)) continue;
    const value = score(part, inputs, bests);
    if (value === null) continue;
    weighted += weight * Math.min(1, Math.max(0, value));
    total += weight;
  }
  return total > 0 ? Math.round((weighted / total) * 10_000) / 100 : null;
}

export type Ranked<T> = T & { rank: number | null };

/**
 * Orders units by index, highest first. Equal indexes share a rank (1, 2, 2, 4) and keep the order
 * of their codes, so the same figures always give the same table; units without an index come last,
 * unranked.
 */
export function rankByIndex<T extends { code: string; index: number | null }>(units: readonly T[]): Ranked<T>[] {
  const sorted = [...units].sort((a, b) => {
    if (a.index === null || b.index === null) return a.index === null ? (b.index === null ? a.code.localeCompare(b.code) : 1) : -1;
    return b.index - a.index || a.code.localeCompare(b.code);
  });
  return sorted.map((unit) => {
    if (unit.index === null) return { ...unit, rank: null };
    const first = sorted.findIndex((other) => other.index === unit.index);
    return { ...unit, rank: first + 1 };
  });
}

/** The period before a ranking period: the previous half month, or the previous month. */
export function previousPeriod(code: string): string {
  const period = periodOf(code);
  if (!period) throw new RangeError(`Not a period: ${code}`);
  const [year, month] = [Number(code.slice(0, 4)), Number(code.slice(5, 7))];
  const before = new Date(Date.UTC(year, month - 2, 1)).toISOString().slice(0, 7);
  if (code.endsWith("-H2")) return `${code.slice(0, 7)}-H1`;
  if (code.endsWith("-H1")) return `${before}-H2`;
  return before;
}

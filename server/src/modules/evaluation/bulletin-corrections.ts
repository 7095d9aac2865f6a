/**
 * A published bulletin's figures are frozen. When its period is computed again later (a case
 * reopened, an appeal accepted, a late closure), every figure that changed is listed as a
 * correction in the next bulletin instead of being edited silently.
 */
import type { BulletinData, BulletinLevel, Correction, Figures, IndicatorName } from "./bulletin-data.ts";
import { INDICATOR_ORDER, levelIndicators } from "./bulletin-text.ts";

const LEVEL_ORDER: BulletinLevel["kind"][] = ["street", "community", "department", "grid_worker"];

/**
 * Rates recomputed from the same counts are the same numbers; anything below this is arithmetic
 * noise (a sum taken in another order), not a change.
 */
const TOLERANCE = 1e-9;

function differs(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a !== b;
  return Math.abs(a - b) > TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}

const valueOf = (figures: Figures | undefined, indicator: IndicatorName): number | null => figures?.[indicator] ?? null;

/** The figure columns both sides' tables of a level show, in bulletin order; one side's when the other has no rows. */
function shownByBoth(before: readonly IndicatorName[], after: readonly IndicatorName[]): readonly IndicatorName[] {
  if (before.length === 0) return after;
  if (after.length === 0) return before;
  return after.filter((indicator) => before.includes(indicator));
}

/**
 * Every figure of `published` whose value differs in `now`, the same period computed today:
 * the region's totals first, then each level (street, community, department, grid worker) by unit
 * code, each unit's indicators in bulletin order; a figure present on one side only counts as null on
 * the other, and so does a unit. A level compares the columns both its tables show: a column added
 * to a level's table, or dropped from it (grid workers' closures, not counted per finder), is no
 * correction of each of its units.
 * Both must be bulletins of the same region and period.
 */
export function correctionsBetween(published: BulletinData, now: BulletinData): Correction[] {
  if (published.regionCode !== now.regionCode || published.period.code !== now.period.code) {
    throw new RangeError(
      `Corrections compare one period of one region: ${published.regionCode} ${published.period.code} against ${now.regionCode} ${now.period.code}`,
    );
  }
  const period = published.period;
  const corrections: Correction[] = [];
  const compare = (kind: Correction["kind"], code: string, name: string, before: Figures | undefined, after: Figures | undefined, indicators: readonly IndicatorName[]) => {
    for (const indicator of indicators) {
      const was = valueOf(before, indicator);
      const is = valueOf(after, indicator);
      if (differs(was, is)) corrections.push({ period, kind, code, name, indicator, published: was, now: is });
    }
  };

  compare("region", published.regionCode, now.regionName, published.totals, now.totals, INDICATOR_ORDER);

  const kinds = [...new Set([...published.levels, ...now.levels].map((level) => level.kind))]
    .sort((a, b) => LEVEL_ORDER.indexOf(a) - LEVEL_ORDER.indexOf(b));
  for (const kind of kinds) {
    const levelOf = (data: BulletinData): BulletinLevel => ({ kind, rows: data.levels.filter((level) => level.kind === kind).flatMap((level) => level.rows) });
    const [then, today] = [levelOf(published), levelOf(now)];
    const indicators = shownByBoth(levelIndicators(then), levelIndicators(today));
    const before = new Map(then.rows.map((row) => [row.code, row]));
    const after = new Map(today.rows.map((row) => [row.code, row]));
    const codes = [...new Set([...before.keys(), ...after.keys()])].sort();
    for (const code of codes) {
      const was = before.get(code);
      const is = after.get(code);
      // The unit's name today, which the reader knows it by.
      compare(kind, code, (is ?? was)!.name, was?.figures, is?.figures, indicators);
    }
  }
  return corrections;
}

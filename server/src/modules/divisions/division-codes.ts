import type { DivisionLevel } from "../../db/schema.ts";

export const LEVELS: readonly DivisionLevel[] = ["district", "street", "community", "courtyard", "building"];

const CODE_LENGTH: Record<DivisionLevel, number> = {
  district: 6,
  street: 9,
  community: 12,
  courtyard: 15,
  building: 18,
};

/** The level a division code names, from its length (6, 9, 12, 15 or 18 digits). */
export function levelOfCode(code: string): DivisionLevel | undefined {
  return LEVELS.find((level) => CODE_LENGTH[level] === code.length);
}

/** The levels strictly below `level`, down to `depth` steps. */
export function levelsBelow(level: DivisionLevel, depth: number): DivisionLevel[] {
  const index = LEVELS.indexOf(level);
  return LEVELS.slice(index + 1, index + 1 + depth);
}

/** The code of the ancestor at `level` (e.g. the street of a grid code). */
export function ancestorCode(code: string, level: DivisionLevel): string {
  return code.slice(0, CODE_LENGTH[level]);
}

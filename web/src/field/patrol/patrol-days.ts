/** The day now in China Standard Time, YYYY-MM-DD: the days patrols are counted in. */
export function todayInChina(now = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" }).format(now);
}

/** The day `by` days after `day` (before, when negative). */
export function shiftDay(day: string, by: number): string {
  return new Date(Date.parse(`${day}T12:00:00Z`) + by * 86_400_000).toISOString().slice(0, 10);
}

type Fix = { at: string };
type Gap = { from: number; to: number; reason: "silence" | "jump" };
export type GapSpan = { from: string; to: string; seconds: number; reason: Gap["reason"] };

/**
 * When each gap of a patrol began and ended: the times of the fixes on either side, found by their
 * index in the track, which the segments hold in order.
 */
export function gapsOf(segments: readonly (readonly Fix[])[], gaps: readonly Gap[]): GapSpan[] {
  const fixes = segments.flat();
  return gaps.flatMap((gap) => {
    const before = fixes[gap.from];
    const after = fixes[gap.to];
    if (!before || !after) return [];
    return [{ from: before.at, to: after.at, seconds: Math.round((Date.parse(after.at) - Date.parse(before.at)) / 1000), reason: gap.reason }];
  });
}

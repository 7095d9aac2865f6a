import { distanceMeters } from "../geo";
import type { TrackPoint } from "../outbox/types";

/** Two fixes further apart in time than this are a gap: the phone stopped reporting (the server's rule too). */
export const GAP_MS = 120_000;
// A new fix is kept when the worker moved this far or this long passed: a standing worker adds few points.
const MIN_MOVE_M = 10;
const MIN_INTERVAL_MS = 15_000;
// Fixes worse than this say little about where the worker walked.
export const MAX_ACCURACY_M = 100;

/** Whether `fix` adds to the track after `last`. Nothing is ever filled in between fixes. */
export function keepFix(last: TrackPoint | undefined, fix: TrackPoint): boolean {
  if (fix.accuracy > MAX_ACCURACY_M) return false;
  if (!last) return true;
  if (fix.t <= last.t) return false;
  return fix.t - last.t >= MIN_INTERVAL_MS || distanceMeters(last, fix) >= MIN_MOVE_M;
}

export type TrackSummary = { distanceMeters: number; gaps: { from: number; to: number; seconds: number }[] };

/** The distance walked along the track, never across a gap, and the gaps (indexes of the fixes around each). */
export function summarize(points: readonly TrackPoint[]): TrackSummary {
  let distance = 0;
  const gaps: TrackSummary["gaps"] = [];
  for (let i = 1; i < points.length; i++) {
    const elapsed = points[i].t - points[i - 1].t;
    if (elapsed > GAP_MS) gaps.push({ from: i - 1, to: i, seconds: Math.round(elapsed / 1000) });
    else distance += distanceMeters(points[i - 1], points[i]);
  }
  return { distanceMeters: Math.round(distance), gaps };
}

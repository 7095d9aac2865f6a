/**
 * The geometry of a patrol's GPS track, pure: distances on the sphere, and the gaps where the
 * phone stopped reporting. A gap is never drawn or counted: the distance is the sum of the
 * segments between fixes close enough in time, so a worker who lost the signal in a basement for
 * ten minutes is credited with what was recorded, not with an invented straight line.
 */

/** One GPS fix: WGS-84 degrees, the time in epoch milliseconds, the accuracy radius in metres. */
export type TrackPoint = { lng: number; lat: number; t: number; accuracy: number };

/** Why two consecutive fixes are not joined: too long apart in time, or too far apart to have been walked or ridden. */
export type GapReason = "silence" | "jump";
/** A gap between the fixes at `from` and `to` (= from + 1) of the track. */
export type TrackGap = { from: number; to: number; reason: GapReason; seconds: number };

export type TrackLimits = {
  /** Two fixes further apart in time than this are a gap. */
  gapSeconds: number;
  /** Faster than this between two fixes is a jump of the fix, not movement: a gap. */
  maxSpeedMetersPerSecond: number;
};

/** Two minutes of silence make a gap; 30 m/s (108 km/h) is beyond any patrol on foot, bicycle or scooter. */
export const DEFAULT_TRACK_LIMITS: TrackLimits = { gapSeconds: 120, maxSpeedMetersPerSecond: 30 };

const EARTH_RADIUS_METERS = 6_371_008.8;
const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** The great-circle distance between two points (haversine), in metres. */
export function haversineMeters(a: Pick<TrackPoint, "lng" | "lat">, b: Pick<TrackPoint, "lng" | "lat">): number {
  const dLat = radians(b.lat - a.lat);
  const dLng = radians(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.lat)) * Math.cos(radians(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
}

export type TrackSummary = {
  /** Metres along the joined segments only. */
  distanceMeters: number;
  /** Seconds covered by the joined segments: the time the track shows the worker moving or standing. */
  trackedSeconds: number;
  gaps: TrackGap[];
};

/** Splits a track (in time order) at its gaps and measures what remains. */
export function summariseTrack(points: readonly TrackPoint[], limits: TrackLimits = DEFAULT_TRACK_LIMITS): TrackSummary {
  let distanceMeters = 0;
  let trackedMs = 0;
  const gaps: TrackGap[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    const ms = b.t - a.t;
    const meters = haversineMeters(a, b);
    const seconds = ms / 1000;
    if (seconds > limits.gapSeconds) gaps.push({ from: i - 1, to: i, reason: "silence", seconds: Math.round(seconds) });
    // Further than a patrol could go in the time, beyond both fixes' uncertainty: the receiver jumped.
    else if (meters > limits.maxSpeedMetersPerSecond * seconds + a.accuracy + b.accuracy) gaps.push({ from: i - 1, to: i, reason: "jump", seconds: Math.round(seconds) });
    else {
      distanceMeters += meters;
      trackedMs += ms;
    }
  }
  return { distanceMeters, trackedSeconds: Math.round(trackedMs / 1000), gaps };
}

/** The track's runs between gaps, as lists of fixes: what a map draws as separate lines. */
export function trackSegments<T>(points: readonly T[], gaps: readonly Pick<TrackGap, "to">[]): T[][] {
  const segments: T[][] = [];
  let start = 0;
  for (const gap of [...gaps].sort((a, b) => a.to - b.to)) {
    segments.push(points.slice(start, gap.to));
    start = gap.to;
  }
  segments.push(points.slice(start));
  return segments.filter((segment) => segment.length > 0);
}

export type PatrolProblem = { code: "invalid_patrol_times" | "invalid_track"; message: string };

/** How long one patrol may last, and how far back a phone may send one it kept offline. */
export const MAX_PATROL_HOURS = 16;
export const MAX_PATROL_AGE_DAYS = 30;
/** How far a phone's clock may run ahead of the server's. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * What is wrong with a patrol as sent, or null: its times (ended after started, no longer than
 * MAX_PATROL_HOURS, not in the future, not older than MAX_PATROL_AGE_DAYS) and its track (each fix
 * within the patrol's times, in time order).
 */
export function patrolProblem(startedAt: Date, endedAt: Date, points: readonly TrackPoint[], now: Date): PatrolProblem | null {
  const start = startedAt.getTime();
  const end = endedAt.getTime();
  if (!(end > start)) return { code: "invalid_patrol_times", message: "A patrol ends after it starts" };
  if (end - start > MAX_PATROL_HOURS * 3_600_000) return { code: "invalid_patrol_times", message: `A patrol lasts at most ${MAX_PATROL_HOURS} hours; send a longer one in parts` };
  if (end > now.getTime() + CLOCK_SKEW_MS) return { code: "invalid_patrol_times", message: "A patrol cannot end in the future" };
  if (start < now.getTime() - MAX_PATROL_AGE_DAYS * 86_400_000) return { code: "invalid_patrol_times", message: `A patrol is sent within ${MAX_PATROL_AGE_DAYS} days` };
  for (let i = 0; i < points.length; i++) {
    const point = points[i];
    if (point.t < start || point.t > end) return { code: "invalid_track", message: `Point ${i} lies outside the patrol's start and end` };
    if (i > 0 && point.t < points[i - 1].t) return { code: "invalid_track", message: `Point ${i} comes before the point ahead of it: send the track in time order` };
  }
  return null;
}

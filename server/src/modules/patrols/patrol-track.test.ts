import { describe, expect, it } from "vitest";
import { haversineMeters, patrolProblem, summariseTrack, trackSegments, type TrackPoint } from "./patrol-track.ts";

// Kunming, near 盘龙区: 0.001° of latitude is about 111 m.
const at = (seconds: number, north: number, east = 0, accuracy = 5): TrackPoint => ({
  lng: 102.72 + east * 0.001,
  lat: 25.06 + north * 0.001,
  t: Date.parse("2026-12-03T01:00:00Z") + seconds * 1000,
  accuracy,
});

describe("haversineMeters", () => {
  it("measures a degree of latitude as about 111.2 km and a point to itself as 0", () => {
    expect(haversineMeters({ lng: 0, lat: 0 }, { lng: 0, lat: 1 })).toBeCloseTo(111_195, -1);
    expect(haversineMeters({ lng: 102.7, lat: 25 }, { lng: 102.7, lat: 25 })).toBe(0);
  });

  it("shrinks a degree of longitude with the cosine of the latitude", () => {
    const equator = haversineMeters({ lng: 0, lat: 0 }, { lng: 1, lat: 0 });
    const kunming = haversineMeters({ lng: 102, lat: 25 }, { lng: 103, lat: 25 });
    expect(kunming / equator).toBeCloseTo(Math.cos((25 * Math.PI) / 180), 3);
  });

  it("is symmetric and stays finite for antipodes", () => {
    const a = { lng: 102.72, lat: 25.06 };
    const b = { lng: 102.73, lat: 25.07 };
    expect(haversineMeters(a, b)).toBeCloseTo(haversineMeters(b, a), 9);
    expect(haversineMeters({ lng: 0, lat: 0 }, { lng: 180, lat: 0 })).toBeCloseTo(Math.PI * 6_371_008.8, 0);
  });
});

describe("summariseTrack", () => {
  it("counts every segment of a track without gaps", () => {
    const track = [at(0, 0), at(30, 1), at(60, 2), at(90, 3)];
    const summary = summariseTrack(track);
    expect(summary.gaps).toEqual([]);
    expect(summary.distanceMeters).toBeCloseTo(haversineMeters(track[0], track[3]), 0);
    expect(summary.trackedSeconds).toBe(90);
  });

  it("leaves out a silence longer than two minutes: neither its line nor its time is counted", () => {
    // 333 m walked, ten minutes without a fix (a basement), then 222 m more somewhere else.
    const track = [at(0, 0), at(60, 1), at(120, 3), at(720, 10), at(780, 11), at(840, 12)];
    const summary = summariseTrack(track);
    expect(summary.gaps).toEqual([{ from: 2, to: 3, reason: "silence", seconds: 600 }]);
    const walked = haversineMeters(track[0], track[1]) + haversineMeters(track[1], track[2]) + haversineMeters(track[3], track[4]) + haversineMeters(track[4], track[5]);
    expect(summary.distanceMeters).toBeCloseTo(walked, 6);
    expect(summary.distanceMeters).toBeLessThan(600);
    expect(summary.trackedSeconds).toBe(240);
  });

  it("joins fixes exactly two minutes apart, and splits at one second more", () => {
    expect(summariseTrack([at(0, 0), at(120, 1)]).gaps).toEqual([]);
    expect(summariseTrack([at(0, 0), at(121, 1)]).gaps).toHaveLength(1);
  });

  it("treats a jump faster than a patrol could go, beyond both fixes' accuracy, as a gap", () => {
    // 5.5 km in ten seconds.
    const jumped = summariseTrack([at(0, 0), at(10, 50), at(20, 50.1)]);
    expect(jumped.gaps).toEqual([{ from: 0, to: 1, reason: "jump", seconds: 10 }]);
    expect(jumped.distanceMeters).toBeCloseTo(11.1, 0);
    // 40 m in one second with 30 m accuracy each: noise, not a jump.
    expect(summariseTrack([at(0, 0, 0, 30), at(1, 0.36, 0, 30)]).gaps).toEqual([]);
  });

  it("gives nothing for no point or one point", () => {
    expect(summariseTrack([])).toEqual({ distanceMeters: 0, trackedSeconds: 0, gaps: [] });
    expect(summariseTrack([at(0, 0)])).toEqual({ distanceMeters: 0, trackedSeconds: 0, gaps: [] });
  });
});

describe("trackSegments", () => {
  it("cuts the track at each gap into the lines a map draws", () => {
    const points = ["a", "b", "c", "d", "e"];
    expect(trackSegments(points, [])).toEqual([points]);
    expect(trackSegments(points, [{ to: 2 }, { to: 4 }])).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(trackSegments([], [])).toEqual([]);
  });
});

describe("patrolProblem", () => {
  const now = new Date("2026-12-03T10:00:00Z");
  const start = new Date("2026-12-03T01:00:00Z");
  const end = new Date("2026-12-03T03:00:00Z");

  it("accepts a track inside the patrol's times in time order, equal times included", () => {
    expect(patrolProblem(start, end, [at(0, 0), at(10, 1), at(10, 1.1), at(7200, 2)], now)).toBeNull();
  });

  it("refuses times that end before they start, last too long, end in the future or are too old", () => {
    expect(patrolProblem(end, start, [], now)?.code).toBe("invalid_patrol_times");
    expect(patrolProblem(start, start, [], now)?.code).toBe("invalid_patrol_times");
    expect(patrolProblem(start, new Date(start.getTime() + 17 * 3_600_000), [], now)?.code).toBe("invalid_patrol_times");
    expect(patrolProblem(start, new Date(now.getTime() + 10 * 60_000), [], now)?.code).toBe("invalid_patrol_times");
    expect(patrolProblem(new Date("2026-10-01T00:00:00Z"), new Date("2026-10-01T01:00:00Z"), [], now)?.code).toBe("invalid_patrol_times");
  });

  it("refuses a fix outside the patrol's times or out of time order", () => {
    expect(patrolProblem(start, end, [at(-1, 0)], now)?.code).toBe("invalid_track");
    expect(patrolProblem(start, end, [at(7201, 0)], now)?.code).toBe("invalid_track");
    expect(patrolProblem(start, end, [at(20, 0), at(10, 0)], now)?.message).toContain("Point 1");
  });
});

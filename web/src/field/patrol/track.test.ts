import { describe, expect, it } from "vitest";
import { GAP_MS, keepFix, summarize } from "./track";

// About 111 m per 0.001° of latitude.
const at = (t: number, lat: number, accuracy = 10) => ({ lng: 102.7, lat, t, accuracy });

describe("patrol track", () => {
  it("keeps a fix after a move or a while, never a poor or older one", () => {
    expect(keepFix(undefined, at(0, 25))).toBe(true);
    expect(keepFix(at(0, 25), at(1_000, 25.00001))).toBe(false);
    expect(keepFix(at(0, 25), at(1_000, 25.001))).toBe(true);
    expect(keepFix(at(0, 25), at(15_000, 25))).toBe(true);
    expect(keepFix(at(0, 25), at(20_000, 25.001, 500))).toBe(false);
    expect(keepFix(at(5_000, 25), at(1_000, 25.01))).toBe(false);
  });

  it("counts the distance along the track and marks gaps without bridging them", () => {
    const points = [at(0, 25), at(60_000, 25.001), at(60_000 + GAP_MS + 1, 25.01), at(GAP_MS + 120_000, 25.011)];
    const summary = summarize(points);
    expect(summary.gaps).toEqual([{ from: 1, to: 2, seconds: 120 }]);
    expect(summary.distanceMeters).toBeGreaterThan(215);
    expect(summary.distanceMeters).toBeLessThan(230);
    expect(summarize([]).distanceMeters).toBe(0);
  });
});

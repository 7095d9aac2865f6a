import { describe, expect, it } from "vitest";
import { wgs84ToGcj02 } from "../map/gcj02";
import { byDistance, distanceMeters, formatDistance, mapLinks } from "./geo";

const HERE = { lat: 25.04, lng: 102.71 };

describe("field geography", () => {
  it("orders tasks nearest first", () => {
    const tasks = [
      { id: "far", lat: 25.05, lng: 102.71 },
      { id: "near", lat: 25.041, lng: 102.71 },
      { id: "middle", lat: 25.045, lng: 102.71 },
    ];
    expect(byDistance(HERE, tasks).map((task) => task.id)).toEqual(["near", "middle", "far"]);
    expect(distanceMeters(HERE, { lat: 25.041, lng: 102.71 })).toBeCloseTo(111.2, 0);
    expect(formatDistance(111.2)).toBe("111 m");
    expect(formatDistance(1520)).toBe("1.5 km");
  });

  it("gives Amap and Apple Maps GCJ-02 and a geo: URI WGS-84", () => {
    const [lng, lat] = wgs84ToGcj02(HERE.lng, HERE.lat);
    const android = mapLinks(HERE, "井盖 破损", "Mozilla/5.0 (Linux; Android 13)");
    expect(android.amap).toContain(`to=${lng.toFixed(6)},${lat.toFixed(6)},${encodeURIComponent("井盖 破损")}`);
    expect(android.amap).toContain("coordinate=gaode");
    expect(android.other).toBe(`geo:25.040000,102.710000?q=25.040000,102.710000(${encodeURIComponent("井盖 破损")})`);
    const ios = mapLinks(HERE, "x", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)");
    expect(ios.other).toBe(`https://maps.apple.com/?daddr=${lat.toFixed(6)},${lng.toFixed(6)}&dirflg=w`);
  });
});

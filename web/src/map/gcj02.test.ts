import { describe, expect, it } from "vitest";
import { displayProjection, outOfChina, projectColumns, wgs84ToGcj02 } from "./gcj02";

/** Metres between two nearby points (equirectangular: exact enough at these distances). */
function metres([lng1, lat1]: [number, number], [lng2, lat2]: [number, number]): number {
  const rad = Math.PI / 180;
  const x = (lng2 - lng1) * rad * Math.cos(((lat1 + lat2) / 2) * rad);
  const y = (lat2 - lat1) * rad;
  return Math.hypot(x, y) * 6371008.8;
}

describe("WGS-84 to GCJ-02", () => {
  it("matches the pair published with the reference implementation (coordtransform) to the last digits", () => {
    // wgs84togcj02(116.404, 39.915) in coordtransform's README, Tiananmen.
    const [lng, lat] = wgs84ToGcj02(116.404, 39.915);
    expect(lng).toBeCloseTo(116.41024449916938, 9);
    expect(lat).toBeCloseTo(39.91640428150164, 9);
  });

  it("moves a point in Kunming by the few hundred metres the tiles are offset", () => {
    const shifted = wgs84ToGcj02(102.7123, 25.0406);
    const distance = metres([102.7123, 25.0406], shifted);
    expect(distance).toBeGreaterThan(100);
    expect(distance).toBeLessThan(700);
  });

  it("leaves points outside China where they are", () => {
    expect(outOfChina(139.6917, 35.6895)).toBe(true);
    expect(wgs84ToGcj02(139.6917, 35.6895)).toEqual([139.6917, 35.6895]);
    expect(wgs84ToGcj02(-0.1276, 51.5072)).toEqual([-0.1276, 51.5072]);
  });

  it("converts only for GCJ-02 tiles: WGS-84 and CGCS2000 tiles take the stored points as they are", () => {
    expect(displayProjection("wgs84")(102.7, 25.04)).toEqual([102.7, 25.04]);
    expect(displayProjection("cgcs2000")(102.7, 25.04)).toEqual([102.7, 25.04]);
    expect(displayProjection("gcj02")(102.7, 25.04)).toEqual(wgs84ToGcj02(102.7, 25.04));
  });

  it("projects columns of points the same way, handing WGS-84 and CGCS2000 columns back untouched", () => {
    const lng = [102.7, 102.71, 139.6917];
    const lat = [25.04, 25.05, 35.6895];
    expect(projectColumns("wgs84", lng, lat)).toEqual({ lng, lat });
    expect(projectColumns("cgcs2000", lng, lat).lng).toBe(lng);
    const shifted = projectColumns("gcj02", lng, lat);
    for (let i = 0; i < lng.length; i++) expect([shifted.lng[i], shifted.lat[i]]).toEqual(wgs84ToGcj02(lng[i], lat[i]));
  });
});

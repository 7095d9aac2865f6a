import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { GeoJsonPolygon } from "../../db/schema.ts";
import { locatePoint, polygonArea, ringCentroid, ringSignedArea } from "../grids/geometry.ts";
import { validateGrids } from "../grids/grid-validation.ts";
import {
  DEMO_DISTRICT_BOUNDS,
  type DemoCommunityInput,
  type DemoStreetInput,
  generateDemoGeometry,
  mulberry32,
} from "./demo-geometry.ts";

type Divisions = {
  streets: (DemoStreetInput & { areaCode: string })[];
  communities: DemoCommunityInput[];
};

const divisions = JSON.parse(
  readFileSync(new URL("../../../data/divisions-5301.json", import.meta.url), "utf8"),
) as Divisions;
const streets = divisions.streets.filter((s) => s.areaCode === "530103").map(({ code, name }) => ({ code, name }));
const communities = divisions.communities.filter((c) => c.code.startsWith("530103"));
const URBAN = ["拓东", "鼓楼", "东华", "联盟", "金辰", "青云", "龙泉", "茨坝"];
const RURAL = ["双龙", "松华", "滇源", "阿子营"];

const demo = generateDemoGeometry(streets, communities, 20240601);
const streetCode = (prefix: string) => streets.find((s) => s.name.startsWith(prefix))!.code;
const centroidLat = (polygon: GeoJsonPolygon) => ringCentroid(polygon.coordinates[0])[1];

describe("mulberry32", () => {
  it("repeats for a seed and stays in [0, 1)", () => {
    const a = mulberry32(99);
    const b = mulberry32(99);
    const values = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(values);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(mulberry32(100)()).not.toBe(values[0]);
  });
});

describe("generateDemoGeometry", () => {
  it("is deterministic for a seed", () => {
    expect(generateDemoGeometry(streets, communities, 20240601)).toEqual(demo);
    const other = generateDemoGeometry(streets, communities, 7);
    expect(other.grids.map((g) => g.geometry)).not.toEqual(demo.grids.map((g) => g.geometry));
  });

  it("covers Panlong's 12 streets and 105 communities with 600 to 640 grids", () => {
    expect(streets).toHaveLength(12);
    expect(demo.streets.size).toBe(12);
    expect(demo.communities.size).toBe(105);
    expect(demo.grids.length).toBeGreaterThanOrEqual(600);
    expect(demo.grids.length).toBeLessThanOrEqual(640);
  });

  it("codes and names grids after their community", () => {
    const byCode = new Map(communities.map((c) => [c.code, c]));
    expect(new Set(demo.grids.map((g) => g.code)).size).toBe(demo.grids.length);
    for (const grid of demo.grids) {
      expect(grid.code).toMatch(/^\d{15}$/);
      expect(grid.code.slice(0, 12)).toBe(grid.communityCode);
      const community = byCode.get(grid.communityCode)!;
      const base = community.name.replace(/(居委会|村委会)$/, "");
      expect(grid.name).toBe(`${base}第${Number(grid.code.slice(12))}网格`);
    }
    expect(demo.grids[0].name).toBe("尚义社区第1网格");
  });

  it("gives urban communities 5 to 9 grids and rural ones 2 to 5", () => {
    const urban = new Set(URBAN.map(streetCode));
    const counts = new Map<string, number>();
    for (const grid of demo.grids) counts.set(grid.communityCode, (counts.get(grid.communityCode) ?? 0) + 1);
    for (const community of communities) {
      const count = counts.get(community.code)!;
      const [low, high] = urban.has(community.streetCode) ? [5, 9] : [2, 5];
      expect(count).toBeGreaterThanOrEqual(low);
      expect(count).toBeLessThanOrEqual(high);
    }
  });

  it("tiles every community with its grids", () => {
    expect(validateGrids(demo.grids, demo.communities)).toEqual([]);
  });

  it("tiles every street with its communities and the district with its streets", () => {
    // Reuse the grid checks one level up: a street plays the community, its communities the grids.
    const streetAsParent = new Map([...demo.streets].map(([code, polygon]) => [`${code}000`, polygon]));
    const communityAsGrid = communities.map((c) => ({
      code: `${c.streetCode}000${c.code.slice(9)}`,
      geometry: demo.communities.get(c.code),
    }));
    expect(validateGrids(communityAsGrid, streetAsParent)).toEqual([]);
    const streetAsGrid = streets.map((s) => ({ code: `530103000000${s.code.slice(6)}`, geometry: demo.streets.get(s.code) }));
    expect(validateGrids(streetAsGrid, new Map([["530103000000", demo.district]]))).toEqual([]);
  });

  it("puts courtyards and buildings strictly inside their community, buildings near their courtyard", () => {
    const perCommunity = new Map<string, number>();
    const courtyards = new Map(demo.courtyards.map((c) => [c.code, c]));
    for (const courtyard of demo.courtyards) {
      expect(courtyard.code).toMatch(new RegExp(`^${courtyard.communityCode}\\d{3}$`));
      expect(courtyard.name).toMatch(/第\d+居民小组$/);
      const polygon = demo.communities.get(courtyard.communityCode)!;
      expect(locatePoint(polygon, courtyard.lng, courtyard.lat)).toBe("inside");
      perCommunity.set(courtyard.communityCode, (perCommunity.get(courtyard.communityCode) ?? 0) + 1);
    }
    expect(perCommunity.size).toBe(105);
    for (const count of perCommunity.values()) {
      expect(count).toBeGreaterThanOrEqual(3);
      expect(count).toBeLessThanOrEqual(6);
    }
    expect(demo.courtyards[1].name).toBe("尚义社区第2居民小组");

    const perCourtyard = new Map<string, number>();
    for (const building of demo.buildings) {
      const courtyard = courtyards.get(building.courtyardCode)!;
      expect(building.code).toMatch(new RegExp(`^${building.courtyardCode}\\d{3}$`));
      expect(building.name).toMatch(/^\d+栋$/);
      const polygon = demo.communities.get(courtyard.communityCode)!;
      expect(locatePoint(polygon, building.lng, building.lat)).toBe("inside");
      expect(Math.hypot(building.lng - courtyard.lng, building.lat - courtyard.lat)).toBeLessThan(0.015);
      perCourtyard.set(building.courtyardCode, (perCourtyard.get(building.courtyardCode) ?? 0) + 1);
    }
    expect(perCourtyard.size).toBe(demo.courtyards.length);
    for (const count of perCourtyard.values()) {
      expect(count).toBeGreaterThanOrEqual(4);
      expect(count).toBeLessThanOrEqual(12);
    }
  });

  it("puts the small urban streets in the south and the large rural ones in the north", () => {
    const urban = URBAN.map((name) => demo.streets.get(streetCode(name))!);
    const rural = RURAL.map((name) => demo.streets.get(streetCode(name))!);
    expect(Math.min(...rural.map(centroidLat))).toBeGreaterThan(Math.max(...urban.map(centroidLat)));
    expect(Math.min(...rural.map(polygonArea))).toBeGreaterThan(Math.max(...urban.map(polygonArea)));
    const northernmost = ["滇源", "阿子营"].map((name) => centroidLat(demo.streets.get(streetCode(name))!));
    const otherRural = ["双龙", "松华"].map((name) => centroidLat(demo.streets.get(streetCode(name))!));
    expect(Math.min(...northernmost)).toBeGreaterThan(Math.max(...otherRural));
  });

  it("stays inside the district's bounds", () => {
    const { west, south, east, north } = DEMO_DISTRICT_BOUNDS;
    const inBounds = ([lng, lat]: number[]) => lng >= west && lng <= east && lat >= south && lat <= north;
    const polygons = [demo.district, ...demo.streets.values(), ...demo.communities.values(), ...demo.grids.map((g) => g.geometry)];
    for (const polygon of polygons) expect(polygon.coordinates.flat().every(inBounds)).toBe(true);
    expect([...demo.courtyards, ...demo.buildings].every((p) => inBounds([p.lng, p.lat]))).toBe(true);
    // Spans most of the bounds, and the outline is not just the bounding rectangle.
    const lats = demo.district.coordinates[0].map((p) => p[1]);
    expect(Math.min(...lats)).toBe(south);
    expect(Math.max(...lats)).toBe(north);
    const boxArea = (east - west) * (north - south);
    expect(polygonArea(demo.district)).toBeLessThan(0.9 * boxArea);
    expect(polygonArea(demo.district)).toBeGreaterThan(0.4 * boxArea);
  });

  it("lists rings counter-clockwise and closed", () => {
    for (const grid of demo.grids) {
      const ring = grid.geometry.coordinates[0];
      expect(ring[0]).toEqual(ring[ring.length - 1]);
      expect(ringSignedArea(ring)).toBeGreaterThan(0);
    }
  });
});

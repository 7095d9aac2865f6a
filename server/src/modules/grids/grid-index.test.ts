import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { GeoJsonPolygon } from "../../db/schema.ts";
import { type DemoCommunityInput, type DemoStreetInput, generateDemoGeometry, mulberry32 } from "../demo/demo-geometry.ts";
import { pointInPolygon, pointOnPolygonBoundary, polygonBBox } from "./geometry.ts";
import { GridIndex } from "./grid-index.ts";

const divisions = JSON.parse(
  readFileSync(new URL("../../../data/divisions-5301.json", import.meta.url), "utf8"),
) as { streets: (DemoStreetInput & { areaCode: string })[]; communities: DemoCommunityInput[] };
const demo = generateDemoGeometry(
  divisions.streets.filter((s) => s.areaCode === "530103"),
  divisions.communities.filter((c) => c.code.startsWith("530103")),
  3,
);
const index = new GridIndex(demo.grids);

// The reference: a linear scan of every grid.
function bruteForce(lng: number, lat: number): string[] {
  return demo.grids.filter((grid) => pointInPolygon(grid.geometry, lng, lat)).map((grid) => grid.code);
}

const rect = (code: string, x0: number, y0: number, x1: number, y1: number) => ({
  code,
  geometry: { type: "Polygon", coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]] } as GeoJsonPolygon,
});

describe("GridIndex", () => {
  it("knows its size", () => {
    expect(index.size).toBe(demo.grids.length);
  });

  it("agrees with a brute-force scan on random points over the demo district", () => {
    const [west, south, east, north] = polygonBBox(demo.district);
    const random = mulberry32(11);
    let inside = 0;
    let outside = 0;
    for (let k = 0; k < 4000; k++) {
      const lng = west - 0.01 + random() * (east - west + 0.02);
      const lat = south - 0.01 + random() * (north - south + 0.02);
      const containing = bruteForce(lng, lat);
      expect(containing.length).toBeLessThanOrEqual(1);
      expect(index.locate(lng, lat)).toBe(containing[0]);
      if (containing.length === 1) inside++;
      else outside++;
    }
    expect(inside).toBeGreaterThan(1000);
    expect(outside).toBeGreaterThan(500);
  });

  it("gives every point on a grid edge to exactly one grid", () => {
    let shared = 0;
    let outer = 0;
    for (const grid of demo.grids) {
      const ring = grid.geometry.coordinates[0];
      for (let k = 0; k < ring.length - 1; k++) {
        for (const t of [0, 0.5]) {
          const lng = ring[k][0] + t * (ring[k + 1][0] - ring[k][0]);
          const lat = ring[k][1] + t * (ring[k + 1][1] - ring[k][1]);
          const found = index.locate(lng, lat);
          expect(found).toBeDefined();
          const containing = bruteForce(lng, lat);
          if (pointOnPolygonBoundary(demo.district, lng, lat)) {
            outer++;
            expect(containing.length).toBeLessThanOrEqual(1);
          } else {
            shared++;
            expect(containing).toEqual([found]);
          }
        }
      }
    }
    expect(shared).toBeGreaterThan(5000);
    expect(outer).toBeGreaterThan(200);
  });

  it("returns undefined outside every grid", () => {
    expect(index.locate(0, 0)).toBeUndefined();
    expect(index.locate(102.6, 25.2)).toBeUndefined();
    // The bounding box's north-west corner lies outside the district's outline.
    const [west, , , north] = polygonBBox(demo.district);
    expect(index.locate(west + 1e-6, north - 1e-6)).toBeUndefined();
  });

  it("resolves shared edges, corners and the outer boundary deterministically", () => {
    const small = new GridIndex([rect("west", 0, 0, 1, 1), rect("east", 1, 0, 2, 1), rect("north", 0, 1, 2, 2)]);
    expect(small.locate(1, 0.5)).toBe("east");
    expect(small.locate(0.5, 1)).toBe("north");
    expect(small.locate(1, 1)).toBe("north");
    expect(small.locate(0.5, 0.5)).toBe("west");
    // On the outer boundary, where no grid lies beyond.
    expect(small.locate(2, 0.5)).toBe("east");
    expect(small.locate(1, 2)).toBe("north");
    expect(small.locate(0, 0)).toBe("west");
    expect(small.locate(2.1, 0.5)).toBeUndefined();
  });

  it("handles holes and open rings", () => {
    const framed: GeoJsonPolygon = {
      type: "Polygon",
      coordinates: [
        [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
        [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]],
      ],
    };
    const open: GeoJsonPolygon = { type: "Polygon", coordinates: [[[1, 1], [3, 1], [3, 3], [1, 3]]] };
    const withHole = new GridIndex([{ code: "frame", geometry: framed }, { code: "core", geometry: open }]);
    expect(withHole.locate(0.5, 2)).toBe("frame");
    expect(withHole.locate(2, 2)).toBe("core");
  });

  it("answers undefined when empty", () => {
    const empty = new GridIndex([]);
    expect(empty.size).toBe(0);
    expect(empty.locate(102.7, 25.1)).toBeUndefined();
  });
});

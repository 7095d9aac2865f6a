import { describe, expect, it } from "vitest";
import type { GeoJsonPolygon } from "../../db/schema.ts";
import {
  interiorPoint,
  isRingClosed,
  locatePoint,
  pointInPolygon,
  pointOnPolygonBoundary,
  polygonArea,
  polygonBBox,
  ringCentroid,
  ringSelfIntersects,
  ringSignedArea,
  segmentsCross,
} from "./geometry.ts";

const rect = (x0: number, y0: number, x1: number, y1: number): number[][] => [
  [x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0],
];
const polygon = (...rings: number[][][]): GeoJsonPolygon => ({ type: "Polygon", coordinates: rings });

describe("rings and boxes", () => {
  it("computes the bounding box over all rings", () => {
    expect(polygonBBox(polygon(rect(1, 2, 5, 4)))).toEqual([1, 2, 5, 4]);
  });

  it("tells closed rings from open ones", () => {
    expect(isRingClosed(rect(0, 0, 1, 1))).toBe(true);
    expect(isRingClosed(rect(0, 0, 1, 1).slice(0, 4))).toBe(false);
  });

  it("gives a signed area: positive counter-clockwise, negative clockwise", () => {
    expect(ringSignedArea(rect(0, 0, 2, 3))).toBe(6);
    expect(ringSignedArea(rect(0, 0, 2, 3).reverse())).toBe(-6);
  });

  it("keeps its precision at Kunming's longitudes", () => {
    const small = rect(102.7123456, 25.0412345, 102.7124456, 25.0413345);
    expect(Math.abs(ringSignedArea(small) - 1e-8) / 1e-8).toBeLessThan(1e-7);
  });

  it("subtracts holes whatever their orientation", () => {
    expect(polygonArea(polygon(rect(0, 0, 10, 10), rect(4, 4, 6, 6)))).toBe(96);
    expect(polygonArea(polygon(rect(0, 0, 10, 10), rect(4, 4, 6, 6).reverse()))).toBe(96);
  });

  it("finds the centroid", () => {
    expect(ringCentroid(rect(102, 25, 104, 26))).toEqual([103, 25.5]);
  });
});

describe("points and polygons", () => {
  const square = polygon(rect(0, 0, 1, 1));

  it("tells inside from outside", () => {
    expect(pointInPolygon(square, 0.5, 0.5)).toBe(true);
    expect(pointInPolygon(square, 1.5, 0.5)).toBe(false);
    expect(pointInPolygon(square, 0.5, -0.1)).toBe(false);
  });

  it("detects a point on an edge or a vertex, within the tolerance only", () => {
    expect(locatePoint(square, 1, 0.5)).toBe("boundary");
    expect(locatePoint(square, 0, 0)).toBe("boundary");
    expect(locatePoint(square, 0.5, 1 + 1e-10)).toBe("boundary");
    expect(locatePoint(square, 0.5, 1 + 1e-6)).toBe("outside");
    expect(locatePoint(square, 0.5, 1 - 1e-6)).toBe("inside");
    expect(pointOnPolygonBoundary(square, 0.5, 0.5)).toBe(false);
  });

  it("gives a point on a shared edge to exactly one of the two polygons", () => {
    const west = polygon(rect(0, 0, 1, 1));
    const east = polygon(rect(1, 0, 2, 1).reverse());
    const north = polygon(rect(0, 1, 1, 2));
    expect([pointInPolygon(west, 1, 0.5), pointInPolygon(east, 1, 0.5)]).toEqual([false, true]);
    expect([pointInPolygon(west, 0.5, 1), pointInPolygon(north, 0.5, 1)]).toEqual([false, true]);
    // A slanted shared edge, listed in opposite directions by the two triangles.
    const left = polygon([[0, 0], [0.3, 0.1], [0.1, 0.7], [0, 0]]);
    const right = polygon([[0.3, 0.1], [0.9, 0.9], [0.1, 0.7], [0.3, 0.1]]);
    for (let k = 1; k < 100; k++) {
      const t = k / 100;
      const x = 0.3 + t * (0.1 - 0.3);
      const y = 0.1 + t * (0.7 - 0.1);
      expect(Number(pointInPolygon(left, x, y)) + Number(pointInPolygon(right, x, y))).toBe(1);
    }
  });

  it("handles holes: even-odd over all rings", () => {
    const framed = polygon(rect(0, 0, 10, 10), rect(4, 4, 6, 6));
    expect(pointInPolygon(framed, 5, 5)).toBe(false);
    expect(pointInPolygon(framed, 2, 2)).toBe(true);
    expect(locatePoint(framed, 4, 5)).toBe("boundary");
    expect(locatePoint(framed, 5, 5)).toBe("outside");
  });

  it("finds a point strictly inside, even in a concave polygon", () => {
    const u = polygon([[0, 0], [3, 0], [3, 2], [2, 2], [2, 1], [1, 1], [1, 2], [0, 2], [0, 0]]);
    const point = interiorPoint(u);
    expect(point).toBeDefined();
    expect(locatePoint(u, point![0], point![1])).toBe("inside");
    const framed = polygon(rect(0, 0, 10, 10), rect(0.5, 0.5, 9.5, 9.5));
    const inFrame = interiorPoint(framed)!;
    expect(locatePoint(framed, inFrame[0], inFrame[1])).toBe("inside");
  });
});

describe("segment crossing", () => {
  it("reports a proper crossing", () => {
    expect(segmentsCross(0, 0, 2, 2, 0, 2, 2, 0)).toBe(true);
  });

  it("ignores touching, T-junctions, collinear overlap and disjoint segments", () => {
    expect(segmentsCross(0, 0, 1, 1, 1, 1, 2, 0)).toBe(false);
    expect(segmentsCross(0, 0, 2, 0, 1, 0, 1, 1)).toBe(false);
    expect(segmentsCross(0, 0, 2, 0, 1, 1e-12, 1, -1)).toBe(false);
    expect(segmentsCross(0, 0, 2, 0, 1, 0, 3, 0)).toBe(false);
    expect(segmentsCross(0, 0, 1, 0, 0, 1, 1, 1)).toBe(false);
  });

  it("detects a self-intersecting ring", () => {
    expect(ringSelfIntersects([[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]])).toBe(true);
    expect(ringSelfIntersects(rect(0, 0, 1, 1))).toBe(false);
    expect(ringSelfIntersects([[0, 0], [3, 0], [3, 2], [2, 2], [2, 1], [1, 1], [1, 2], [0, 2], [0, 0]])).toBe(false);
  });
});

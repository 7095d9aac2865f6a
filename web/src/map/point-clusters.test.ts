import { describe, expect, it } from "vitest";
import type { MapLight } from "./palette";
import { PointGrid, worldX, worldY, type WorldBox } from "./point-clusters";

const WORLD: WorldBox = { minX: 0, minY: 0, maxX: 256, maxY: 256 };
const worldPoint = (lng: number, lat: number): [number, number] => [worldX(lng), worldY(lat)];

/** The place of a world pixel at zoom 0 (the inverse of worldPoint). */
function lngLat(x: number, y: number): [number, number] {
  return [(x / 256 - 0.5) * 360, ((2 * Math.atan(Math.exp(Math.PI * (1 - (2 * y) / 256))) - Math.PI / 2) * 180) / Math.PI];
}
/** A place in Kunming an eighth of a cell (at zoom 10 and 12 alike) from a cell's corner, `dx`, `dy` pixels of zoom 10 away. */
function near(dx: number, dy: number): [number, number] {
  const [x, y] = worldPoint(102.7, 25.04);
  const cell = 56 / 1024;
  return lngLat((Math.floor(x / cell) + 0.125) * cell + dx / 1024, (Math.floor(y / cell) + 0.125) * cell + dy / 1024);
}

function grid(points: [number, number, MapLight][]): PointGrid {
  return new PointGrid({ lng: points.map((p) => p[0]), lat: points.map((p) => p[1]), light: points.map((p) => p[2]) }, 56);
}

describe("point clusters", () => {
  it("projects as Leaflet's spherical Mercator does, 256 pixels to the world at zoom 0", () => {
    expect(worldPoint(0, 0)).toEqual([128, 128]);
    expect(worldPoint(180, 0)[0]).toBe(256);
    const [, north] = worldPoint(0, 85.0511287798);
    expect(north).toBeCloseTo(0, 6);
    expect(worldPoint(0, 89)[1]).toBe(north);
  });

  it("gathers the points of one cell into a cluster at their mean, counting each light", () => {
    const points = grid([
      [...near(0, 0), "overdue"],
      [...near(1, 1), "on_time"],
      [...near(2, 1), "on_time"],
      [116.4, 39.9, "near_due"],
    ]);
    const clusters = points.cluster(12, WORLD);
    expect(clusters.length).toBe(2);
    const big = clusters.count[0] === 3 ? 0 : 1;
    expect(clusters.count[big]).toBe(3);
    expect([...clusters.lights.subarray(big * 4, big * 4 + 4)]).toEqual([1, 0, 2, 0]);
    const [x] = worldPoint(...near(1, 0));
    expect(clusters.x[big]).toBeCloseTo(x, 9);
    const alone = 1 - big;
    expect(clusters.count[alone]).toBe(1);
    expect(clusters.point[alone]).toBe(3);
  });

  it("counts only the cells that touch the box, each whole", () => {
    const points = grid([
      [...near(0, 0), "on_time"],
      [...near(1, 1), "on_time"],
      [116.4, 39.9, "on_time"],
    ]);
    const [x, y] = worldPoint(...near(0, 0));
    // A box of a fraction of a pixel at the first point: its cell, with the second point, and nothing else.
    const clusters = points.cluster(12, { minX: x - 1e-6, minY: y - 1e-6, maxX: x + 1e-6, maxY: y + 1e-6 });
    expect(clusters.length).toBe(1);
    expect(clusters.count[0]).toBe(2);
  });

  it("draws every point alone when asked, and finds the zoom at which a cluster splits", () => {
    const points = grid([
      [...near(0, 0), "on_time"],
      [...near(3, 2), "near_due"],
      [...near(0, 0), "overdue"],
    ]);
    expect(points.cluster(18, WORLD, true).length).toBe(3);
    const clusters = points.cluster(10, WORLD);
    expect(clusters.length).toBe(1);
    const zoom = points.expansionZoom(clusters, 0, 17);
    expect(zoom).toBeGreaterThan(10);
    expect(zoom).toBeLessThan(17);
    expect(points.cluster(zoom, WORLD).length).toBe(2);
    expect(points.cluster(zoom - 1, WORLD).length).toBe(1);
    // Two cases at one place never split: the zoom at which every case is drawn alone.
    const same = grid([
      [102.7, 25.04, "on_time"],
      [102.7, 25.04, "overdue"],
    ]);
    expect(same.expansionZoom(same.cluster(10, WORLD), 0, 17)).toBe(17);
  });
});

import Flatbush from "flatbush";
import type { GeoJsonPolygon } from "../../db/schema.ts";
import { GEOMETRY_EPSILON } from "./geometry.ts";

/** A grid as the index needs it. */
export type IndexedGrid = { code: string; geometry: GeoJsonPolygon };

/**
 * Point-to-grid lookup: an R-tree over the grids' bounding boxes, then an exact point-in-polygon
 * test on flat coordinate arrays. Built once, read-only afterwards.
 */
export class GridIndex {
  /** Number of indexed grids. */
  readonly size: number;

  private readonly tree: Flatbush | undefined;
  private readonly codes: string[];
  // All rings' positions as x, y pairs; ring r occupies [ringStarts[r], ringStarts[r + 1]).
  private readonly coords: Float64Array;
  private readonly ringStarts: Int32Array;
  // Grid g owns rings [gridRings[g], gridRings[g + 1]).
  private readonly gridRings: Int32Array;

  // Query state shared with the filter callbacks, so a lookup allocates no closure.
  private queryX = 0;
  private queryY = 0;
  private hit = -1;
  private candidates = 0;
  private readonly containsFilter = (index: number): boolean => {
    this.candidates++;
    if (!this.contains(index, this.queryX, this.queryY)) return false;
    this.hit = index;
    return true;
  };
  private readonly boundaryFilter = (index: number): boolean => {
    if (!this.touches(index, this.queryX, this.queryY)) return false;
    this.hit = index;
    return true;
  };

  /** Indexes the grids; rings that are not closed are closed implicitly. */
  constructor(grids: readonly IndexedGrid[]) {
    this.size = grids.length;
    this.codes = grids.map((grid) => grid.code);

    let ringCount = 0;
    let positionCount = 0;
    for (const grid of grids) {
      for (const ring of grid.geometry.coordinates) {
        ringCount++;
        positionCount += ring.length + 1;
      }
    }
    const coords = new Float64Array(positionCount * 2);
    const ringStarts = new Int32Array(ringCount + 1);
    const gridRings = new Int32Array(grids.length + 1);
    let r = 0;
    let c = 0;
    for (let g = 0; g < grids.length; g++) {
      gridRings[g] = r;
      for (const ring of grids[g].geometry.coordinates) {
        ringStarts[r++] = c;
        for (const position of ring) {
          coords[c++] = position[0];
          coords[c++] = position[1];
        }
        const first = ring[0];
        const last = ring[ring.length - 1];
        if (first && (first[0] !== last[0] || first[1] !== last[1])) {
          coords[c++] = first[0];
          coords[c++] = first[1];
        }
      }
    }
    gridRings[grids.length] = r;
    ringStarts[r] = c;
    this.coords = coords.subarray(0, c);
    this.ringStarts = ringStarts;
    this.gridRings = gridRings;

    if (grids.length === 0) return;
    const tree = new Flatbush(grids.length);
    for (let g = 0; g < grids.length; g++) {
      let minX = Infinity;
      let minY = Infinity;
      let maxX = -Infinity;
      let maxY = -Infinity;
      for (let k = ringStarts[gridRings[g]]; k < ringStarts[gridRings[g + 1]]; k += 2) {
        const x = coords[k];
        const y = coords[k + 1];
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
      tree.add(minX, minY, maxX, maxY);
    }
    tree.finish();
    this.tree = tree;
  }

  /**
   * Code of the grid containing the point, or undefined. For grids that tile an area, every point
   * of it gets exactly one grid: a point on a shared edge goes to the grid east of it (north of a
   * horizontal edge); a point on the outer boundary goes to the grid whose edge it lies on.
   */
  locate(lng: number, lat: number): string | undefined {
    const tree = this.tree;
    if (tree === undefined) return undefined;
    this.queryX = lng;
    this.queryY = lat;
    this.candidates = 0;
    const e = GEOMETRY_EPSILON;
    // The box is widened by the tolerance so that a miss with no candidate needs no second pass.
    if (tree.collides(lng - e, lat - e, lng + e, lat + e, this.containsFilter)) return this.codes[this.hit];
    if (this.candidates === 0) return undefined;
    if (tree.collides(lng - e, lat - e, lng + e, lat + e, this.boundaryFilter)) return this.codes[this.hit];
    return undefined;
  }

  // Even-odd crossing test over the grid's rings; same half-open rule as geometry.pointInRing.
  private contains(g: number, x: number, y: number): boolean {
    const coords = this.coords;
    const ringStarts = this.ringStarts;
    let inside = false;
    for (let r = this.gridRings[g], rEnd = this.gridRings[g + 1]; r < rEnd; r++) {
      const end = ringStarts[r + 1] - 2;
      for (let k = ringStarts[r]; k < end; k += 2) {
        const y0 = coords[k + 1];
        const y1 = coords[k + 3];
        if (y0 > y === y1 > y) continue;
        // Evaluate from the lower end so both grids sharing an edge get the same answer.
        if (y0 < y1) {
          const x0 = coords[k];
          if ((coords[k + 2] - x0) * (y - y0) - (x - x0) * (y1 - y0) > 0) inside = !inside;
        } else {
          const x1 = coords[k + 2];
          if ((coords[k] - x1) * (y - y1) - (x - x1) * (y0 - y1) > 0) inside = !inside;
        }
      }
    }
    return inside;
  }

  // Whether the point lies within GEOMETRY_EPSILON of one of the grid's edges.
  private touches(g: number, x: number, y: number): boolean {
    const coords = this.coords;
    const ringStarts = this.ringStarts;
    const e = GEOMETRY_EPSILON;
    for (let r = this.gridRings[g], rEnd = this.gridRings[g + 1]; r < rEnd; r++) {
      const end = ringStarts[r + 1] - 2;
      for (let k = ringStarts[r]; k < end; k += 2) {
        const ax = coords[k];
        const ay = coords[k + 1];
        const dx = coords[k + 2] - ax;
        const dy = coords[k + 3] - ay;
        const lengthSquared = dx * dx + dy * dy;
        let t = lengthSquared === 0 ? 0 : ((x - ax) * dx + (y - ay) * dy) / lengthSquared;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const ex = x - (ax + t * dx);
        const ey = y - (ay + t * dy);
        if (ex * ex + ey * ey <= e * e) return true;
      }
    }
    return false;
  }
}

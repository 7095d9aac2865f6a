import type { MapLight } from "./palette";

/** The lights in drawing order (worst first), and each one's slot in a cluster's counts. */
export const LIGHT_ORDER: readonly MapLight[] = ["overdue", "near_due", "on_time", "suspended"];
const LIGHT_SLOT: Record<MapLight, number> = { overdue: 0, near_due: 1, on_time: 2, suspended: 3 };

/** Leaflet's spherical Mercator stops here: beyond it a latitude has no finite projection. */
const MAX_LATITUDE = 85.0511287798;

/** Web Mercator pixels at zoom 0 (a 256 px world), as Leaflet projects them (times 2^z at zoom z): x of a longitude. */
export const worldX = (lng: number) => 256 * (lng / 360 + 0.5);

/** Web Mercator pixels at zoom 0: y of a latitude, clamped where the projection ends. */
export function worldY(lat: number): number {
  const phi = (Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat)) * Math.PI) / 180;
  return 256 * (0.5 - Math.log(Math.tan(Math.PI / 4 + phi / 2)) / (2 * Math.PI));
}

/** Up to this many cells around a view, a cluster's cell is found by index rather than by hash. */
const DENSE_CELLS = 1 << 16;

/** A box in world pixels at zoom 0. */
export type WorldBox = { minX: number; minY: number; maxX: number; maxY: number };

/**
 * One clustering of the points around a view, as columns: for cluster i, its point count, its
 * centre (the mean of its points, world pixels at zoom 0), its counts per light (four per cluster,
 * in LIGHT_ORDER) and one of its points (the only one when the count is 1).
 */
export type Clusters = {
  length: number;
  count: Int32Array;
  x: Float64Array;
  y: Float64Array;
  lights: Int32Array;
  point: Int32Array;
  /** The cell of each cluster, for `expansionZoom`. */
  cellX: Int32Array;
  cellY: Int32Array;
  zoom: number;
};

/**
 * Points clustered on a grid of square cells fixed to the world (so that a pan does not move
 * them), the way command-centre maps cluster markers: at zoom z every point in one `cell`-pixel
 * square of the zoom-z world is one cluster, drawn at its points' mean. Nothing is built in
 * advance: a view is clustered when it is drawn, in one pass over typed arrays, only over the
 * cells around it, and every cell is counted whole.
 */
export class PointGrid {
  readonly size: number;
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly light: Uint8Array;
  private readonly cell: number;

  /** `lng` and `lat` in the map's coordinates; `cell` in pixels. */
  constructor(points: { lng: ArrayLike<number>; lat: ArrayLike<number>; light: readonly MapLight[] }, cell: number) {
    this.size = points.lng.length;
    this.x = new Float64Array(this.size);
    this.y = new Float64Array(this.size);
    this.light = new Uint8Array(this.size);
    this.cell = cell;
    for (let i = 0; i < this.size; i++) {
      this.x[i] = worldX(points.lng[i]);
      this.y[i] = worldY(points.lat[i]);
      this.light[i] = LIGHT_SLOT[points.light[i]];
    }
  }

  /** World pixels at zoom 0 of point `index`. */
  at(index: number): [number, number] {
    return [this.x[index], this.y[index]];
  }

  /**
   * The clusters at zoom `zoom` (an integer) of the cells that touch `box`; with `alone`, every
   * point is its own cluster (closer in than clustering goes).
   */
  cluster(zoom: number, box: WorldBox, alone = false): Clusters {
    const scale = 2 ** zoom / this.cell;
    const x0 = Math.floor(box.minX * scale);
    const y0 = Math.floor(box.minY * scale);
    const columns = Math.floor(box.maxX * scale) - x0 + 1;
    const rows = Math.floor(box.maxY * scale) - y0 + 1;
    // Cell → cluster number + 1 (0: none yet): an array over the few thousand cells around a view,
    // a map over a box far larger than any screen.
    const dense = columns * rows <= DENSE_CELLS ? new Int32Array(columns * rows) : null;
    const sparse = dense ? null : new Map<number, number>();
    let capacity = 256;
    let clusters = emptyClusters(capacity, zoom);
    let length = 0;
    for (let i = 0; i < this.size; i++) {
      const cx = Math.floor(this.x[i] * scale) - x0;
      const cy = Math.floor(this.y[i] * scale) - y0;
      if (cx < 0 || cy < 0 || cx >= columns || cy >= rows) continue;
      const slot = cx * rows + cy;
      let k = alone ? -1 : (dense ? dense[slot] : (sparse?.get(slot) ?? 0)) - 1;
      if (k < 0) {
        if (length === capacity) {
          capacity *= 2;
          clusters = grow(clusters, capacity);
        }
        k = length++;
        if (dense) dense[slot] = k + 1;
        else sparse?.set(slot, k + 1);
        clusters.point[k] = i;
        clusters.cellX[k] = cx + x0;
        clusters.cellY[k] = cy + y0;
      }
      clusters.count[k]++;
      clusters.x[k] += this.x[i];
      clusters.y[k] += this.y[i];
      clusters.lights[k * 4 + this.light[i]]++;
    }
    for (let k = 0; k < length; k++) {
      clusters.x[k] /= clusters.count[k];
      clusters.y[k] /= clusters.count[k];
    }
    clusters.length = length;
    return clusters;
  }

  /** The first zoom, up to `maxZoom`, at which cluster `k` of `clusters` splits into more than one. */
  expansionZoom(clusters: Clusters, k: number, maxZoom: number): number {
    const scale = 2 ** clusters.zoom / this.cell;
    const members: number[] = [];
    for (let i = 0; i < this.size; i++) {
      if (Math.floor(this.x[i] * scale) === clusters.cellX[k] && Math.floor(this.y[i] * scale) === clusters.cellY[k]) members.push(i);
    }
    for (let zoom = clusters.zoom + 1; zoom < maxZoom; zoom++) {
      const at = 2 ** zoom / this.cell;
      const first = members[0];
      const cx = Math.floor(this.x[first] * at);
      const cy = Math.floor(this.y[first] * at);
      if (members.some((i) => Math.floor(this.x[i] * at) !== cx || Math.floor(this.y[i] * at) !== cy)) return zoom;
    }
    return maxZoom;
  }
}

function emptyClusters(capacity: number, zoom: number): Clusters {
  return {
    length: 0,
    count: new Int32Array(capacity),
    x: new Float64Array(capacity),
    y: new Float64Array(capacity),
    lights: new Int32Array(capacity * 4),
    point: new Int32Array(capacity),
    cellX: new Int32Array(capacity),
    cellY: new Int32Array(capacity),
    zoom,
  };
}

function grow(from: Clusters, capacity: number): Clusters {
  const to = emptyClusters(capacity, from.zoom);
  to.count.set(from.count);
  to.x.set(from.x);
  to.y.set(from.y);
  to.lights.set(from.lights);
  to.point.set(from.point);
  to.cellX.set(from.cellX);
  to.cellY.set(from.cellY);
  return to;
}

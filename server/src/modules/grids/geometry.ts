import type { GeoJsonPolygon } from "../../db/schema.ts";

/** A GeoJSON position: [lng, lat] (further members, such as an altitude, are ignored). */
export type Position = number[];
/** A linear ring: closed, first position equal to the last. */
export type Ring = Position[];
/** [minLng, minLat, maxLng, maxLat]. */
export type BBox = [number, number, number, number];
/** Where a point lies relative to a polygon. */
export type PointLocation = "inside" | "outside" | "boundary";

/** Distance in degrees under which a point counts as lying on a line (about 0.1 mm). */
export const GEOMETRY_EPSILON = 1e-9;

/** Bounding box of all the rings of a polygon. */
export function polygonBBox(polygon: GeoJsonPolygon): BBox {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const ring of polygon.coordinates) {
    for (const position of ring) {
      const x = position[0];
      const y = position[1];
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return [minX, minY, maxX, maxY];
}

/** Whether a ring's last position repeats its first one. */
export function isRingClosed(ring: Ring): boolean {
  if (ring.length < 2) return false;
  const first = ring[0];
  const last = ring[ring.length - 1];
  return first[0] === last[0] && first[1] === last[1];
}

/** Shoelace area of a closed ring: positive when counter-clockwise. */
export function ringSignedArea(ring: Ring): number {
  if (ring.length < 4) return 0;
  // Coordinates relative to the first vertex: around lng 102 the raw products would cancel badly.
  const [ox, oy] = ring[0];
  let sum = 0;
  for (let k = 1; k < ring.length - 2; k++) {
    const ax = ring[k][0] - ox;
    const ay = ring[k][1] - oy;
    const bx = ring[k + 1][0] - ox;
    const by = ring[k + 1][1] - oy;
    sum += ax * by - bx * ay;
  }
  return sum / 2;
}

/** Planar area in square degrees: the outer ring's minus the holes'. */
export function polygonArea(polygon: GeoJsonPolygon): number {
  const [outer, ...holes] = polygon.coordinates;
  if (!outer) return 0;
  let area = Math.abs(ringSignedArea(outer));
  for (const hole of holes) area -= Math.abs(ringSignedArea(hole));
  return area;
}

/** Area-weighted centroid of a closed ring, [lng, lat]. */
export function ringCentroid(ring: Ring): [number, number] {
  const [ox, oy] = ring[0];
  let sum = 0;
  let cx = 0;
  let cy = 0;
  for (let k = 1; k < ring.length - 2; k++) {
    const ax = ring[k][0] - ox;
    const ay = ring[k][1] - oy;
    const bx = ring[k + 1][0] - ox;
    const by = ring[k + 1][1] - oy;
    const cross = ax * by - bx * ay;
    sum += cross;
    cx += (ax + bx) * cross;
    cy += (ay + by) * cross;
  }
  if (sum === 0) return [ox, oy];
  return [ox + cx / (3 * sum), oy + cy / (3 * sum)];
}

/**
 * Crossing-number test of one ring, half-open so that polygons sharing an edge never both claim a
 * point on it: a point on a shared edge belongs to the polygon on its right (east), or above it
 * (north) for a horizontal edge. Each edge is evaluated from its lower end, so two polygons that
 * list the same edge in opposite directions compute exactly the same value.
 */
export function pointInRing(ring: Ring, lng: number, lat: number): boolean {
  let inside = false;
  for (let k = 0; k < ring.length - 1; k++) {
    let x0 = ring[k][0];
    let y0 = ring[k][1];
    let x1 = ring[k + 1][0];
    let y1 = ring[k + 1][1];
    if (y0 > lat === y1 > lat) continue;
    if (y0 > y1) {
      const tx = x0;
      const ty = y0;
      x0 = x1;
      y0 = y1;
      x1 = tx;
      y1 = ty;
    }
    if ((x1 - x0) * (lat - y0) - (lng - x0) * (y1 - y0) > 0) inside = !inside;
  }
  return inside;
}

/** Even-odd point-in-polygon over all rings, with the half-open rule of `pointInRing`. */
export function pointInPolygon(polygon: GeoJsonPolygon, lng: number, lat: number): boolean {
  let inside = false;
  for (const ring of polygon.coordinates) {
    if (pointInRing(ring, lng, lat)) inside = !inside;
  }
  return inside;
}

/** Whether (px, py) lies within `tolerance` of the segment a-b. */
export function pointOnSegment(
  px: number,
  py: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  tolerance = GEOMETRY_EPSILON,
): boolean {
  if (
    px < Math.min(ax, bx) - tolerance ||
    px > Math.max(ax, bx) + tolerance ||
    py < Math.min(ay, by) - tolerance ||
    py > Math.max(ay, by) + tolerance
  ) {
    return false;
  }
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSquared = dx * dx + dy * dy;
  if (lengthSquared === 0) return Math.hypot(px - ax, py - ay) <= tolerance;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / lengthSquared));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy)) <= tolerance;
}

/** Whether a point lies within `tolerance` of any edge of any ring. */
export function pointOnPolygonBoundary(
  polygon: GeoJsonPolygon,
  lng: number,
  lat: number,
  tolerance = GEOMETRY_EPSILON,
): boolean {
  for (const ring of polygon.coordinates) {
    for (let k = 0; k < ring.length - 1; k++) {
      const a = ring[k];
      const b = ring[k + 1];
      if (pointOnSegment(lng, lat, a[0], a[1], b[0], b[1], tolerance)) return true;
    }
  }
  return false;
}

/** Inside, outside, or on the boundary (within `tolerance`) of a polygon. */
export function locatePoint(
  polygon: GeoJsonPolygon,
  lng: number,
  lat: number,
  tolerance = GEOMETRY_EPSILON,
): PointLocation {
  if (pointOnPolygonBoundary(polygon, lng, lat, tolerance)) return "boundary";
  return pointInPolygon(polygon, lng, lat) ? "inside" : "outside";
}

// Signed distance of c from the line a-b (positive on the left), zero within the tolerance.
function side(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const length = Math.hypot(dx, dy);
  if (length === 0) return 0;
  const distance = (dx * (cy - ay) - dy * (cx - ax)) / length;
  return Math.abs(distance) <= GEOMETRY_EPSILON ? 0 : distance;
}

/**
 * Whether segments a-b and c-d properly cross: each passes strictly through the other's interior.
 * Touching at an end, a T-junction and collinear overlap are not crossings.
 */
export function segmentsCross(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): boolean {
  if (Math.max(ax, bx) < Math.min(cx, dx) || Math.max(cx, dx) < Math.min(ax, bx)) return false;
  if (Math.max(ay, by) < Math.min(cy, dy) || Math.max(cy, dy) < Math.min(ay, by)) return false;
  const c = side(ax, ay, bx, by, cx, cy);
  const d = side(ax, ay, bx, by, dx, dy);
  if (!((c > 0 && d < 0) || (c < 0 && d > 0))) return false;
  const a = side(cx, cy, dx, dy, ax, ay);
  const b = side(cx, cy, dx, dy, bx, by);
  return (a > 0 && b < 0) || (a < 0 && b > 0);
}

/** Whether two non-adjacent edges of a closed ring properly cross. */
export function ringSelfIntersects(ring: Ring): boolean {
  const edges = ring.length - 1;
  for (let i = 0; i < edges - 2; i++) {
    const ax = ring[i][0];
    const ay = ring[i][1];
    const bx = ring[i + 1][0];
    const by = ring[i + 1][1];
    // The first and last edges share the closing vertex, so they are adjacent too.
    const last = i === 0 ? edges - 1 : edges;
    for (let j = i + 2; j < last; j++) {
      const c = ring[j];
      const d = ring[j + 1];
      if (segmentsCross(ax, ay, bx, by, c[0], c[1], d[0], d[1])) return true;
    }
  }
  return false;
}

/**
 * A point strictly inside a polygon, found on a horizontal line between its two lowest distinct
 * vertex latitudes; undefined for a degenerate polygon.
 */
export function interiorPoint(polygon: GeoJsonPolygon): [number, number] | undefined {
  const latitudes = [...new Set(polygon.coordinates.flatMap((ring) => ring.map((p) => p[1])))].sort(
    (a, b) => a - b,
  );
  for (let k = 0; k + 1 < latitudes.length; k++) {
    const lat = (latitudes[k] + latitudes[k + 1]) / 2;
    const crossings: number[] = [];
    for (const ring of polygon.coordinates) {
      for (let e = 0; e < ring.length - 1; e++) {
        const [x0, y0] = ring[e];
        const [x1, y1] = ring[e + 1];
        if (y0 > lat === y1 > lat) continue;
        crossings.push(x0 + ((lat - y0) * (x1 - x0)) / (y1 - y0));
      }
    }
    crossings.sort((a, b) => a - b);
    // Even-odd: the first span between crossings is inside; take the widest inside span.
    let best: [number, number] | undefined;
    let width = 0;
    for (let c = 0; c + 1 < crossings.length; c += 2) {
      if (crossings[c + 1] - crossings[c] > width) {
        width = crossings[c + 1] - crossings[c];
        best = [(crossings[c] + crossings[c + 1]) / 2, lat];
      }
    }
    if (best && width > 2 * GEOMETRY_EPSILON) return best;
  }
  return undefined;
}

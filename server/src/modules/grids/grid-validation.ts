import Flatbush from "flatbush";
import type { GeoJsonPolygon } from "../../db/schema.ts";
import {
  type BBox,
  GEOMETRY_EPSILON,
  type PointLocation,
  interiorPoint,
  isRingClosed,
  locatePoint,
  pointOnSegment,
  polygonArea,
  polygonBBox,
  ringSelfIntersects,
  segmentsCross,
} from "./geometry.ts";

/** Stable codes of the problems `validateGrids` reports. */
export type GridProblemCode =
  | "invalid_code"
  | "duplicate_code"
  | "invalid_geometry"
  | "ring_not_closed"
  | "out_of_range"
  | "self_intersection"
  | "unknown_community"
  | "outside_community"
  | "overlap"
  | "gap";

/** Why a geometry is not a usable GeoJSON polygon. */
export type GeometryFault = "missing" | "not_polygon" | "no_rings" | "short_ring" | "not_position" | "non_finite";

/**
 * The facts of a problem, for a screen to say it in its reader's language: the grid (and its name
 * as the file gives it), the other grid of an overlap, the community, how often a code repeats,
 * what is wrong with a geometry, and how much of a community its grids cover.
 */
export type GridProblemDetails = {
  gridCode?: string;
  gridName?: string;
  otherGridCode?: string;
  communityCode?: string;
  count?: number;
  fault?: GeometryFault;
  geometryType?: string;
  coveredPercent?: number;
};

/** One problem, with the codes of the grids involved; `message` says it in English, `details` hold its facts. */
export type GridProblem = { code: GridProblemCode; gridCodes: string[]; message: string; details: GridProblemDetails };

/** A grid as read from an import file: the geometry is not trusted yet. */
export type GridInput = { code: string; name?: string; geometry: unknown };

/** Relative shortfall of a community's grid area, beyond which its grids leave a gap. */
export const GAP_TOLERANCE = 1e-6;

const GRID_CODE = /^\d{15}$/;

// A grid whose geometry passed the structural checks.
type Shape = {
  code: string;
  label: string;
  about: GridProblemDetails;
  polygon: GeoJsonPolygon;
  bbox: BBox;
  interior: [number, number] | undefined;
};

/**
 * Checks a set of unit grids against each other and against their communities (keyed by 12-digit
 * code). Returns the problems found, in input order, then overlaps, then gaps; empty when valid.
 * A grid with a broken geometry is reported once and left out of the later checks.
 */
export function validateGrids(
  grids: readonly GridInput[],
  communities: ReadonlyMap<string, GeoJsonPolygon>,
): GridProblem[] {
  const problems: GridProblem[] = [];
  const report = (code: GridProblemCode, gridCodes: string[], message: string, details: GridProblemDetails) =>
    problems.push({ code, gridCodes, message, details });

  const occurrences = new Map<string, number>();
  for (const grid of grids) occurrences.set(grid.code, (occurrences.get(grid.code) ?? 0) + 1);
  const reportedDuplicates = new Set<string>();

  const shapes: Shape[] = [];
  // Grids per community named by their code, and communities whose area sum cannot be trusted.
  const gridsByCommunity = new Map<string, Shape[]>();
  const unreliable = new Set<string>();

  for (const grid of grids) {
    const code = String(grid.code);
    const label = grid.name ? `${code} (${grid.name})` : code;
    const about: GridProblemDetails = grid.name ? { gridCode: code, gridName: grid.name } : { gridCode: code };
    const codeValid = GRID_CODE.test(code);
    const communityCode = codeValid ? code.slice(0, 12) : undefined;
    const community = communityCode === undefined ? undefined : communities.get(communityCode);

    if (!codeValid) report("invalid_code", [code], `grid code ${label} is not 15 digits`, about);
    const count = occurrences.get(grid.code) ?? 0;
    if (count > 1 && !reportedDuplicates.has(code)) {
      reportedDuplicates.add(code);
      report("duplicate_code", [code], `grid code ${label} appears ${count} times`, { ...about, count });
    }
    if (codeValid && !community) {
      report("unknown_community", [code], `grid ${label} names community ${communityCode}, which does not exist`, { ...about, communityCode });
    }

    const invalid = structuralProblem(grid.geometry);
    if (invalid) {
      report("invalid_geometry", [code], `grid ${label}: ${invalid.message}`, { ...about, fault: invalid.fault, ...(invalid.geometryType ? { geometryType: invalid.geometryType } : {}) });
      if (communityCode) unreliable.add(communityCode);
      continue;
    }
    const polygon = grid.geometry as GeoJsonPolygon;
    if (!polygon.coordinates.every(isRingClosed)) {
      report("ring_not_closed", [code], `grid ${label}: a ring does not end where it starts`, about);
      if (communityCode) unreliable.add(communityCode);
      continue;
    }
    const bbox = polygonBBox(polygon);
    if (bbox[0] < -180 || bbox[2] > 180 || bbox[1] < -90 || bbox[3] > 90) {
      report("out_of_range", [code], `grid ${label}: coordinates outside longitude [-180, 180] or latitude [-90, 90]`, about);
      if (communityCode) unreliable.add(communityCode);
      continue;
    }
    if (ringSelfIntersects(polygon.coordinates[0])) {
      report("self_intersection", [code], `grid ${label}: the outer ring crosses itself`, about);
      if (communityCode) unreliable.add(communityCode);
      continue;
    }

    const shape: Shape = { code, label, about, polygon, bbox, interior: interiorPoint(polygon) };
    shapes.push(shape);
    if (communityCode && community) {
      if (leavesCommunity(shape, community)) {
        report("outside_community", [code], `grid ${label} is not entirely inside community ${communityCode}`, { ...about, communityCode });
        unreliable.add(communityCode);
      }
      const members = gridsByCommunity.get(communityCode);
      if (members) members.push(shape);
      else gridsByCommunity.set(communityCode, [shape]);
    }
  }

  if (shapes.length > 0) {
    const tree = new Flatbush(shapes.length);
    for (const { bbox } of shapes) tree.add(bbox[0], bbox[1], bbox[2], bbox[3]);
    tree.finish();
    for (let i = 0; i < shapes.length; i++) {
      const a = shapes[i];
      for (const j of tree.search(a.bbox[0], a.bbox[1], a.bbox[2], a.bbox[3])) {
        if (j <= i) continue;
        const b = shapes[j];
        // Boxes that merely touch cannot hold overlapping interiors.
        const width = Math.min(a.bbox[2], b.bbox[2]) - Math.max(a.bbox[0], b.bbox[0]);
        const height = Math.min(a.bbox[3], b.bbox[3]) - Math.max(a.bbox[1], b.bbox[1]);
        if (width <= GEOMETRY_EPSILON || height <= GEOMETRY_EPSILON) continue;
        if (!interiorsOverlap(a, b)) continue;
        report("overlap", [a.code, b.code], `grids ${a.label} and ${b.label} overlap`, { ...a.about, otherGridCode: b.code });
        unreliable.add(a.code.slice(0, 12));
        unreliable.add(b.code.slice(0, 12));
      }
    }
  }

  for (const [communityCode, members] of gridsByCommunity) {
    if (unreliable.has(communityCode)) continue;
    const community = communities.get(communityCode);
    if (!community) continue;
    const communityArea = polygonArea(community);
    const covered = members.reduce((sum, shape) => sum + polygonArea(shape.polygon), 0);
    if (covered < communityArea * (1 - GAP_TOLERANCE)) {
      const codes = members.map((shape) => shape.code);
      const share = ((covered / communityArea) * 100).toFixed(4);
      report("gap", codes, `community ${communityCode}: grids ${codes.join(", ")} cover only ${share}% of its area`, {
        communityCode,
        coveredPercent: Number(share),
      });
    }
  }
  return problems;
}

type StructuralProblem = { fault: GeometryFault; message: string; geometryType?: string };

// Why a value is not a usable GeoJSON polygon, or undefined when it is.
function structuralProblem(geometry: unknown): StructuralProblem | undefined {
  if (typeof geometry !== "object" || geometry === null) return { fault: "missing", message: "the geometry is missing" };
  const { type, coordinates } = geometry as { type?: unknown; coordinates?: unknown };
  if (type !== "Polygon") return { fault: "not_polygon", message: `the geometry is a ${String(type)}, not a Polygon`, geometryType: String(type).slice(0, 40) };
  if (!Array.isArray(coordinates) || coordinates.length === 0) return { fault: "no_rings", message: "the polygon has no rings" };
  for (const ring of coordinates) {
    if (!Array.isArray(ring) || ring.length < 4) return { fault: "short_ring", message: "a ring has fewer than 4 positions" };
    for (const position of ring) {
      if (!Array.isArray(position) || position.length < 2) return { fault: "not_position", message: "a position is not [lng, lat]" };
      if (!position.every((value) => typeof value === "number" && Number.isFinite(value))) {
        return { fault: "non_finite", message: "a position holds a non-finite number" };
      }
    }
  }
  return undefined;
}

// Whether part of the grid lies outside its community. Vertices on the community's boundary are
// expected, since grids share the community's edges.
function leavesCommunity(shape: Shape, community: GeoJsonPolygon): boolean {
  const area = polygonBBox(community);
  const e = GEOMETRY_EPSILON;
  const { bbox, polygon } = shape;
  if (bbox[0] < area[0] - e || bbox[1] < area[1] - e || bbox[2] > area[2] + e || bbox[3] > area[3] + e) return true;
  if (verticesIn(polygon, community, area, "outside")) return true;
  return edgesCross(polygon, community, area) || boundaryReaches(polygon, community, area, "outside");
}

// Whether the interiors of two grids share an area.
function interiorsOverlap(a: Shape, b: Shape): boolean {
  if (edgesCross(a.polygon, b.polygon, b.bbox)) return true;
  if (verticesIn(a.polygon, b.polygon, b.bbox, "inside") || verticesIn(b.polygon, a.polygon, a.bbox, "inside")) {
    return true;
  }
  if (
    boundaryReaches(a.polygon, b.polygon, b.bbox, "inside") ||
    boundaryReaches(b.polygon, a.polygon, a.bbox, "inside")
  ) {
    return true;
  }
  // Neither boundary enters the other's interior: the interiors are disjoint or identical.
  return a.interior !== undefined && locatePoint(b.polygon, a.interior[0], a.interior[1]) === "inside";
}

// Whether a vertex of `a` lies in the given region of `b` (whose bounding box is `box`).
function verticesIn(a: GeoJsonPolygon, b: GeoJsonPolygon, box: BBox, region: PointLocation): boolean {
  for (const ring of a.coordinates) {
    for (const position of ring) {
      const x = position[0];
      const y = position[1];
      if (region !== "outside" && (x < box[0] || x > box[2] || y < box[1] || y > box[3])) continue;
      if (locatePoint(b, x, y) === region) return true;
    }
  }
  return false;
}

// Whether an edge of `a` properly crosses an edge of `b` (whose bounding box is `box`).
function edgesCross(a: GeoJsonPolygon, b: GeoJsonPolygon, box: BBox): boolean {
  for (const ringA of a.coordinates) {
    for (let i = 0; i < ringA.length - 1; i++) {
      const ax = ringA[i][0];
      const ay = ringA[i][1];
      const bx = ringA[i + 1][0];
      const by = ringA[i + 1][1];
      if (!edgeMeetsBox(ax, ay, bx, by, box)) continue;
      for (const ringB of b.coordinates) {
        for (let j = 0; j < ringB.length - 1; j++) {
          const c = ringB[j];
          const d = ringB[j + 1];
          if (segmentsCross(ax, ay, bx, by, c[0], c[1], d[0], d[1])) return true;
        }
      }
    }
  }
  return false;
}

/**
 * Whether some stretch of `a`'s boundary lies in the given region of `b` (whose bounding box is
 * `box`). Each edge of `a` is cut at the vertices of `b` lying on it; with no proper crossing,
 * each piece is then wholly inside, outside or on the boundary of `b`, so its midpoint tells which.
 */
function boundaryReaches(a: GeoJsonPolygon, b: GeoJsonPolygon, box: BBox, region: PointLocation): boolean {
  for (const ring of a.coordinates) {
    for (let i = 0; i < ring.length - 1; i++) {
      const px = ring[i][0];
      const py = ring[i][1];
      const qx = ring[i + 1][0];
      const qy = ring[i + 1][1];
      // An edge clear of b's box is wholly outside b.
      if (!edgeMeetsBox(px, py, qx, qy, box)) {
        if (region === "outside") return true;
        continue;
      }
      const dx = qx - px;
      const dy = qy - py;
      const lengthSquared = dx * dx + dy * dy;
      if (lengthSquared === 0) continue;
      const cuts = [0, 1];
      for (const ringB of b.coordinates) {
        for (let k = 0; k < ringB.length - 1; k++) {
          const vx = ringB[k][0];
          const vy = ringB[k][1];
          if (!pointOnSegment(vx, vy, px, py, qx, qy)) continue;
          const t = ((vx - px) * dx + (vy - py) * dy) / lengthSquared;
          if (t > 0 && t < 1) cuts.push(t);
        }
      }
      cuts.sort((s, t) => s - t);
      const length = Math.sqrt(lengthSquared);
      for (let k = 0; k + 1 < cuts.length; k++) {
        // A piece within the tolerance of its ends says nothing reliable.
        if ((cuts[k + 1] - cuts[k]) * length <= 4 * GEOMETRY_EPSILON) continue;
        const t = (cuts[k] + cuts[k + 1]) / 2;
        if (locatePoint(b, px + t * dx, py + t * dy) === region) return true;
      }
    }
  }
  return false;
}

// Whether the bounding box of segment a-b meets `box`, with the tolerance.
function edgeMeetsBox(ax: number, ay: number, bx: number, by: number, box: BBox): boolean {
  const e = GEOMETRY_EPSILON;
  return (
    Math.max(ax, bx) >= box[0] - e &&
    Math.min(ax, bx) <= box[2] + e &&
    Math.max(ay, by) >= box[1] - e &&
    Math.min(ay, by) <= box[3] + e
  );
}

import type { GeoJsonPolygon } from "../../db/schema.ts";

/** A street (街道) to lay out. */
export type DemoStreetInput = { code: string; name: string };
/** A community (社区/村) to lay out inside its street. */
export type DemoCommunityInput = { code: string; name: string; streetCode: string };
/** A unit grid: 12-digit community code + 3-digit sequence. */
export type DemoGrid = { code: string; name: string; communityCode: string; geometry: GeoJsonPolygon };
/** A courtyard (居民小组): community code + 3 digits. */
export type DemoCourtyard = { code: string; name: string; communityCode: string; lat: number; lng: number };
/** A building: courtyard code + 3 digits. */
export type DemoBuilding = { code: string; name: string; courtyardCode: string; lat: number; lng: number };
/** The generated geography; polygons are counter-clockwise and share their vertices exactly. */
export type DemoGeometry = {
  district: GeoJsonPolygon;
  streets: Map<string, GeoJsonPolygon>;
  communities: Map<string, GeoJsonPolygon>;
  grids: DemoGrid[];
  courtyards: DemoCourtyard[];
  buildings: DemoBuilding[];
};

/** Bounds of the district: about Panlong's extent. */
export const DEMO_DISTRICT_BOUNDS = { west: 102.7, south: 25.04, east: 102.95, north: 25.45 } as const;

// Cells of the vertex lattice: the urban rows are about 300 m high, the rural ones about 1 km.
const COLUMNS = 56;
const URBAN_ROWS = 48;
const RURAL_ROWS = 30;
const ROWS = URBAN_ROWS + RURAL_ROWS;
const URBAN_NORTH = 25.17;

// The district's west and east edges, [lat, lng] control points from south to north: narrow over
// the city in the south, wide over the mountains in the north.
const WEST_EDGE: [number, number][] = [
  [25.04, 102.712], [25.07, 102.702], [25.11, 102.707], [25.17, 102.717],
  [25.23, 102.709], [25.31, 102.702], [25.39, 102.713], [25.45, 102.738],
];
const EAST_EDGE: [number, number][] = [
  [25.04, 102.79], [25.08, 102.806], [25.13, 102.824], [25.17, 102.848],
  [25.24, 102.893], [25.31, 102.928], [25.38, 102.944], [25.45, 102.921],
];

// Street bands from south to north, each listing streets (by rank in code order) from west to
// east: 拓东 鼓楼 东华 | 联盟 金辰 青云 | 龙泉 茨坝 (urban); 双龙 松华 | 阿子营 滇源 (rural).
const URBAN_BANDS = [[0, 1, 2], [3, 4, 5], [6, 7]];
const RURAL_BANDS = [[8, 9], [11, 10]];
const STREET_COUNT = 12;

// Grids per community, and the total aimed at (Panlong has 620 grids).
const URBAN_GRIDS = [5, 9] as const;
const RURAL_GRIDS = [2, 5] as const;
const TARGET_GRIDS = 620;

// Largest vertex jitter as a share of the distance to the nearest lattice neighbour.
const JITTER = 0.2;

type Rect = { i0: number; j0: number; i1: number; j1: number };
type Random = () => number;

/** mulberry32: a small deterministic PRNG returning numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Generates a synthetic but plausible geography of Panlong district for demos: a jittered vertex
 * lattice, cut into nested index rectangles (streets, then communities, then grids), so that
 * communities tile their street and grids tile their community exactly. The same inputs and seed
 * always give the same output. Expects the district's 12 streets (urban ones first in code order).
 */
export function generateDemoGeometry(
  streets: readonly DemoStreetInput[],
  communities: readonly DemoCommunityInput[],
  seed: number,
): DemoGeometry {
  if (streets.length !== STREET_COUNT) {
    throw new Error(`expected ${STREET_COUNT} streets, got ${streets.length}`);
  }
  const random = mulberry32(seed);
  const streetsInOrder = [...streets].sort((a, b) => a.code.localeCompare(b.code));
  const urbanStreets = new Set(URBAN_BANDS.flat().map((rank) => streetsInOrder[rank].code));
  const communitiesByStreet = new Map<string, DemoCommunityInput[]>(streetsInOrder.map((s) => [s.code, []]));
  for (const community of [...communities].sort((a, b) => a.code.localeCompare(b.code))) {
    const members = communitiesByStreet.get(community.streetCode);
    if (!members) throw new Error(`community ${community.code} names unknown street ${community.streetCode}`);
    members.push(community);
  }
  for (const [code, members] of communitiesByStreet) {
    if (members.length === 0) throw new Error(`street ${code} has no communities`);
  }

  const gridCounts = countGrids(communities, urbanStreets, random);
  const lattice = buildLattice(random);
  const streetWeight = (rank: number) =>
    communitiesByStreet.get(streetsInOrder[rank].code)!.reduce((sum, c) => sum + gridCounts.get(c.code)!, 0);

  const streetRects = new Map<string, Rect>();
  const layBands = (bands: number[][], j0: number, j1: number) => {
    const rows = splitLength(j1 - j0, bands.map((band) => sum(band.map(streetWeight))), random, 0.1);
    bands.forEach((band, b) => {
      const columns = splitLength(COLUMNS, band.map(streetWeight), random, 0.1);
      band.forEach((rank, s) => {
        streetRects.set(streetsInOrder[rank].code, {
          i0: columns[s], i1: columns[s + 1], j0: j0 + rows[b], j1: j0 + rows[b + 1],
        });
      });
    });
  };
  layBands(URBAN_BANDS, 0, URBAN_ROWS);
  layBands(RURAL_BANDS, URBAN_ROWS, ROWS);

  const result: DemoGeometry = {
    district: lattice.polygon({ i0: 0, j0: 0, i1: COLUMNS, j1: ROWS }),
    streets: new Map(),
    communities: new Map(),
    grids: [],
    courtyards: [],
    buildings: [],
  };
  for (const street of streetsInOrder) {
    const streetRect = streetRects.get(street.code)!;
    result.streets.set(street.code, lattice.polygon(streetRect));
    const members = communitiesByStreet.get(street.code)!;
    const needs = members.map((c) => gridCounts.get(c.code)!);
    let rects = sliceLayout(streetRect, needs, random, 0.2, lattice);
    // Noise may starve a community of cells; the plain proportional layout leaves enough.
    if (rects.some((rect, k) => cellCount(rect) < needs[k])) rects = sliceLayout(streetRect, needs, random, 0, lattice);
    if (rects.some((rect, k) => cellCount(rect) < needs[k])) throw new Error(`street ${street.code} is too small`);

    members.forEach((community, k) => {
      const rect = rects[k];
      const base = community.name.replace(/(居委会|村委会)$/, "");
      result.communities.set(community.code, lattice.polygon(rect));
      const gridRects = sliceLayout(rect, new Array<number>(needs[k]).fill(1), random, 0.3, lattice);
      gridRects.forEach((gridRect, g) => {
        result.grids.push({
          code: community.code + sequence(g + 1),
          name: `${base}第${g + 1}网格`,
          communityCode: community.code,
          geometry: lattice.polygon(gridRect),
        });
      });
      placeCourtyards(community, base, rect, lattice, random, result);
    });
  }
  return result;
}

// Grids per community within the urban or rural range, summing to the target where possible.
function countGrids(
  communities: readonly DemoCommunityInput[],
  urbanStreets: ReadonlySet<string>,
  random: Random,
): Map<string, number> {
  const ranges = communities.map((c) => (urbanStreets.has(c.streetCode) ? URBAN_GRIDS : RURAL_GRIDS));
  const counts = ranges.map(([low, high]) => low + Math.floor(random() * (high - low + 1)));
  const target = Math.min(
    Math.max(TARGET_GRIDS, sum(ranges.map((range) => range[0]))),
    sum(ranges.map((range) => range[1])),
  );
  let total = sum(counts);
  while (total !== target) {
    const k = Math.floor(random() * counts.length);
    if (total < target && counts[k] < ranges[k][1]) {
      counts[k]++;
      total++;
    } else if (total > target && counts[k] > ranges[k][0]) {
      counts[k]--;
      total--;
    }
  }
  return new Map(communities.map((c, k) => [c.code, counts[k]]));
}

type Lattice = {
  x: Float64Array;
  y: Float64Array;
  baseX: Float64Array;
  baseY: Float64Array;
  polygon(rect: Rect): GeoJsonPolygon;
};

const vertex = (i: number, j: number) => j * (COLUMNS + 1) + i;
const round7 = (value: number) => Math.round(value * 1e7) / 1e7;

function rowLatitude(j: number): number {
  const { south, north } = DEMO_DISTRICT_BOUNDS;
  if (j <= URBAN_ROWS) return south + (j * (URBAN_NORTH - south)) / URBAN_ROWS;
  return URBAN_NORTH + ((j - URBAN_ROWS) * (north - URBAN_NORTH)) / RURAL_ROWS;
}

// Edge longitude at a latitude: the control polyline plus a small fixed wiggle, kept in bounds.
function edgeLongitude(edge: [number, number][], lat: number, phase: number): number {
  let k = 0;
  while (k < edge.length - 2 && lat > edge[k + 1][0]) k++;
  const [lat0, lng0] = edge[k];
  const [lat1, lng1] = edge[k + 1];
  const lng = lng0 + ((lat - lat0) * (lng1 - lng0)) / (lat1 - lat0);
  const wiggle = 0.0025 * Math.sin(lat * 173 + phase) + 0.0012 * Math.sin(lat * 411 + 2 * phase);
  const { west, east } = DEMO_DISTRICT_BOUNDS;
  return Math.min(east, Math.max(west, lng + wiggle));
}

function buildLattice(random: Random): Lattice {
  const size = (COLUMNS + 1) * (ROWS + 1);
  const baseX = new Float64Array(size);
  const baseY = new Float64Array(size);
  for (let j = 0; j <= ROWS; j++) {
    const lat = rowLatitude(j);
    const west = edgeLongitude(WEST_EDGE, lat, 0);
    const east = edgeLongitude(EAST_EDGE, lat, 1.7);
    for (let i = 0; i <= COLUMNS; i++) {
      baseX[vertex(i, j)] = round7(west + ((east - west) * i) / COLUMNS);
      baseY[vertex(i, j)] = round7(lat);
    }
  }

  // Jitter offsets: interior vertices move freely; those on the south and north edges only
  // along them; those on the west and east edges stay, so the outline is the edge polylines.
  const offsetX = new Float64Array(size);
  const offsetY = new Float64Array(size);
  for (let j = 0; j <= ROWS; j++) {
    for (let i = 1; i < COLUMNS; i++) {
      const v = vertex(i, j);
      const dx = Math.min(baseX[v] - baseX[v - 1], baseX[v + 1] - baseX[v]);
      offsetX[v] = JITTER * dx * (2 * random() - 1);
      if (j === 0 || j === ROWS) continue;
      const dy = Math.min(rowLatitude(j) - rowLatitude(j - 1), rowLatitude(j + 1) - rowLatitude(j));
      offsetY[v] = JITTER * dy * (2 * random() - 1);
    }
  }

  const x = new Float64Array(size);
  const y = new Float64Array(size);
  const place = (v: number, scale: number) => {
    x[v] = round7(baseX[v] + scale * offsetX[v]);
    y[v] = round7(baseY[v] + scale * offsetY[v]);
  };
  const scales = new Float64Array(size).fill(1);
  for (let v = 0; v < size; v++) place(v, 1);
  // Every cell must stay a strictly convex counter-clockwise quadrilateral: then the cells tile
  // the district, every ring along cell edges is simple, and cell interiors are safe for points.
  for (let pass = 0; pass < 40; pass++) {
    const bad = nonConvexCellVertices(x, y);
    if (bad.size === 0) break;
    for (const v of bad) {
      scales[v] = pass === 39 ? 0 : scales[v] / 2;
      place(v, scales[v]);
    }
  }

  const position = (i: number, j: number) => [x[vertex(i, j)], y[vertex(i, j)]];
  return {
    x,
    y,
    baseX,
    baseY,
    // Walks every lattice vertex of the rectangle's perimeter, counter-clockwise, so neighbours
    // share identical vertices even where three polygons meet.
    polygon({ i0, j0, i1, j1 }: Rect): GeoJsonPolygon {
      const ring: number[][] = [];
      for (let i = i0; i < i1; i++) ring.push(position(i, j0));
      for (let j = j0; j < j1; j++) ring.push(position(i1, j));
      for (let i = i1; i > i0; i--) ring.push(position(i, j1));
      for (let j = j1; j > j0; j--) ring.push(position(i0, j));
      ring.push(position(i0, j0));
      return { type: "Polygon", coordinates: [ring] };
    },
  };
}

function nonConvexCellVertices(x: Float64Array, y: Float64Array): Set<number> {
  const bad = new Set<number>();
  for (let j = 0; j < ROWS; j++) {
    for (let i = 0; i < COLUMNS; i++) {
      const corners = [vertex(i, j), vertex(i + 1, j), vertex(i + 1, j + 1), vertex(i, j + 1)];
      for (let k = 0; k < 4; k++) {
        const a = corners[k];
        const b = corners[(k + 1) % 4];
        const c = corners[(k + 2) % 4];
        const turn = (x[b] - x[a]) * (y[c] - y[b]) - (y[b] - y[a]) * (x[c] - x[b]);
        if (turn <= 0) {
          for (const v of corners) bad.add(v);
          break;
        }
      }
    }
  }
  return bad;
}

// Cuts a length into parts of at least 1, about proportional to the (noisy) weights; returns the
// k + 1 cut positions from 0 to length.
function splitLength(length: number, weights: readonly number[], random: Random, noise: number): number[] {
  const k = weights.length;
  if (length < k) throw new Error(`cannot cut ${length} cells into ${k} parts`);
  const noisy = weights.map((w) => w * (1 + noise * (2 * random() - 1)));
  const total = sum(noisy);
  const cuts = [0];
  let accumulated = 0;
  for (let t = 1; t < k; t++) {
    accumulated += noisy[t - 1];
    const cut = Math.round((length * accumulated) / total);
    cuts.push(Math.min(Math.max(cut, cuts[t - 1] + 1), length - (k - t)));
  }
  cuts.push(length);
  return cuts;
}

/**
 * Lays items out in a rectangle as parallel bands of consecutive items, choosing the direction
 * and the number of bands whose items come out closest to square on the ground.
 */
function sliceLayout(rect: Rect, weights: readonly number[], random: Random, noise: number, lattice: Lattice): Rect[] {
  const n = weights.length;
  const width = rect.i1 - rect.i0;
  const height = rect.j1 - rect.j0;
  const middle = vertex(rect.i0, Math.round((rect.j0 + rect.j1) / 2));
  const groundWidth =
    (lattice.baseX[middle + width] - lattice.baseX[middle]) * Math.cos((lattice.baseY[middle] * Math.PI) / 180);
  const groundHeight = rowLatitude(rect.j1) - rowLatitude(rect.j0);

  let best: { rows: boolean; bands: number; badness: number } | undefined;
  for (const rows of [true, false]) {
    const along = rows ? height : width;
    const across = rows ? width : height;
    for (let bands = 1; bands <= Math.min(along, n); bands++) {
      if (Math.ceil(n / bands) > across) continue;
      const itemWidth = rows ? groundWidth / (n / bands) : groundWidth / bands;
      const itemHeight = rows ? groundHeight / bands : groundHeight / (n / bands);
      const badness = Math.abs(Math.log(itemWidth / itemHeight));
      if (!best || badness < best.badness - 1e-9) best = { rows, bands, badness };
    }
  }
  if (!best) throw new Error(`cannot fit ${n} items into ${width}×${height} cells`);

  const groups: number[][] = [];
  for (let b = 0, start = 0; b < best.bands; b++) {
    const size = Math.floor(n / best.bands) + (b < n % best.bands ? 1 : 0);
    groups.push(Array.from({ length: size }, (_, t) => start + t));
    start += size;
  }
  const rects: Rect[] = [];
  const bandCuts = splitLength(best.rows ? height : width, groups.map((g) => sum(g.map((t) => weights[t]))), random, noise);
  groups.forEach((group, b) => {
    const itemCuts = splitLength(best.rows ? width : height, group.map((t) => weights[t]), random, noise);
    group.forEach((_, t) => {
      rects.push(
        best.rows
          ? { i0: rect.i0 + itemCuts[t], i1: rect.i0 + itemCuts[t + 1], j0: rect.j0 + bandCuts[b], j1: rect.j0 + bandCuts[b + 1] }
          : { i0: rect.i0 + bandCuts[b], i1: rect.i0 + bandCuts[b + 1], j0: rect.j0 + itemCuts[t], j1: rect.j0 + itemCuts[t + 1] },
      );
    });
  });
  return rects;
}

// Courtyards sit in distinct lattice cells of the community where possible, buildings around
// them in the same cell; cells are convex, so these points are strictly inside the community.
function placeCourtyards(
  community: DemoCommunityInput,
  base: string,
  rect: Rect,
  lattice: Lattice,
  random: Random,
  result: DemoGeometry,
): void {
  const cells: [number, number][] = [];
  for (let j = rect.j0; j < rect.j1; j++) for (let i = rect.i0; i < rect.i1; i++) cells.push([i, j]);
  for (let k = cells.length - 1; k > 0; k--) {
    const r = Math.floor(random() * (k + 1));
    [cells[k], cells[r]] = [cells[r], cells[k]];
  }
  const courtyardCount = 3 + Math.floor(random() * 4);
  for (let c = 0; c < courtyardCount; c++) {
    const [i, j] = cells[c % cells.length];
    const u = 0.3 + 0.4 * random();
    const v = 0.3 + 0.4 * random();
    const code = community.code + sequence(c + 1);
    const [lng, lat] = cellPoint(lattice, i, j, u, v);
    result.courtyards.push({ code, name: `${base}第${c + 1}居民小组`, communityCode: community.code, lat, lng });
    const buildingCount = 4 + Math.floor(random() * 9);
    for (let b = 0; b < buildingCount; b++) {
      const bu = clamp(u + 0.5 * (random() - 0.5), 0.08, 0.92);
      const bv = clamp(v + 0.5 * (random() - 0.5), 0.08, 0.92);
      const [bLng, bLat] = cellPoint(lattice, i, j, bu, bv);
      result.buildings.push({ code: code + sequence(b + 1), name: `${b + 1}栋`, courtyardCode: code, lat: bLat, lng: bLng });
    }
  }
}

// Bilinear point of cell (i, j) at (u, v) in (0, 1)², rounded like the vertices.
function cellPoint(lattice: Lattice, i: number, j: number, u: number, v: number): [number, number] {
  const a = vertex(i, j);
  const b = vertex(i + 1, j);
  const c = vertex(i + 1, j + 1);
  const d = vertex(i, j + 1);
  const { x, y } = lattice;
  const lng = (1 - v) * ((1 - u) * x[a] + u * x[b]) + v * ((1 - u) * x[d] + u * x[c]);
  const lat = (1 - v) * ((1 - u) * y[a] + u * y[b]) + v * ((1 - u) * y[d] + u * y[c]);
  return [round7(lng), round7(lat)];
}

const cellCount = (rect: Rect) => (rect.i1 - rect.i0) * (rect.j1 - rect.j0);
const sequence = (n: number) => String(n).padStart(3, "0");
const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

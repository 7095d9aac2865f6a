import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { GeoJsonPolygon } from "../server/src/db/schema.ts";
import { generateDemoGeometry, mulberry32 } from "../server/src/modules/demo/demo-geometry.ts";
import { pointInPolygon, polygonBBox } from "../server/src/modules/grids/geometry.ts";
import { GridIndex, type IndexedGrid } from "../server/src/modules/grids/grid-index.ts";

type Division = { code: string; name: string; areaCode?: string; streetCode?: string };

const DISTRICT = "530103";
// 6 × 6 copies of the demo district's 620 grids, side by side: 22,320 grids.
const COPIES_PER_SIDE = 6;
const SHIFT_LNG = 0.3;
const SHIFT_LAT = 0.45;
const LOOKUPS = 2_000_000;
const BRUTE_FORCE_LOOKUPS = 5_000;

function shifted(polygon: GeoJsonPolygon, dLng: number, dLat: number): GeoJsonPolygon {
  return {
    type: "Polygon",
    coordinates: polygon.coordinates.map((ring) => ring.map(([lng, lat]) => [lng + dLng, lat + dLat])),
  };
}

function syntheticGrids(): IndexedGrid[] {
  const file = new URL("../server/data/divisions-5301.json", import.meta.url);
  const divisions = JSON.parse(readFileSync(file, "utf8")) as { streets: Division[]; communities: Division[] };
  const streets = divisions.streets.filter((s) => s.areaCode === DISTRICT);
  const communities = divisions.communities
    .filter((c) => c.code.startsWith(DISTRICT))
    .map((c) => ({ code: c.code, name: c.name, streetCode: c.streetCode ?? "" }));
  const demo = generateDemoGeometry(streets, communities, 1);
  const grids: IndexedGrid[] = [];
  for (let row = 0; row < COPIES_PER_SIDE; row++) {
    for (let column = 0; column < COPIES_PER_SIDE; column++) {
      const copy = row * COPIES_PER_SIDE + column;
      for (const grid of demo.grids) {
        grids.push({
          code: `${String(copy).padStart(2, "0")}-${grid.code}`,
          geometry: shifted(grid.geometry, column * SHIFT_LNG, row * SHIFT_LAT),
        });
      }
    }
  }
  return grids;
}

// Uniform random points over the copies' bounding box, as [lng0, lat0, lng1, lat1, ...].
function randomPoints(count: number, box: [number, number, number, number], seed: number): Float64Array {
  const random = mulberry32(seed);
  const points = new Float64Array(count * 2);
  for (let k = 0; k < count; k++) {
    points[2 * k] = box[0] + random() * (box[2] - box[0]);
    points[2 * k + 1] = box[1] + random() * (box[3] - box[1]);
  }
  return points;
}

/** Measures GridIndex.locate against a linear bounding-box + point-in-polygon scan and prints the rates. */
export async function run(): Promise<void> {
  const grids = syntheticGrids();
  const boxes = grids.map((grid) => polygonBBox(grid.geometry));
  const extent: [number, number, number, number] = [
    Math.min(...boxes.map((b) => b[0])),
    Math.min(...boxes.map((b) => b[1])),
    Math.max(...boxes.map((b) => b[2])),
    Math.max(...boxes.map((b) => b[3])),
  ];

  let started = performance.now();
  const index = new GridIndex(grids);
  const buildMs = performance.now() - started;

  // Warm up the JIT on other points before timing.
  const warmup = randomPoints(200_000, extent, 7);
  for (let k = 0; k < warmup.length; k += 2) index.locate(warmup[k], warmup[k + 1]);

  const points = randomPoints(LOOKUPS, extent, 42);
  let hits = 0;
  started = performance.now();
  for (let k = 0; k < points.length; k += 2) {
    if (index.locate(points[k], points[k + 1]) !== undefined) hits++;
  }
  const indexSeconds = (performance.now() - started) / 1000;
  const indexRate = LOOKUPS / indexSeconds;

  const sample = points.subarray(0, BRUTE_FORCE_LOOKUPS * 2);
  let disagreements = 0;
  started = performance.now();
  for (let k = 0; k < sample.length; k += 2) {
    const lng = sample[k];
    const lat = sample[k + 1];
    let found: string | undefined;
    for (let g = 0; g < grids.length; g++) {
      const b = boxes[g];
      if (lng < b[0] || lng > b[2] || lat < b[1] || lat > b[3]) continue;
      if (pointInPolygon(grids[g].geometry, lng, lat)) {
        found = grids[g].code;
        break;
      }
    }
    if (found !== index.locate(lng, lat)) disagreements++;
  }
  const bruteSeconds = (performance.now() - started) / 1000;
  const bruteRate = BRUTE_FORCE_LOOKUPS / bruteSeconds;

  const format = (value: number) => Math.round(value).toLocaleString("en-US");
  console.log(`grid-locate: ${format(index.size)} grids, index built in ${buildMs.toFixed(0)} ms`);
  console.log(
    `  GridIndex.locate: ${format(LOOKUPS)} lookups in ${indexSeconds.toFixed(2)} s = ${format(indexRate)} lookups/s` +
      ` (${((hits / LOOKUPS) * 100).toFixed(1)}% inside a grid)`,
  );
  console.log(
    `  linear bbox + point-in-polygon scan: ${format(BRUTE_FORCE_LOOKUPS)} lookups in ${bruteSeconds.toFixed(2)} s` +
      ` = ${format(bruteRate)} lookups/s`,
  );
  console.log(`  speed-up: ${format(indexRate / bruteRate)}×, disagreements on the sample: ${disagreements}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}

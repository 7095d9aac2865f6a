import { describe, expect, it } from "vitest";
import type { GeoJsonPolygon } from "../../db/schema.ts";
import { type GridInput, type GridProblem, validateGrids } from "./grid-validation.ts";

const COMMUNITY = "530103001001";
const A = `${COMMUNITY}001`;
const B = `${COMMUNITY}002`;

const rect = (x0: number, y0: number, x1: number, y1: number): GeoJsonPolygon => ({
  type: "Polygon",
  coordinates: [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
});

// Around Panlong: a community of 2 × 1 hundredths of a degree, split into two unit squares.
const X = 102.7;
const Y = 25.04;
const U = 0.01;
const square = (i0: number, j0: number, i1 = i0 + 1, j1 = j0 + 1) => rect(X + i0 * U, Y + j0 * U, X + i1 * U, Y + j1 * U);
const communities = new Map([[COMMUNITY, square(0, 0, 2, 1)]]);
const westGrid: GridInput = { code: A, name: "尚义社区第1网格", geometry: square(0, 0) };
const eastGrid: GridInput = { code: B, name: "尚义社区第2网格", geometry: square(1, 0) };

const codes = (problems: GridProblem[]) => problems.map((p) => p.code);

describe("validateGrids", () => {
  it("gives each problem a stable code and the facts a screen words it from", () => {
    const overlapping = { code: B, name: "重叠网格", geometry: square(0, 0) };
    expect(validateGrids([westGrid, overlapping], communities).map(({ code, details }) => ({ code, details }))).toEqual([
      { code: "overlap", details: { gridCode: A, gridName: "尚义社区第1网格", otherGridCode: B } },
    ]);
    expect(validateGrids([westGrid], communities).map(({ code, details }) => ({ code, details }))).toEqual([
      { code: "gap", details: { communityCode: COMMUNITY, coveredPercent: 50 } },
    ]);
    const twice = validateGrids([westGrid, { ...eastGrid, code: A }], communities);
    expect(twice[0].details).toEqual({ gridCode: A, gridName: "尚义社区第1网格", count: 2 });
    const point = validateGrids([westGrid, { code: B, geometry: { type: "Point", coordinates: [X, Y] } }], communities);
    expect(point[0]).toMatchObject({ code: "invalid_geometry", details: { gridCode: B, fault: "not_polygon", geometryType: "Point" } });
    const missing = validateGrids([westGrid, { code: B, geometry: null }], communities);
    expect(missing[0].details).toEqual({ gridCode: B, fault: "missing" });
    const stranger = validateGrids([westGrid, eastGrid, { code: "530103009099001", geometry: square(5, 5) }], communities);
    expect(stranger[0].details).toEqual({ gridCode: "530103009099001", communityCode: "530103009099" });
    // The English message stays for API users.
    expect(twice[0].message).toBe(`grid code ${A} (尚义社区第1网格) appears 2 times`);
  });

  it("accepts two unit squares tiling their community", () => {
    expect(validateGrids([westGrid, eastGrid], communities)).toEqual([]);
  });

  it("accepts grids that share the community's edges and meet at T-junctions", () => {
    const halves = [
      westGrid,
      { code: B, geometry: square(1, 0, 2, 0.5) },
      { code: `${COMMUNITY}003`, geometry: square(1, 0.5, 2, 1) },
    ];
    expect(validateGrids(halves, communities)).toEqual([]);
  });

  it("reports overlapping grids", () => {
    const problems = validateGrids([westGrid, { ...eastGrid, geometry: square(0.5, 0, 2, 1) }], communities);
    expect(problems).toEqual([
      { code: "overlap", gridCodes: [A, B], message: expect.stringContaining(A), details: expect.any(Object) },
    ]);
    expect(problems[0].message).toContain(B);
  });

  it("reports identical grids and a grid inside another as overlaps", () => {
    const twin = { code: B, geometry: square(0, 0) };
    expect(codes(validateGrids([westGrid, twin], communities))).toEqual(["overlap"]);
    const inner = { code: B, geometry: square(0.25, 0.25, 0.75, 0.75) };
    expect(codes(validateGrids([westGrid, inner], communities))).toEqual(["overlap"]);
  });

  it("reports a gap with the community and its grids", () => {
    const problems = validateGrids([westGrid, { ...eastGrid, geometry: square(1, 0, 1.9, 1) }], communities);
    expect(problems).toEqual([{ code: "gap", gridCodes: [A, B], message: expect.stringContaining(COMMUNITY), details: expect.any(Object) }]);
    expect(problems[0].message).toContain(A);
  });

  it("only checks gaps of communities present in the file", () => {
    const other = new Map([...communities, ["530103001002", square(5, 5)]]);
    expect(validateGrids([westGrid, eastGrid], other)).toEqual([]);
  });

  it("reports a vertex outside the community", () => {
    const problems = validateGrids([westGrid, { ...eastGrid, geometry: square(1, 0, 2.1, 1) }], communities);
    expect(problems).toEqual([
      { code: "outside_community", gridCodes: [B], message: expect.stringContaining(COMMUNITY), details: expect.any(Object) },
    ]);
  });

  it("reports an edge crossing a concave community's boundary", () => {
    const u: GeoJsonPolygon = {
      type: "Polygon",
      coordinates: [[[0, 0], [3, 0], [3, 2], [2, 2], [2, 1], [1, 1], [1, 2], [0, 2], [0, 0]]],
    };
    const across = { code: A, geometry: rect(0, 1.5, 3, 2) };
    expect(codes(validateGrids([across], new Map([[COMMUNITY, u]])))).toEqual(["outside_community"]);
    // Vertices all on the boundary, one edge spanning the notch.
    const chord: GridInput = { code: A, geometry: { type: "Polygon", coordinates: [[[0, 2], [1, 1], [2, 1], [3, 2], [0, 2]]] } };
    expect(codes(validateGrids([chord], new Map([[COMMUNITY, u]])))).toEqual(["outside_community"]);
  });

  it("reports an open ring", () => {
    const open = { code: B, geometry: { type: "Polygon", coordinates: [square(1, 0).coordinates[0].slice(0, 4).concat([[X + U, Y + 0.5 * U]])] } };
    expect(validateGrids([westGrid, open], communities)).toEqual([
      { code: "ring_not_closed", gridCodes: [B], message: expect.stringContaining(B), details: expect.any(Object) },
    ]);
  });

  it("reports coordinates out of range", () => {
    const far = { code: B, geometry: rect(181, 0, 182, 1) };
    expect(codes(validateGrids([westGrid, far], communities))).toEqual(["out_of_range"]);
    const polar = { code: B, geometry: rect(0, 89.5, 1, 90.5) };
    expect(codes(validateGrids([westGrid, polar], communities))).toEqual(["out_of_range"]);
  });

  it("reports a duplicate code once", () => {
    const problems = validateGrids([westGrid, { ...eastGrid, code: A }], communities);
    expect(problems).toEqual([{ code: "duplicate_code", gridCodes: [A], message: expect.stringContaining(A), details: expect.any(Object) }]);
  });

  it("reports a code that is not 15 digits", () => {
    for (const bad of ["53010300100100", "5301030010010021", "53010300100100x"]) {
      const problems = validateGrids([westGrid, { ...eastGrid, code: bad }], communities);
      expect(problems[0]).toEqual({ code: "invalid_code", gridCodes: [bad], message: expect.stringContaining(bad), details: expect.any(Object) });
    }
  });

  it("reports an unknown community", () => {
    const stranger = { code: "530103009099001", geometry: square(5, 5) };
    expect(validateGrids([westGrid, eastGrid, stranger], communities)).toEqual([
      { code: "unknown_community", gridCodes: [stranger.code], message: expect.stringContaining("530103009099"), details: expect.any(Object) },
    ]);
  });

  it("reports invalid geometries", () => {
    const broken: unknown[] = [
      null,
      { type: "Point", coordinates: [X, Y] },
      { type: "Polygon", coordinates: [] },
      { type: "Polygon", coordinates: [[[X, Y], [X + U, Y], [X, Y]]] },
      { type: "Polygon", coordinates: [[[X, Y], [X + U, Y], [X + U, Number.NaN], [X, Y]]] },
      { type: "Polygon", coordinates: [[[X, Y], [X + U, Y], [X + U, "25.05"], [X, Y]]] },
    ];
    for (const geometry of broken) {
      expect(validateGrids([westGrid, { code: B, geometry }], communities)).toEqual([
        { code: "invalid_geometry", gridCodes: [B], message: expect.stringContaining(B), details: expect.any(Object) },
      ]);
    }
  });

  it("reports a self-intersecting outer ring", () => {
    const bowtie = {
      code: B,
      geometry: { type: "Polygon", coordinates: [[[X + U, Y], [X + 2 * U, Y + U], [X + 2 * U, Y], [X + U, Y + U], [X + U, Y]]] },
    };
    expect(codes(validateGrids([westGrid, bowtie], communities))).toEqual(["self_intersection"]);
  });

  it("checks many grids quickly", () => {
    // 100 × 100 unit grids over 100 communities of 10 × 10.
    const grids: GridInput[] = [];
    const many = new Map<string, GeoJsonPolygon>();
    for (let c = 0; c < 100; c++) {
      const ci = (c % 10) * 10;
      const cj = Math.floor(c / 10) * 10;
      const community = `530103${String(c).padStart(6, "0")}`;
      many.set(community, square(ci, cj, ci + 10, cj + 10));
      for (let g = 0; g < 100; g++) {
        grids.push({ code: community + String(g).padStart(3, "0"), geometry: square(ci + (g % 10), cj + Math.floor(g / 10)) });
      }
    }
    const started = performance.now();
    expect(validateGrids(grids, many)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

import gcoordModule from "gcoord";
import { sql, type Kysely } from "kysely";
import type { AppContext } from "../../context.ts";
import type { DB, GeoJsonPolygon } from "../../db/schema.ts";
import { AppError, notFound } from "../../errors.ts";
import { regionOf, writeAudit } from "../audit/audit.repository.ts";
import { codeInScope, requirePermission, type Actor } from "../auth/actor.ts";
import { maskPhone } from "../people/people.presenters.ts";
import { interiorPoint } from "./geometry.ts";
import { GridIndex } from "./grid-index.ts";
import { validateGrids, type GridProblem } from "./grid-validation.ts";
import { findAllGridsForIndex, findGrid, findGridStaff, findGridsUnder, upsertGrids } from "./grids.repository.ts";
import { readShapefileZip, type ShapefileCrs, type ShapefileOptions } from "./shapefile.ts";

type Named = { code: string; name: string };
const DISTRICT_CODE_LENGTH = 6;
export type GridLocation = { grid: Named; community: Named; street: Named };
export type Crs = "wgs84" | "gcj02" | "bd09";

// gcoord ships CommonJS; under NodeNext its default export is the module namespace.
const gcoord = gcoordModule as unknown as typeof gcoordModule.default;
const CRS = { wgs84: gcoord.WGS84, gcj02: gcoord.GCJ02, bd09: gcoord.BD09 } as const;

/** Converts a point given in any accepted coordinate system to WGS-84, the one we store. */
export function toWgs84(lng: number, lat: number, crs: Crs): [number, number] {
  if (crs === "wgs84") return [lng, lat];
  const [x, y] = gcoord.transform([lng, lat], CRS[crs], gcoord.WGS84);
  return [x, y];
}

/**
 * Point → grid in process: an R-tree over the grids' bounding boxes and an exact
 * point-in-polygon test, loaded from the database at start and after every grid import.
 */
declare module "../../context.ts" {
  interface AppParts {
    grids: GridLocator;
  }
}

export class GridLocator {
  private index = new GridIndex([]);
  private locations = new Map<string, GridLocation>();
  private polygons = new Map<string, GeoJsonPolygon>();
  /** Interior points of the grids found so far: a grid's is asked for by every report placed by its code or its name. */
  private interiors = new Map<string, [number, number] | undefined>();

  async load(db: Kysely<DB>): Promise<void> {
    const rows = await findAllGridsForIndex(db);
    this.interiors = new Map();
    this.index = new GridIndex(rows.map((row) => ({ code: row.code, geometry: row.geometry as GeoJsonPolygon })));
    this.polygons = new Map(rows.map((row) => [row.code, row.geometry as GeoJsonPolygon]));
    this.locations = new Map(
      rows.map((row) => [
        row.code,
        {
          grid: { code: row.code, name: row.name },
          community: { code: row.community_code, name: row.community_name },
          street: { code: row.street_code, name: row.street_name },
        },
      ]),
    );
  }

  get size(): number {
    return this.locations.size;
  }

  /** The box around every grid (WGS-84), or undefined without grids: where a public map opens. */
  bounds(): { west: number; south: number; east: number; north: number } | undefined {
    let west = Infinity;
    let south = Infinity;
    let east = -Infinity;
    let north = -Infinity;
    for (const polygon of this.polygons.values()) {
      for (const [lng, lat] of polygon.coordinates[0] ?? []) {
        if (lng < west) west = lng;
        if (lng > east) east = lng;
        if (lat < south) south = lat;
        if (lat > north) north = lat;
      }
    }
    return Number.isFinite(west) ? { west, south, east, north } : undefined;
  }

  /** A point strictly inside the grid, [lng, lat], for cases reported by grid code alone. */
  interiorPoint(code: string): [number, number] | undefined {
    const polygon = this.polygons.get(code);
    if (!polygon) return undefined;
    if (!this.interiors.has(code)) this.interiors.set(code, interiorPoint(polygon));
    return this.interiors.get(code);
  }

  /** The grid, community and street of a WGS-84 point, or undefined outside every grid. */
  locate(lng: number, lat: number): GridLocation | undefined {
    const code = this.index.locate(lng, lat);
    return code === undefined ? undefined : this.locations.get(code);
  }
}

export function locatePoint(ctx: AppContext, lat: number, lng: number, crs: Crs): GridLocation {
  const [x, y] = toWgs84(lng, lat, crs);
  const location = ctx.grids.locate(x, y);
  if (!location) throw notFound("outside_district", "The point lies outside every grid of the district");
  return location;
}

/** The grids under a division as a GeoJSON FeatureCollection; outside the actor's scope: 404. */
export async function listGrids(ctx: AppContext, actor: Actor, divisionCode: string) {
  requirePermission(actor, "grid.read");
  if (!codeInScope(actor, divisionCode)) throw notFound("division_not_found", `No division ${divisionCode}`);
  const rows = await findGridsUnder(ctx.db, actor, divisionCode);
  if (rows.length === 0) {
    const exists = await ctx.db.selectFrom("divisions").select("code").where("code", "=", divisionCode).executeTakeFirst();
    if (!exists) throw notFound("division_not_found", `No division ${divisionCode}`);
  }
  return {
    type: "FeatureCollection" as const,
    features: rows.map((row) => ({
      type: "Feature" as const,
      id: row.code,
      geometry: row.geometry as GeoJsonPolygon,
      properties: {
        code: row.code,
        name: row.name,
        communityCode: row.community_code,
        communityName: row.community_name,
        streetCode: row.street_code,
        streetName: row.street_name,
      },
    })),
  };
}

/** One grid with the people who answer for it (1+1+1+N), phones masked. */
export async function getGrid(ctx: AppContext, actor: Actor, code: string) {
  requirePermission(actor, "grid.read");
  const grid = await findGrid(ctx.db, actor, code);
  if (!grid) throw notFound("grid_not_found", `No grid ${code}`);
  const staff = await findGridStaff(ctx.db, code);
  return {
    code: grid.code,
    name: grid.name,
    community: { code: grid.community_code, name: grid.community_name },
    street: { code: grid.street_code, name: grid.street_name },
    staff: staff.map((member) => ({
      userId: member.id,
      displayName: member.display_name,
      duty: member.duty,
      phone: maskPhone(member.phone),
    })),
  };
}

export type GridFeature = { properties?: { code?: unknown; name?: unknown } | null; geometry?: unknown };

export class GridImportError extends AppError {
  constructor(readonly problems: (Omit<GridProblem, "code"> & { code: string })[]) {
    super(422, "invalid_grids", `${problems.length} problem(s) in the grid file; nothing was loaded`, { problems });
  }
}

/** A grid import's outcome: the problems found (none when valid), and how many grids were loaded. */
export type GridImportResult = { dryRun: boolean; grids: number; problems: GridImportError["problems"] };

/** The problems of the incoming grids checked together with the stored grids they do not replace. */
async function gridProblems(db: Kysely<DB>, actor: Actor | null, incoming: { code: string; name: string; geometry: unknown }[]) {
  const codes = new Set(incoming.map((grid) => grid.code));
  const [communities, stored] = await Promise.all([
    db.selectFrom("divisions").select(["code", "geometry"]).where("level", "=", "community").execute(),
    db.selectFrom("grids").select(["code", "name", "geometry"]).execute(),
  ]);
  const polygons = new Map(communities.filter((row) => row.geometry).map((row) => [row.code, row.geometry as GeoJsonPolygon]));
  const known = new Set(communities.map((row) => row.code));
  const all = [...stored.filter((grid) => !codes.has(grid.code)), ...incoming];
  const problems: GridImportError["problems"] = validateGrids(all, polygons).filter(
    // Communities imported without a polygon cannot be checked for containment, but they exist.
    (problem) => !(problem.code === "unknown_community" && problem.gridCodes.every((code) => known.has(code.slice(0, 12)))),
  );
  // An administrator loads only the grids of their own scope.
  const outside = actor ? incoming.filter((grid) => /^\d{15}$/.test(grid.code) && !codeInScope(actor, grid.code)) : [];
  for (const grid of outside) problems.push({ code: "outside_scope", gridCodes: [grid.code], message: `grid ${grid.code} lies outside your scope`, details: { gridCode: grid.code } });
  return problems;
}

/**
 * Validates a GeoJSON FeatureCollection of grids together with the grids already stored, reporting
 * every problem by grid code. A dry run stops there; a load validates again inside its transaction
 * (the stored grids locked against a concurrent import) and loads only when there is no problem at
 * all (else 422 invalid_grids, nothing loaded). `actor` is null for the operator's command line.
 */
export async function importGrids(ctx: AppContext, collection: unknown, options: GridImportOptions = {}): Promise<GridImportResult> {
  const actor = options.actor ?? null;
  requireGridImporter(actor);
  const features = featuresOf(collection).map((feature) => (options.crs === "gcj02" ? fromGcj02(feature) : feature));
  const incoming = features.map((feature, index) => ({
    code: typeof feature.properties?.code === "string" ? feature.properties.code : `#${index + 1}`,
    name: typeof feature.properties?.name === "string" ? feature.properties.name : "",
    geometry: feature.geometry,
  }));
  if (options.dryRun) {
    const problems = await gridProblems(ctx.db, actor, incoming);
    return { dryRun: true, grids: incoming.length, problems };
  }
  const grids = incoming.map((grid) => ({
    code: grid.code,
    name: grid.name || grid.code,
    geometry: grid.geometry as GeoJsonPolygon,
    regionCode: regionOf(grid.code),
  }));
  await ctx.db.transaction().execute(async (trx) => {
    // One import at a time checks and writes: two could each be valid alone and overlap together.
    await sql`lock table grids in share row exclusive mode`.execute(trx);
    const problems = await gridProblems(trx, actor, incoming);
    if (problems.length > 0) throw new GridImportError(problems);
    await upsertGrids(trx, grids);
    await writeAudit(trx, {
      regionCode: grids[0] ? regionOf(grids[0].code) : regionOf(actor?.scopeCode ?? null),
      actorId: actor?.userId ?? null,
      action: "grid.import",
      targetType: "grid",
      targetId: null,
      details: { grids: grids.length, codes: grids.slice(0, 100).map((grid) => grid.code) },
    });
  });
  await ctx.grids.load(ctx.db);
  return { dryRun: false, grids: grids.length, problems: [] };
}

export type GridImportOptions = { actor?: Actor; dryRun?: boolean; crs?: ShapefileCrs };

/**
 * Validates and loads (unless dryRun) the grids of a zipped Shapefile: read into the same
 * FeatureCollection as a GeoJSON file, GCJ-02 points converted to WGS-84, then checked and
 * loaded as one. A file that cannot be read is refused whole with its own code.
 */
export async function importGridShapefile(ctx: AppContext, zip: Buffer, options: GridImportOptions & ShapefileOptions = {}): Promise<GridImportResult> {
  requireGridImporter(options.actor ?? null);
  const collection = await readShapefileZip(zip, options);
  return importGrids(ctx, { type: collection.type, features: collection.features }, { ...options, crs: collection.crs });
}

function requireGridImporter(actor: Actor | null): void {
  if (!actor) return;
  requirePermission(actor, "grid.write");
  if (actor.scopeCode === null || actor.scopeCode.length > DISTRICT_CODE_LENGTH) {
    throw new AppError(403, "district_scope_required", "Only an administrator of a whole district imports grids");
  }
}

/**
 * GCJ-02 to WGS-84 for boundaries: gcoord's inverse stops within 1e-6° (about 0.1 m), which leaves
 * a converted grid's edge off its community's stored edge by more than the validation's 1e-9°;
 * the same fixed-point step on gcoord's forward conversion is taken on until it stops improving.
 */
export function gcj02ToWgs84Closely(lng: number, lat: number): [number, number] {
  let [x, y] = toWgs84(lng, lat, "gcj02");
  for (let step = 0; step < 10; step++) {
    const [gx, gy] = gcoord.transform([x, y], gcoord.WGS84, gcoord.GCJ02);
    const dx = gx - lng;
    const dy = gy - lat;
    if (Math.abs(dx) < 1e-13 && Math.abs(dy) < 1e-13) break;
    x -= dx;
    y -= dy;
  }
  return [x, y];
}

// A feature's points from GCJ-02 to WGS-84, where they are numbers; anything else is left for validation to report.
function fromGcj02(feature: GridFeature): GridFeature {
  const convert = (value: unknown): unknown => {
    if (!Array.isArray(value)) return value;
    if (value.length >= 2 && typeof value[0] === "number" && typeof value[1] === "number" && Number.isFinite(value[0]) && Number.isFinite(value[1])) {
      return gcj02ToWgs84Closely(value[0], value[1]);
    }
    return value.map(convert);
  };
  if (typeof feature !== "object" || feature === null) return feature;
  const geometry = feature.geometry as { coordinates?: unknown } | null | undefined;
  if (typeof geometry !== "object" || geometry === null || !("coordinates" in geometry)) return feature;
  return { ...feature, geometry: { ...geometry, coordinates: convert(geometry.coordinates) } };
}

function featuresOf(collection: unknown): GridFeature[] {
  const value = collection as { type?: unknown; features?: unknown };
  if (!value || value.type !== "FeatureCollection" || !Array.isArray(value.features)) {
    throw new GridImportError([{ code: "invalid_file", gridCodes: [], message: "Expected a GeoJSON FeatureCollection", details: {} }]);
  }
  return value.features as GridFeature[];
}

import gcoordModule from "gcoord";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GeoJsonPolygon } from "../src/db/schema.ts";
import { createTestApp, type TestApp } from "./test-app.ts";
import { GAUSS_KRUGER_PRJ, shapefileZip, type ShapeRecord } from "./shapefile-writer.ts";
import { zipFiles } from "./zip-writer.ts";

const gcoord = gcoordModule as unknown as typeof gcoordModule.default;

/** Grids from zipped Shapefiles: read into the same features as GeoJSON, checked and loaded the same way. */
describe("grid import from zipped Shapefiles", () => {
  let t: TestApp;
  let cookie: string;
  const COMMUNITY = "530103001001";
  let originals: { code: string; name: string; geometry: GeoJsonPolygon }[];

  beforeAll(async () => {
    t = await createTestApp("demo");
    cookie = await t.login("admin");
    const rows = await t.ctx.db.selectFrom("grids").select(["code", "name", "geometry"]).where("community_code", "=", COMMUNITY).orderBy("code").execute();
    originals = rows.map((row) => ({ code: row.code, name: row.name, geometry: row.geometry as GeoJsonPolygon }));
  });
  afterAll(() => t.close());

  const send = (zip: Buffer, query = "") =>
    t.app.inject({ method: "POST", url: `/api/v1/grids/import${query}`, payload: zip, headers: { cookie, "content-type": "application/zip" } });
  const stored = async () =>
    (await t.ctx.db.selectFrom("grids").select(["code", "name", "geometry"]).where("community_code", "=", COMMUNITY).orderBy("code").execute()).map((row) => ({
      code: row.code,
      name: row.name,
      geometry: row.geometry as GeoJsonPolygon,
    }));
  const records = (grids: typeof originals, move = (p: number[]) => p): ShapeRecord[] =>
    grids.map((grid) => ({ polygons: [grid.geometry.coordinates.map((ring) => ring.map(move))], attributes: { code: grid.code, name: grid.name } }));
  const gridCount = async () => Number((await t.ctx.db.selectFrom("grids").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);

  it("loads a WGS-84 Shapefile of a community's grids as the same GeoJSON would load, audited", async () => {
    const geojson = { type: "FeatureCollection", features: originals.map((grid) => ({ type: "Feature", properties: { code: grid.code, name: grid.name }, geometry: grid.geometry })) };
    const viaGeoJson = await t.app.inject({ method: "POST", url: "/api/v1/grids/import?dryRun=true", payload: geojson, headers: { cookie } });
    expect(viaGeoJson.json()).toEqual({ dryRun: true, grids: originals.length, problems: [] });

    const zip = shapefileZip(records(originals));
    const checked = await send(zip, "?dryRun=true");
    expect(checked.statusCode, checked.body).toBe(200);
    expect(checked.json()).toEqual(viaGeoJson.json());
    const loaded = await send(zip);
    expect(loaded.statusCode, loaded.body).toBe(201);
    expect(loaded.json()).toEqual({ dryRun: false, grids: originals.length, problems: [] });
    expect(await stored()).toEqual(originals);
    const audit = await t.ctx.db.selectFrom("audit_log").select("details").where("action", "=", "grid.import").orderBy("seq", "desc").executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ grids: originals.length, codes: originals.map((grid) => grid.code) });
  });

  it("converts GCJ-02 points to WGS-84 when told, within a metre of the original", async () => {
    const toGcj = (p: number[]) => gcoord.transform([p[0], p[1]], gcoord.WGS84, gcoord.GCJ02) as number[];
    const shifted = records(originals, toGcj);
    // GCJ-02 is half a kilometre off here: said to be WGS-84, the grids leave their community.
    const unsaid = await send(shapefileZip(shifted), "?dryRun=true");
    expect(unsaid.json().problems.map((problem: { code: string }) => problem.code)).toContain("outside_community");
    const loaded = await send(shapefileZip(shifted, { prj: null }), "?crs=gcj02");
    expect(loaded.statusCode, loaded.body).toBe(201);
    const after = await stored();
    let worst = 0;
    after.forEach((grid, k) =>
      grid.geometry.coordinates.forEach((ring, r) =>
        ring.forEach((point, p) => {
          const [lng, lat] = originals[k].geometry.coordinates[r][p];
          const metres = Math.hypot((point[0] - lng) * 111_320 * Math.cos((lat * Math.PI) / 180), (point[1] - lat) * 110_574);
          worst = Math.max(worst, metres);
        }),
      ),
    );
    expect(worst).toBeLessThan(1);
    // GeoJSON in GCJ-02 is converted the same way.
    const geojson = { type: "FeatureCollection", features: shifted.map((record) => ({ type: "Feature", properties: record.attributes, geometry: { type: "Polygon", coordinates: record.polygons?.[0] } })) };
    const viaGeoJson = await t.app.inject({ method: "POST", url: "/api/v1/grids/import?dryRun=true&crs=gcj02", payload: geojson, headers: { cookie } });
    expect(viaGeoJson.json()).toEqual({ dryRun: true, grids: originals.length, problems: [] });
    // Put the originals back for the tests after.
    expect((await send(shapefileZip(records(originals)))).statusCode).toBe(201);
  });

  it("refuses a projected .prj by name, a .prj that disagrees with crs, and a zip without its .shp or .dbf", async () => {
    const before = await gridCount();
    const projected = await send(shapefileZip(records(originals), { prj: GAUSS_KRUGER_PRJ }));
    expect(projected.statusCode).toBe(422);
    expect(projected.json().error.code).toBe("projected_crs");
    expect(projected.json().error.message).toContain("CGCS2000 / 3-degree Gauss-Kruger");
    for (const part of ["shp", "dbf"] as const) {
      const missing = await send(shapefileZip(records(originals), { omit: [part] }));
      expect(missing.statusCode).toBe(422);
      expect(missing.json().error).toMatchObject({ code: "shapefile_part_missing", details: { part } });
    }
    expect((await send(shapefileZip(records(originals), { prj: null }))).json().error.code).toBe("shapefile_part_missing");
    expect(await gridCount()).toBe(before);
  });

  it("refuses a zip bomb before reading it", async () => {
    const bomb = zipFiles({ "grids.shp": Buffer.alloc(12 * 1024 * 1024), "grids.dbf": Buffer.alloc(10), "grids.shx": Buffer.alloc(100) });
    const refused = await send(bomb, "?dryRun=true");
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe("zip_bomb");
    expect(refused.json().error.message).not.toContain("workbook");
  });

  it("reads GBK names under Chinese attribute names", async () => {
    const renamed = originals.map((grid, k) => ({ polygons: [grid.geometry.coordinates], attributes: { 网格编码: grid.code, 网格名称: `尚义社区第${k + 1}网格（测绘）` } }));
    const loaded = await send(shapefileZip(renamed, { encoding: "gbk" }));
    expect(loaded.statusCode, loaded.body).toBe(201);
    expect((await stored()).map((grid) => grid.name)).toEqual(originals.map((_grid, k) => `尚义社区第${k + 1}网格（测绘）`));
    expect((await send(shapefileZip(records(originals)))).statusCode).toBe(201);
  });

  it("reports a problem in one grid by its code and loads none of them", async () => {
    const [first, ...rest] = records(originals);
    // The first grid with a self-crossing outer ring, the rest sound.
    const ring = originals[0].geometry.coordinates[0];
    const bowtie = [ring[0], ring[2], ring[1], ring[3], ring[0]];
    const broken = [{ ...first, polygons: [[bowtie]] }, ...rest];
    const names = await t.ctx.db.selectFrom("grids").select(["code", "name", "geometry"]).orderBy("code").execute();
    const checked = await send(shapefileZip(broken), "?dryRun=true");
    expect(checked.statusCode, checked.body).toBe(200);
    const problems = checked.json().problems as { code: string; gridCodes: string[] }[];
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((problem) => problem.gridCodes.includes(originals[0].code))).toBe(true);
    const refused = await send(shapefileZip(broken.map((record) => ({ ...record, attributes: { ...record.attributes, name: "改名" } }))));
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe("invalid_grids");
    expect(await t.ctx.db.selectFrom("grids").select(["code", "name", "geometry"]).orderBy("code").execute()).toEqual(names);
    // Only an administrator of the whole district, before the file is read.
    const dispatcher = await t.login("dispatcher");
    const forbidden = await t.app.inject({ method: "POST", url: "/api/v1/grids/import", payload: Buffer.from("PK"), headers: { cookie: dispatcher, "content-type": "application/zip" } });
    expect(forbidden.statusCode).toBe(403);
  });
});

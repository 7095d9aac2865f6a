import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/database.ts";
import { copyTemplate } from "./databases.ts";
import { gridgov } from "./cli.ts";
import { GAUSS_KRUGER_PRJ, shapefileZip } from "./shapefile-writer.ts";

const disposers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const dispose of disposers) await dispose();
});

async function emptyDatabase() {
  const copy = await copyTemplate("empty");
  disposers.push(copy.dispose);
  return copy.env;
}

const square = (code: string, west: number, south: number, size: number) => ({
  type: "Feature",
  properties: { code, name: `网格${code.slice(-3)}` },
  geometry: {
    type: "Polygon",
    coordinates: [[[west, south], [west + size, south], [west + size, south + size], [west, south + size], [west, south]]],
  },
});

function writeGeoJson(features: unknown[]): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-grids-")), "grids.geojson");
  fs.writeFileSync(file, JSON.stringify({ type: "FeatureCollection", features }));
  return file;
}

describe("the gridgov command", () => {
  it("imports any district of the bundled divisions file and creates the first administrator", async () => {
    const env = await emptyDatabase();
    const imported = await gridgov(["import", "divisions", "--district", "530102"], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual({ district: "530102", streets: 11, communities: expect.any(Number) });

    const created = await gridgov(["users", "create", "--username", "chief", "--roles", "admin", "--scope", "530102", "--password", "a-strong-pass"], env);
    expect(created.code, created.stderr).toBe(0);
    const listed = await gridgov(["users", "list", "--json"], env);
    expect(JSON.parse(listed.stdout)).toEqual([{ username: "chief", displayName: "chief", roles: ["admin"], scope: "530102" }]);

    const unknown = await gridgov(["import", "divisions", "--district", "999999"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown_district");
    const badScope = await gridgov(["users", "create", "--username", "x1", "--roles", "admin", "--scope", "530199", "--password", "a-strong-pass"], env);
    expect(badScope.stderr).toContain("division_not_found");
  });

  it("loads valid grids, and loads nothing when any grid is invalid, naming the grid codes", async () => {
    const env = await emptyDatabase();
    await gridgov(["import", "divisions", "--district", "530103"], env);
    const good = writeGeoJson([square("530103001001001", 102.7, 25.04, 0.01), square("530103001001002", 102.71, 25.04, 0.01)]);
    const loaded = await gridgov(["import", "grids", good], env);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(JSON.parse(loaded.stdout)).toEqual({ grids: 2 });

    const bad = writeGeoJson([
      square("530103001001003", 102.72, 25.04, 0.01),
      square("530103001001004", 102.705, 25.04, 0.01), // overlaps 001 and 002
      square("530103001001005", 202, 25.04, 0.01), // longitude out of range
    ]);
    const refused = await gridgov(["import", "grids", bad], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("invalid_grids");
    expect(refused.stderr).toContain("530103001001004");
    expect(refused.stderr).toContain("overlap");
    expect(refused.stderr).toContain("out_of_range");

    const database = await openDatabase(env.DATABASE_URL ? { kind: "postgres", url: env.DATABASE_URL } : { kind: "pglite", dataDir: env.DATA_DIR });
    try {
      const codes = await database.db.selectFrom("grids").select("code").orderBy("code").execute();
      expect(codes.map((row) => row.code)).toEqual(["530103001001001", "530103001001002"]);
    } finally {
      await database.close();
    }
  });

  it("loads grids from a zipped Shapefile with a progress line, and refuses a projected one with or without --crs", async () => {
    const env = await emptyDatabase();
    await gridgov(["import", "divisions", "--district", "530103"], env);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-shp-"));
    const records = [square("530103001001001", 102.7, 25.04, 0.01), square("530103001001002", 102.71, 25.04, 0.01)].map((feature) => ({
      polygons: [feature.geometry.coordinates],
      attributes: feature.properties,
    }));
    const wgs84 = path.join(dir, "grids.zip");
    fs.writeFileSync(wgs84, shapefileZip(records));
    const loaded = await gridgov(["import", "grids", wgs84], env);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(JSON.parse(loaded.stdout)).toEqual({ grids: 2 });
    expect(loaded.stderr).toContain("grids: read 2 shapes from grids.zip (GCS_WGS_1984; text UTF-8)");
    expect(loaded.stderr).toMatch(/grids: loaded 2 grids in \d+\.\d s/);

    const projected = path.join(dir, "projected.zip");
    fs.writeFileSync(projected, shapefileZip(records, { prj: GAUSS_KRUGER_PRJ }));
    const refused = await gridgov(["import", "grids", projected], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("projected_crs: The .prj names a projected coordinate system, CGCS2000 / 3-degree Gauss-Kruger CM 102E");
    const disagreeing = await gridgov(["import", "grids", projected, "--crs", "gcj02"], env);
    expect(disagreeing.stderr).toContain("projected_crs");
    expect((await gridgov(["import", "grids", wgs84, "--crs", "bd09"], env)).code).toBe(1);
  });

  it("refuses a file that is not GeoJSON with a clear message", async () => {
    const env = await emptyDatabase();
    const file = path.join(os.tmpdir(), `not-json-${process.pid}.geojson`);
    fs.writeFileSync(file, "{ not json");
    const result = await gridgov(["import", "grids", file], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("invalid_file");
  });

  it("seeds the demo district on demand, once", async () => {
    const env = await emptyDatabase();
    const seeded = await gridgov(["seed", "--demo"], { ...env, GRIDGOV_DEMO_PASSWORD: "seed-pass-123" });
    expect(seeded.code, seeded.stderr).toBe(0);
    const { users, grids } = JSON.parse(seeded.stdout);
    expect(grids).toBeGreaterThanOrEqual(600);
    expect(users).toBeGreaterThan(2000);
    const again = await gridgov(["seed", "--demo"], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("not_empty");
    const rebuilt = await gridgov(["rollups", "rebuild", "--region", "530103"], env);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({ rebuilt: ["530103"] });
    const bulletin = await gridgov(["bulletins", "generate", "--period", "2025-01-H2", "--region", "530103"], env);
    expect(bulletin.code, bulletin.stderr).toBe(0);
    expect(JSON.parse(bulletin.stdout)).toMatchObject({ regionCode: "530103", period: { code: "2025-01-H2", from: "2025-01-16", to: "2025-01-31" } });
    const republished = await gridgov(["bulletins", "generate", "--period", "2025-01-H2", "--region", "530103"], env);
    expect(republished.stderr).toContain("bulletin_published");
  });
});

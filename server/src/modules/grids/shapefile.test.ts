import { describe, expect, it } from "vitest";
import { AppError } from "../../errors.ts";
import { CGCS2000_PRJ, GAUSS_KRUGER_PRJ, shapefileZip } from "../../../test/shapefile-writer.ts";
import { zipFiles } from "../../../test/zip-writer.ts";
import { ringSignedArea } from "./geometry.ts";
import { readShapefileZip } from "./shapefile.ts";

const square = (x: number, y: number, size: number) => [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]];

async function refusal(work: Promise<unknown>): Promise<AppError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("readShapefileZip", () => {
  it("reads polygons with holes, outer rings counter-clockwise as GeoJSON wants, and their attributes", async () => {
    const zip = shapefileZip([
      { polygons: [[square(102.7, 25.0, 0.01), square(102.702, 25.002, 0.002)]], attributes: { code: "530103001001001", name: "第一网格" } },
      { polygons: [[square(102.71, 25.0, 0.01)], [square(102.73, 25.0, 0.01)]], attributes: { code: "530103001001002", name: "Two parts" } },
      { polygons: null, attributes: { code: "530103001001003", name: "" } },
    ]);
    const collection = await readShapefileZip(zip);
    expect(collection).toMatchObject({ type: "FeatureCollection", crs: "wgs84", prjName: "GCS_WGS_1984", encoding: "utf-8" });
    const [first, second, third] = collection.features;
    expect(first.properties).toEqual({ code: "530103001001001", name: "第一网格" });
    expect(first.geometry?.type).toBe("Polygon");
    const rings = first.geometry?.coordinates as number[][][];
    expect(rings).toHaveLength(2);
    expect(ringSignedArea(rings[0])).toBeGreaterThan(0);
    expect(ringSignedArea(rings[1])).toBeLessThan(0);
    expect(rings[0]).toContainEqual([102.7, 25.0]);
    expect(second.geometry?.type).toBe("MultiPolygon");
    expect(second.geometry?.coordinates).toHaveLength(2);
    expect(third).toMatchObject({ properties: { code: "530103001001003", name: "" }, geometry: null });
  });

  it("reads GBK text by the .cpg, or by trying UTF-8 first, and the Chinese field names", async () => {
    const records = [{ polygons: [[square(102.7, 25.0, 0.01)]], attributes: { 网格编码: "530103001001001", 网格名称: "拓东街道尚义社区第一网格" } }];
    for (const cpg of ["GBK", "936", undefined]) {
      const collection = await readShapefileZip(shapefileZip(records, { encoding: "gbk", ...(cpg ? { cpg } : {}) }));
      expect(collection.encoding).toBe("gb18030");
      expect(collection.features[0].properties).toEqual({ code: "530103001001001", name: "拓东街道尚义社区第一网格" });
    }
    const utf8 = [{ polygons: records[0].polygons, attributes: { code: "530103001001001", name: "拓东街道尚义社区第一网格" } }];
    expect((await readShapefileZip(shapefileZip(utf8, { cpg: "UTF-8" }))).features[0].properties.name).toBe("拓东街道尚义社区第一网格");
    // A .cpg that names the wrong encoding is said so.
    expect((await refusal(readShapefileZip(shapefileZip(records, { encoding: "gbk", cpg: "UTF-8" })))).code).toBe("invalid_shapefile");
  });

  it("takes the coordinate system from the .prj: CGCS2000 as WGS-84, a projected one refused by name, GCJ-02 only when said", async () => {
    const records = [{ polygons: [[square(102.7, 25.0, 0.01)]], attributes: { CODE: "530103001001001", NAME: "x" } }];
    expect(await readShapefileZip(shapefileZip(records, { prj: CGCS2000_PRJ }))).toMatchObject({ crs: "wgs84", prjName: "China Geodetic Coordinate System 2000" });
    const projected = await refusal(readShapefileZip(shapefileZip(records, { prj: GAUSS_KRUGER_PRJ })));
    expect(projected.code).toBe("projected_crs");
    expect(projected.message).toContain("CGCS2000 / 3-degree Gauss-Kruger CM 102E");
    expect((await refusal(readShapefileZip(shapefileZip(records, { prj: GAUSS_KRUGER_PRJ }), { crs: "gcj02" }))).code).toBe("projected_crs");
    expect((await readShapefileZip(shapefileZip(records), { crs: "gcj02" })).crs).toBe("gcj02");
    expect((await readShapefileZip(shapefileZip(records, { prj: null }), { crs: "gcj02" })).crs).toBe("gcj02");
    expect((await refusal(readShapefileZip(shapefileZip(records, { prj: CGCS2000_PRJ }), { crs: "gcj02" }))).code).toBe("crs_mismatch");
    const beijing = 'GEOGCS["GCS_Beijing_1954",DATUM["D_Beijing_1954",SPHEROID["Krasovsky_1940",6378245.0,298.3]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]';
    expect((await refusal(readShapefileZip(shapefileZip(records, { prj: beijing })))).code).toBe("unsupported_crs");
    expect(await refusal(readShapefileZip(shapefileZip(records, { prj: null })))).toMatchObject({ code: "shapefile_part_missing", details: { part: "prj" } });
  });

  it("refuses a zip without its .shp, .shx or .dbf, with the part named, and one of several layers", async () => {
    const records = [{ polygons: [[square(102.7, 25.0, 0.01)]], attributes: { code: "530103001001001" } }];
    for (const part of ["shp", "shx", "dbf"] as const) {
      expect(await refusal(readShapefileZip(shapefileZip(records, { omit: [part] })))).toMatchObject({ statusCode: 422, code: "shapefile_part_missing", details: { part } });
    }
    const two = zipFiles({ "a.shp": Buffer.alloc(100), "b.shp": Buffer.alloc(100) });
    expect((await refusal(readShapefileZip(two))).code).toBe("several_shapefiles");
    expect((await refusal(readShapefileZip(Buffer.from("not a zip at all, not even close to one")))).code).toBe("invalid_shapefile");
  });

  it("finds the code and name columns, or is told which", async () => {
    const records = [{ polygons: [[square(102.7, 25.0, 0.01)]], attributes: { GRID_ID: "530103001001001", code: "x", 网格编码: "y", MC: "名称" } }];
    const zip = shapefileZip(records, { encoding: "gbk" });
    expect((await refusal(readShapefileZip(zip))).code).toBe("shapefile_field_ambiguous");
    expect((await readShapefileZip(zip, { codeField: "GRID_ID", nameField: "MC" })).features[0].properties).toEqual({ code: "530103001001001", name: "名称" });
    expect((await refusal(readShapefileZip(zip, { codeField: "BM" }))).code).toBe("shapefile_field_missing");
  });

  it("refuses a zip that would inflate beyond its limits", async () => {
    const bomb = zipFiles({ "grids.shp": Buffer.alloc(20 * 1024 * 1024) });
    expect((await refusal(readShapefileZip(bomb))).code).toBe("zip_bomb");
  });
});

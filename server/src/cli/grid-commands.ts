import fs from "node:fs";
import path from "node:path";
import type { AppContext } from "../context.ts";
import { AppError } from "../errors.ts";
import { importGrids } from "../modules/grids/grids.service.ts";
import { readShapefileZip, type ShapefileCrs } from "../modules/grids/shapefile.ts";

export type GridFileOptions = { crs?: ShapefileCrs; codeField?: string; nameField?: string };

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/**
 * `gridgov import grids <file.geojson|file.zip>`: reads the file (a zipped Shapefile by its bytes,
 * else GeoJSON), then validates and loads it as one, saying each step on stderr.
 */
export async function importGridFile(ctx: AppContext, file: string, options: GridFileOptions, say: (line: string) => void): Promise<{ grids: number }> {
  const started = Date.now();
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (error) {
    throw new AppError(400, "invalid_file", `Cannot read ${file}: ${(error as Error).message}`);
  }
  let collection: unknown;
  let crs = options.crs;
  if (data.subarray(0, 4).equals(ZIP_MAGIC)) {
    const shapes = await readShapefileZip(data, options);
    crs = shapes.crs;
    const system = shapes.crs === "gcj02" ? "GCJ-02, converted to WGS-84" : (shapes.prjName ?? "WGS-84");
    say(`grids: read ${shapes.features.length} shapes from ${path.basename(file)} (${system}; text ${shapes.encoding === "utf-8" ? "UTF-8" : "GB18030"})`);
    collection = { type: shapes.type, features: shapes.features };
  } else {
    try {
      collection = JSON.parse(data.toString("utf8"));
    } catch (error) {
      throw new AppError(400, "invalid_file", `Cannot read ${file} as JSON: ${(error as Error).message}`);
    }
    const count = Array.isArray((collection as { features?: unknown } | null)?.features) ? (collection as { features: unknown[] }).features.length : 0;
    say(`grids: read ${count} features from ${path.basename(file)}`);
  }
  say("grids: checking codes, rings, communities, overlaps and gaps, then loading");
  const { grids } = await importGrids(ctx, collection, crs ? { crs } : {});
  say(`grids: loaded ${grids} grids in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { grids };
}

/**
 * A zipped ESRI Shapefile of polygons (.shp, .shx, .dbf, .prj, optionally .cpg) read into the
 * GeoJSON FeatureCollection the grid import takes. Only what grid files hold is read: polygon
 * records (with Z or M values, which are dropped), text and number attributes, and a .prj naming
 * WGS-84 or CGCS2000 geographic coordinates. No I/O.
 */
import { AppError } from "../../errors.ts";
import { unzip, type ZipLimits } from "../exchange/zip-guard.ts";
import { pointInRing, ringSignedArea } from "./geometry.ts";

type Position = [number, number];
type Ring = Position[];

/** The coordinate systems a Shapefile's points may be in; GCJ-02 only by the uploader's word. */
export type ShapefileCrs = "wgs84" | "gcj02";

export type ShapefileOptions = {
  /** The uploader's word on the coordinates; required for GCJ-02, which no .prj states. */
  crs?: ShapefileCrs;
  /** The attribute holding the grid code; by default code, CODE or 网格编码. */
  codeField?: string;
  /** The attribute holding the grid name; by default name, NAME or 网格名称. */
  nameField?: string;
};

export type ShapefileFeature = {
  type: "Feature";
  properties: { code: string | null; name: string | null };
  geometry: { type: "Polygon"; coordinates: Ring[] } | { type: "MultiPolygon"; coordinates: Ring[][] } | null;
};

/** What a zipped Shapefile held: its features, and how its coordinates and text were read. */
export type ShapefileCollection = {
  type: "FeatureCollection";
  features: ShapefileFeature[];
  /** The coordinate system the points are in (the .prj's, or the uploader's word). */
  crs: ShapefileCrs;
  /** The .prj's own name for it, e.g. "GCS_China_Geodetic_Coordinate_System_2000"; null without one. */
  prjName: string | null;
  encoding: "utf-8" | "gb18030";
};

export const SHAPEFILE_ZIP_LIMITS: ZipLimits = { maxUncompressedBytes: 256 * 1024 * 1024, maxRatio: 100, maxEntries: 100 };

const CODE_FIELDS = ["code", "CODE", "网格编码"];
const NAME_FIELDS = ["name", "NAME", "网格名称"];

const fail = (status: number, code: string, message: string, details?: unknown) => new AppError(status, code, message, details);

/** Reads a zipped Shapefile of grid polygons; refuses it whole, with a stable code, if it cannot be read. */
export async function readShapefileZip(data: Buffer, options: ShapefileOptions = {}): Promise<ShapefileCollection> {
  let entries: Map<string, Buffer>;
  try {
    entries = await unzip(data, SHAPEFILE_ZIP_LIMITS);
  } catch (error) {
    // The zip guard speaks of workbooks; here the zip is a Shapefile.
    if (error instanceof AppError && error.code === "unreadable_table") throw fail(400, "invalid_shapefile", "The file is not a readable zip file");
    if (error instanceof AppError) throw fail(error.statusCode, error.code, error.message.replace(/workbook/g, "zip"), error.details);
    throw error;
  }
  const parts = shapefileParts(entries);
  const { crs, prjName } = crsOf(parts.prj, options.crs);
  const polygons = readShp(parts.shp);
  const indexed = parts.shx.length >= 100 ? (parts.shx.length - 100) / 8 : -1;
  if (indexed !== polygons.length) throw fail(422, "invalid_shapefile", `The .shx indexes ${Math.max(indexed, 0)} shapes and the .shp holds ${polygons.length}`);
  const table = readDbf(parts.dbf, parts.cpg);
  if (polygons.length !== table.records.length) {
    throw fail(422, "invalid_shapefile", `The .shp holds ${polygons.length} shapes and the .dbf ${table.records.length} records`);
  }
  const codeField = pickField(table.fields, options.codeField, CODE_FIELDS, "code");
  const nameField = pickField(table.fields, options.nameField, NAME_FIELDS, "name");
  const features: ShapefileFeature[] = [];
  polygons.forEach((geometry, index) => {
    const record = table.records[index];
    if (record.deleted) return;
    features.push({
      type: "Feature",
      properties: { code: record.values.get(codeField) ?? null, name: nameField === null ? null : (record.values.get(nameField) ?? null) },
      geometry,
    });
  });
  return { type: "FeatureCollection", features, crs, prjName, encoding: table.encoding };
}

type Parts = { shp: Buffer; shx: Buffer; dbf: Buffer; prj: Buffer | undefined; cpg: Buffer | undefined };

// The parts of the one Shapefile in the zip, found by extension in any folder, in any case.
function shapefileParts(entries: Map<string, Buffer>): Parts {
  const byExtension = new Map<string, { name: string; data: Buffer }[]>();
  for (const [name, data] of entries) {
    if (name.endsWith("/") || name.split("/").some((part) => part === "__MACOSX" || part.startsWith("._"))) continue;
    const match = /\.([A-Za-z]+)$/.exec(name);
    if (!match) continue;
    const extension = match[1].toLowerCase();
    byExtension.set(extension, [...(byExtension.get(extension) ?? []), { name, data }]);
  }
  const shps = byExtension.get("shp") ?? [];
  if (shps.length === 0) throw fail(422, "shapefile_part_missing", "The zip holds no .shp file", { part: "shp" });
  if (shps.length > 1) throw fail(422, "several_shapefiles", `The zip holds ${shps.length} .shp files; send one layer per zip`, { files: shps.map((shp) => shp.name) });
  const stem = shps[0].name.slice(0, -4).toLowerCase();
  const part = (extension: string) => (byExtension.get(extension) ?? []).find((entry) => entry.name.slice(0, -extension.length - 1).toLowerCase() === stem)?.data;
  const required = (extension: "dbf" | "shx") => {
    const found = part(extension);
    if (!found) throw fail(422, "shapefile_part_missing", `The zip holds no .${extension} beside ${shps[0].name}`, { part: extension });
    return found;
  };
  return { shp: shps[0].data, dbf: required("dbf"), shx: required("shx"), prj: part("prj"), cpg: part("cpg") };
}

/**
 * The coordinate system from the .prj (WKT) and the uploader's word. WGS-84 and CGCS2000
 * geographic coordinates are taken as WGS-84 (they differ by centimetres); a projected system is
 * refused by name, as is a datum we do not convert; GCJ-02 only by `crs`, over a WGS-84 .prj or
 * none, since tools that write GCJ-02 files label them WGS-84.
 */
export function crsOf(prj: Buffer | undefined, given: ShapefileCrs | undefined): { crs: ShapefileCrs; prjName: string | null } {
  if (!prj) {
    if (!given) throw fail(422, "shapefile_part_missing", "The zip holds no .prj: say which coordinates the file holds (crs wgs84 or gcj02)", { part: "prj" });
    return { crs: given, prjName: null };
  }
  const wkt = prj.toString("utf8").trim();
  const projected = /^PROJCS\s*\[\s*"([^"]*)"/i.exec(wkt) ?? /^PROJCRS\s*\[\s*"([^"]*)"/i.exec(wkt);
  if (projected) {
    throw fail(422, "projected_crs", `The .prj names a projected coordinate system, ${projected[1]}; export the layer in geographic WGS-84 or CGCS2000 coordinates (longitude and latitude)`, { prj: projected[1] });
  }
  const geographic = /^(?:GEOGCS|GEOGCRS|GEODCRS)\s*\[\s*"([^"]*)"/i.exec(wkt);
  if (!geographic) throw fail(422, "unsupported_crs", "The .prj names no coordinate system we read", { prj: wkt.slice(0, 200) });
  const name = geographic[1];
  const datum = /DATUM\s*\[\s*"([^"]*)"/i.exec(wkt)?.[1] ?? "";
  const words = `${name} ${datum}`.toLowerCase().replace(/[_\s]+/g, " ");
  const isWgs84 = /wgs ?(19)?84/.test(words);
  const isCgcs2000 = /cgcs ?2000|china geodetic coordinate system 2000|china 2000/.test(words);
  if (!isWgs84 && !isCgcs2000) {
    throw fail(422, "unsupported_crs", `The .prj names ${name}, which is converted to WGS-84 by no exact rule we hold; export the layer in WGS-84 or CGCS2000`, { prj: name });
  }
  if (given === "gcj02" && !isWgs84) {
    throw fail(422, "crs_mismatch", `The .prj names ${name}, and the file was said to be in GCJ-02`, { prj: name, crs: given });
  }
  return { crs: given ?? "wgs84", prjName: name };
}

const SHP_FILE_CODE = 9994;
const NULL_SHAPE = 0;
const POLYGON_TYPES = new Set([5, 15, 25]);

/** The polygons of a .shp, one per record (null for a null shape), rings in GeoJSON order. */
export function readShp(data: Buffer): ShapefileFeature["geometry"][] {
  if (data.length < 100 || data.readInt32BE(0) !== SHP_FILE_CODE) throw fail(422, "invalid_shapefile", "The .shp file is not a Shapefile");
  const fileType = data.readInt32LE(32);
  if (fileType !== NULL_SHAPE && !POLYGON_TYPES.has(fileType)) {
    throw fail(422, "not_polygons", `The Shapefile holds shapes of type ${fileType}, not polygons`, { shapeType: fileType });
  }
  const end = Math.min(data.length, data.readInt32BE(24) * 2);
  const shapes: ShapefileFeature["geometry"][] = [];
  let at = 100;
  while (at + 8 <= end) {
    const length = data.readInt32BE(at + 4) * 2;
    const start = at + 8;
    if (length < 4 || start + length > data.length) throw fail(422, "invalid_shapefile", `The .shp record ${shapes.length + 1} runs past the file's end`);
    const type = data.readInt32LE(start);
    if (type === NULL_SHAPE) shapes.push(null);
    else if (POLYGON_TYPES.has(type)) shapes.push(polygonRecord(data, start, length, shapes.length + 1));
    else throw fail(422, "not_polygons", `The .shp record ${shapes.length + 1} is a shape of type ${type}, not a polygon`, { shapeType: type });
    at = start + length;
  }
  return shapes;
}

function polygonRecord(data: Buffer, start: number, length: number, number: number): ShapefileFeature["geometry"] {
  if (length < 44) throw fail(422, "invalid_shapefile", `The .shp record ${number} is too short for a polygon`);
  const partCount = data.readInt32LE(start + 36);
  const pointCount = data.readInt32LE(start + 40);
  const pointsAt = start + 44 + partCount * 4;
  if (partCount < 0 || pointCount < 0 || pointsAt + pointCount * 16 > start + length) {
    throw fail(422, "invalid_shapefile", `The .shp record ${number} declares more parts or points than it holds`);
  }
  const rings: Ring[] = [];
  for (let part = 0; part < partCount; part++) {
    const first = data.readInt32LE(start + 44 + part * 4);
    const last = part + 1 < partCount ? data.readInt32LE(start + 44 + (part + 1) * 4) : pointCount;
    if (first < 0 || last > pointCount || first > last) throw fail(422, "invalid_shapefile", `The .shp record ${number} has a part outside its points`);
    const ring: Ring = [];
    for (let k = first; k < last; k++) ring.push([data.readDoubleLE(pointsAt + k * 16), data.readDoubleLE(pointsAt + k * 16 + 8)]);
    rings.push(ring);
  }
  return assemble(rings);
}

/**
 * Rings into polygons as the Shapefile specification orders them: an outer ring runs clockwise, a
 * hole counter-clockwise inside its outer ring. A hole found in no outer ring is taken as an outer
 * ring, as GIS tools do. Rings come out as GeoJSON wants them: outer counter-clockwise, holes clockwise.
 */
export function assemble(rings: Ring[]): ShapefileFeature["geometry"] {
  const outers: Ring[][] = [];
  const holes: Ring[] = [];
  for (const ring of rings) {
    if (ring.length === 0) continue;
    if (ringSignedArea(ring) < 0) outers.push([ring]);
    else holes.push(ring);
  }
  for (const hole of holes) {
    const [x, y] = hole[0];
    const owner = outers.find((polygon) => pointInRing(polygon[0], x, y));
    if (owner) owner.push(hole);
    else outers.push([hole.slice().reverse()]);
  }
  if (outers.length === 0) return null;
  const polygons = outers.map((polygon) => polygon.map((ring, k) => ((k === 0) === ringSignedArea(ring) < 0 ? ring.slice().reverse() : ring)));
  return polygons.length === 1 ? { type: "Polygon", coordinates: polygons[0] } : { type: "MultiPolygon", coordinates: polygons };
}

type DbfTable = { fields: string[]; records: { deleted: boolean; values: Map<string, string> }[]; encoding: "utf-8" | "gb18030" };

const utf8 = new TextDecoder("utf-8", { fatal: true });
const gb18030 = new TextDecoder("gb18030", { fatal: true });

/** The encoding a .cpg names, or undefined to tell it from the bytes. */
function encodingOf(cpg: Buffer | undefined): "utf-8" | "gb18030" | undefined {
  if (!cpg) return undefined;
  const name = cpg.toString("latin1").trim().toLowerCase().replace(/[-_\s]/g, "");
  if (name === "utf8" || name === "65001") return "utf-8";
  if (["gbk", "gb2312", "gb18030", "936", "cp936", "54936", "ansi936"].includes(name)) return "gb18030";
  return undefined;
}

/** The attributes of a .dbf (dBASE III) as text, each field's value trimmed. */
export function readDbf(data: Buffer, cpg?: Buffer): DbfTable {
  if (data.length < 32) throw fail(422, "invalid_shapefile", "The .dbf file is too short");
  const recordCount = data.readUInt32LE(4);
  const headerLength = data.readUInt16LE(8);
  const recordLength = data.readUInt16LE(10);
  if (headerLength > data.length || recordLength < 1) throw fail(422, "invalid_shapefile", "The .dbf header is damaged");
  const rawFields: { name: Buffer; type: string; offset: number; length: number }[] = [];
  let offset = 1;
  for (let at = 32; at + 32 <= headerLength && data[at] !== 0x0d; at += 32) {
    const nameBytes = data.subarray(at, at + 11);
    const nul = nameBytes.indexOf(0);
    const length = data[at + 16];
    rawFields.push({ name: nul < 0 ? nameBytes : nameBytes.subarray(0, nul), type: String.fromCharCode(data[at + 11]), offset, length });
    offset += length;
  }
  if (offset > recordLength) throw fail(422, "invalid_shapefile", "The .dbf fields are longer than its records");
  if (headerLength + recordCount * recordLength > data.length) throw fail(422, "invalid_shapefile", "The .dbf holds fewer records than its header declares");
  const texts: Buffer[] = rawFields.map((field) => field.name);
  for (let r = 0; r < recordCount; r++) {
    const at = headerLength + r * recordLength;
    for (const field of rawFields) if (field.type === "C") texts.push(data.subarray(at + field.offset, at + field.offset + field.length));
  }
  const encoding = encodingOf(cpg) ?? (texts.every((bytes) => decodes(utf8, bytes)) ? "utf-8" : "gb18030");
  const decoder = encoding === "utf-8" ? utf8 : gb18030;
  const decode = (bytes: Buffer) => {
    try {
      return decoder.decode(bytes);
    } catch {
      throw fail(422, "invalid_shapefile", `The .dbf text is not ${encoding === "utf-8" ? "UTF-8" : "GB18030 (GBK)"}, the encoding its .cpg names`);
    }
  };
  const fields = rawFields.map((field) => decode(field.name).trim());
  const records: DbfTable["records"] = [];
  for (let r = 0; r < recordCount; r++) {
    const at = headerLength + r * recordLength;
    const values = new Map<string, string>();
    rawFields.forEach((field, k) => {
      const bytes = data.subarray(at + field.offset, at + field.offset + field.length);
      // Text is padded with spaces, and some writers pad with NULs.
      values.set(fields[k], (field.type === "C" ? decode(bytes) : bytes.toString("latin1")).replace(/[\s\0]+$/u, "").replace(/^[\s\0]+/u, ""));
    });
    records.push({ deleted: data[at] === 0x2a, values });
  }
  return { fields, records, encoding };
}

function decodes(decoder: TextDecoder, bytes: Buffer): boolean {
  try {
    decoder.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

// The field named by the option, else the one of the usual names the file has; the code is required.
function pickField(fields: string[], named: string | undefined, usual: string[], what: "code"): string;
function pickField(fields: string[], named: string | undefined, usual: string[], what: "name"): string | null;
function pickField(fields: string[], named: string | undefined, usual: string[], what: "code" | "name"): string | null {
  if (named !== undefined) {
    if (!fields.includes(named)) throw fail(422, "shapefile_field_missing", `The .dbf has no field ${named}; it has ${fields.join(", ")}`, { field: named, fields });
    return named;
  }
  const found = usual.filter((name) => fields.includes(name));
  if (found.length > 1) {
    throw fail(422, "shapefile_field_ambiguous", `The .dbf has fields ${found.join(" and ")}; say which holds the grid ${what} (${what}Field)`, { fields: found });
  }
  if (found.length === 1) return found[0];
  if (what === "name") return null;
  throw fail(422, "shapefile_field_missing", `The .dbf has none of the fields ${usual.join(", ")} for the grid code; it has ${fields.join(", ")} (codeField names another)`, { field: usual.join(","), fields });
}

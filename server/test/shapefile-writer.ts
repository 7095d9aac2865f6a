/**
 * A small writer of zipped Shapefiles for tests: polygon .shp and .shx, a dBASE III .dbf of text
 * fields in UTF-8 or GBK, a .prj and a .cpg, zipped with deflate.
 */
import { zipFiles } from "./zip-writer.ts";

type Position = number[];
/** One record: its polygons (each an outer ring then holes, in any orientation) or null, and its attributes. */
export type ShapeRecord = { polygons: Position[][][] | null; attributes: Record<string, string> };

export const WGS84_PRJ =
  'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]';
export const CGCS2000_PRJ =
  'GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]';
export const GAUSS_KRUGER_PRJ =
  'PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 102E",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",102],PARAMETER["scale_factor",1],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1]]';

const signedArea = (ring: Position[]) => {
  let sum = 0;
  for (let k = 0; k + 1 < ring.length; k++) sum += ring[k][0] * ring[k + 1][1] - ring[k + 1][0] * ring[k][1];
  return sum / 2;
};
// As the Shapefile specification orders rings: outer clockwise, holes counter-clockwise.
const oriented = (ring: Position[], outer: boolean) => ((signedArea(ring) < 0) === outer ? ring : ring.slice().reverse());

/** The .shp and .shx of polygon records. */
export function writeShp(records: (Position[][][] | null)[]): { shp: Buffer; shx: Buffer } {
  const contents = records.map((polygons) => {
    if (polygons === null) {
      const empty = Buffer.alloc(4);
      empty.writeInt32LE(0, 0);
      return empty;
    }
    const rings = polygons.flatMap((polygon) => polygon.map((ring, k) => oriented(ring, k === 0)));
    const points = rings.flat();
    const content = Buffer.alloc(44 + rings.length * 4 + points.length * 16);
    content.writeInt32LE(5, 0);
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].forEach((value, k) => content.writeDoubleLE(value, 4 + k * 8));
    content.writeInt32LE(rings.length, 36);
    content.writeInt32LE(points.length, 40);
    let first = 0;
    rings.forEach((ring, k) => {
      content.writeInt32LE(first, 44 + k * 4);
      first += ring.length;
    });
    points.forEach((point, k) => {
      content.writeDoubleLE(point[0], 44 + rings.length * 4 + k * 16);
      content.writeDoubleLE(point[1], 44 + rings.length * 4 + k * 16 + 8);
    });
    return content;
  });
  const header = (length: number) => {
    const buffer = Buffer.alloc(100);
    buffer.writeInt32BE(9994, 0);
    buffer.writeInt32BE(length / 2, 24);
    buffer.writeInt32LE(1000, 28);
    buffer.writeInt32LE(5, 32);
    return buffer;
  };
  const shpLength = 100 + contents.reduce((sum, content) => sum + 8 + content.length, 0);
  const shpParts: Buffer[] = [header(shpLength)];
  const shxParts: Buffer[] = [header(100 + records.length * 8)];
  let offset = 100;
  contents.forEach((content, k) => {
    const recordHeader = Buffer.alloc(8);
    recordHeader.writeInt32BE(k + 1, 0);
    recordHeader.writeInt32BE(content.length / 2, 4);
    shpParts.push(recordHeader, content);
    const index = Buffer.alloc(8);
    index.writeInt32BE(offset / 2, 0);
    index.writeInt32BE(content.length / 2, 4);
    shxParts.push(index);
    offset += 8 + content.length;
  });
  return { shp: Buffer.concat(shpParts), shx: Buffer.concat(shxParts) };
}

/** A .dbf of text fields, each as wide as its longest value, in UTF-8 or GBK. */
export function writeDbf(fields: string[], rows: Record<string, string>[], encoding: "utf-8" | "gbk" = "utf-8"): Buffer {
  const encode = (text: string) => (encoding === "utf-8" ? Buffer.from(text, "utf8") : gbk(text));
  const widths = fields.map((field) => Math.max(1, ...rows.map((row) => encode(row[field] ?? "").length)));
  const headerLength = 32 + fields.length * 32 + 1;
  const recordLength = 1 + widths.reduce((sum, width) => sum + width, 0);
  const data = Buffer.alloc(headerLength + rows.length * recordLength + 1, 0x20);
  data.fill(0, 0, headerLength);
  data[0] = 0x03;
  data.writeUInt32LE(rows.length, 4);
  data.writeUInt16LE(headerLength, 8);
  data.writeUInt16LE(recordLength, 10);
  fields.forEach((field, k) => {
    const at = 32 + k * 32;
    encode(field).copy(data, at, 0, 10);
    data[at + 11] = "C".charCodeAt(0);
    data[at + 16] = widths[k];
  });
  data[headerLength - 1] = 0x0d;
  rows.forEach((row, r) => {
    let at = headerLength + r * recordLength;
    data[at++] = 0x20;
    fields.forEach((field, k) => {
      encode(row[field] ?? "").copy(data, at);
      at += widths[k];
    });
  });
  data[data.length - 1] = 0x1a;
  return data;
}

/** GBK bytes of Chinese text, built from Node's GB18030 decoder (Node has no GBK encoder). */
function gbk(text: string): Buffer {
  const decoder = new TextDecoder("gb18030");
  const table = new Map<string, Buffer>();
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      if (trail === 0x7f) continue;
      const bytes = Buffer.from([lead, trail]);
      const char = decoder.decode(bytes);
      if (char.length === 1 && !table.has(char)) table.set(char, bytes);
    }
  }
  return Buffer.concat(
    [...text].map((char) => {
      if (char.charCodeAt(0) < 0x80) return Buffer.from(char, "latin1");
      const bytes = table.get(char);
      if (!bytes) throw new Error(`no GBK code for ${char}`);
      return bytes;
    }),
  );
}

/** A zipped Shapefile of grid polygons; `omit` leaves parts out, `prj` null leaves out the .prj. */
export function shapefileZip(
  records: ShapeRecord[],
  options: { fields?: string[]; encoding?: "utf-8" | "gbk"; prj?: string | null; cpg?: string; omit?: ("shp" | "shx" | "dbf")[]; stem?: string } = {},
): Buffer {
  const stem = options.stem ?? "grids";
  const fields = options.fields ?? [...new Set(records.flatMap((record) => Object.keys(record.attributes)))];
  const { shp, shx } = writeShp(records.map((record) => record.polygons));
  const files: Record<string, Buffer> = {};
  if (!options.omit?.includes("shp")) files[`${stem}.shp`] = shp;
  if (!options.omit?.includes("shx")) files[`${stem}.shx`] = shx;
  if (!options.omit?.includes("dbf")) files[`${stem}.dbf`] = writeDbf(fields, records.map((record) => record.attributes), options.encoding);
  const prj = options.prj === undefined ? WGS84_PRJ : options.prj;
  if (prj !== null) files[`${stem}.prj`] = Buffer.from(prj);
  if (options.cpg !== undefined) files[`${stem}.cpg`] = Buffer.from(options.cpg);
  return zipFiles(files);
}

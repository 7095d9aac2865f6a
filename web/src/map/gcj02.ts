/**
 * WGS-84 → GCJ-02 (the offset coordinates China's web map tiles are drawn in), by the public
 * formula every map SDK uses: Krasovsky 1940 ellipsoid, offsets as polynomial and sine series in
 * the distance from (105°E, 35°N). Points outside China are not offset, as the providers do.
 * Stored coordinates stay WGS-84; this is for drawing only.
 */

const A = 6378245.0;
const EE = 0.00669342162296594323;

/** A rough box around mainland China, as the providers draw it (outside it there is no offset). */
export function outOfChina(lng: number, lat: number): boolean {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function transformLat(x: number, y: number): number {
  let ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  ret += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return ret;
}

function transformLng(x: number, y: number): number {
  let ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  ret += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  ret += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  ret += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return ret;
}

/** A WGS-84 point as GCJ-02, [lng, lat]. */
export function wgs84ToGcj02(lng: number, lat: number): [number, number] {
  if (outOfChina(lng, lat)) return [lng, lat];
  let dLat = transformLat(lng - 105.0, lat - 35.0);
  let dLng = transformLng(lng - 105.0, lat - 35.0);
  const radLat = (lat / 180.0) * Math.PI;
  let magic = Math.sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180.0) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  dLng = (dLng * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return [lng + dLng, lat + dLat];
}

/** The tiles' coordinate systems (MAP_TILE_CRS); CGCS2000 differs from WGS-84 by centimetres, below a map's resolution. */
export type TileCrs = "wgs84" | "gcj02" | "cgcs2000";

/** Whether stored WGS-84 points move on tiles of `crs`: only GCJ-02's are offset. */
const shifts = (crs: TileCrs) => crs === "gcj02";

/** How a stored WGS-84 point [lng, lat] is drawn on tiles of `crs`. */
export function displayProjection(crs: TileCrs): (lng: number, lat: number) => [number, number] {
  return shifts(crs) ? wgs84ToGcj02 : (lng, lat) => [lng, lat];
}

/** Columns of stored WGS-84 points as drawn on tiles of `crs`: the columns themselves where nothing moves. */
export function projectColumns(crs: TileCrs, lng: ArrayLike<number>, lat: ArrayLike<number>): { lng: ArrayLike<number>; lat: ArrayLike<number> } {
  if (!shifts(crs)) return { lng, lat };
  const x = new Float64Array(lng.length);
  const y = new Float64Array(lat.length);
  for (let i = 0; i < x.length; i++) [x[i], y[i]] = wgs84ToGcj02(lng[i], lat[i]);
  return { lng: x, lat: y };
}

import { wgs84ToGcj02 } from "../map/gcj02";

/** Metres between two WGS-84 points (haversine). */
export function distanceMeters(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}

/** Points ordered nearest first from `here`. */
export function byDistance<T extends { lat: number; lng: number }>(here: { lat: number; lng: number }, points: T[]): (T & { distance: number })[] {
  return points.map((point) => ({ ...point, distance: distanceMeters(here, point) })).sort((a, b) => a.distance - b.distance);
}

export function formatDistance(meters: number): string {
  return meters < 1000 ? `${Math.round(meters)} m` : `${(meters / 1000).toFixed(1)} km`;
}

/**
 * Links that open the phone's map app at a task. Amap (高德) takes GCJ-02, the coordinates Chinese
 * map apps draw in, and opens the app or its web page on both systems; the other link is Apple Maps
 * on iOS (GCJ-02 in China as well) and a `geo:` URI on Android, which names WGS-84 (RFC 5870) and
 * lets the worker choose the app.
 */
export function mapLinks(point: { lat: number; lng: number }, name: string, userAgent: string): { amap: string; other: string } {
  const [lng, lat] = wgs84ToGcj02(point.lng, point.lat);
  const label = encodeURIComponent(name);
  const amap = `https://uri.amap.com/navigation?to=${lng.toFixed(6)},${lat.toFixed(6)},${label}&mode=walk&coordinate=gaode&callnative=1`;
  const ios = /iPhone|iPad|iPod/i.test(userAgent);
  const other = ios
    ? `https://maps.apple.com/?daddr=${lat.toFixed(6)},${lng.toFixed(6)}&dirflg=w`
    : `geo:${point.lat.toFixed(6)},${point.lng.toFixed(6)}?q=${point.lat.toFixed(6)},${point.lng.toFixed(6)}(${label})`;
  return { amap, other };
}

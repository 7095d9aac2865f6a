import type { AppContext } from "../../context.ts";
import { requirePermission, type Actor } from "../auth/actor.ts";
import { interiorPoint } from "../grids/geometry.ts";
import { findPlaces, type PlaceRow } from "./places.repository.ts";

/** The character pairs of a query, as name_terms() makes them in the database; empty for one character. */
export function placeTerms(text: string): string[] {
  const terms = new Set<string>();
  for (const word of text.toLowerCase().split(/\s+/).filter(Boolean)) {
    const chars = Array.from(word);
    for (let k = 0; k + 1 < chars.length; k++) terms.add(chars[k] + chars[k + 1]);
  }
  return [...terms];
}

/**
 * Places in the actor's scope by a few characters of their name: streets, communities, courtyards
 * (小区/院落), buildings and grids, best first, each with a point and the grid, community and
 * street it lies in, for locating a report (a hotline call) without a map.
 */
export async function searchPlaces(ctx: AppContext, actor: Actor, q: string, limit: number) {
  requirePermission(actor, "division.read");
  const text = q.trim();
  if (actor.scopeCode === null || text.length === 0) return [];
  const terms = placeTerms(text);
  // A query of single characters split by spaces has no pairs: it is asked for as it stands.
  const rows = await findPlaces(ctx.db, { scope: actor.scopeCode, text: terms.length ? text : text.replace(/\s+/g, ""), terms, limit });
  return rows.map((row) => presentPlace(ctx, row));
}

function presentPlace(ctx: AppContext, row: PlaceRow) {
  const point = pointOf(row);
  // A courtyard or building is placed by its point: the grid it lies in.
  const located = point ? ctx.grids.locate(point.lng, point.lat) : undefined;
  const grid = row.kind === "grid" ? { code: row.code, name: row.name } : row.kind === "courtyard" || row.kind === "building" ? (located?.grid ?? null) : null;
  const community = row.community_code ? { code: row.community_code, name: row.community_name ?? row.community_code } : null;
  const street = row.street_code ? { code: row.street_code, name: row.street_name ?? row.street_code } : null;
  const courtyard = row.courtyard_code ? { code: row.courtyard_code, name: row.courtyard_name ?? row.courtyard_code } : null;
  return { kind: row.kind, code: row.code, name: row.name, location: point, grid, courtyard, community, street };
}

export function pointOf(row: Pick<PlaceRow, "lat" | "lng" | "geometry">): { lat: number; lng: number } | null {
  if (row.lat !== null && row.lng !== null) return { lat: row.lat, lng: row.lng };
  const inside = row.geometry ? interiorPoint(row.geometry) : undefined;
  return inside ? { lat: inside[1], lng: inside[0] } : null;
}

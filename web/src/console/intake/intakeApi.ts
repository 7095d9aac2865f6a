import { api, unwrap, type GridFeatureCollection } from "../../api/client";
import type { paths } from "../../api/schema";

type CreateOp = paths["/api/v1/cases"]["post"];
export type IntakeBody = CreateOp["requestBody"] extends { content: { "application/json": infer Body } } | undefined ? Body : never;
export type Created = CreateOp["responses"][201]["content"]["application/json"];

/** A place the operator can pick while typing: a grid, named with its community and street. */
export type PlaceOption = { key: string; label: string; gridCode: string };

/**
 * Places whose grid, community or street name contains the typed text, from the grids of the
 * operator's area (already loaded for the map).
 */
export function searchGrids(grids: GridFeatureCollection | undefined, text: string, limit = 12): PlaceOption[] {
  const needle = text.trim();
  if (!grids || needle.length === 0) return [];
  // The closest names first: the whole name, then its beginning, then anywhere in it.
  const rank = (name: string) => (name === needle ? 0 : name.startsWith(needle) ? 1 : name.includes(needle) ? 2 : 3);
  const found: (PlaceOption & { rank: number })[] = [];
  for (const feature of grids.features) {
    const { code, name, communityName, streetName } = feature.properties;
    const best = Math.min(rank(name), rank(communityName) + 1, rank(streetName) + 2, code.startsWith(needle) ? 0 : 3);
    if (best < 3 || (best === 3 && name.includes(needle))) {
      found.push({ key: `grid:${code}`, label: `${name} · ${communityName} · ${streetName}`, gridCode: code, rank: best });
    }
  }
  return found
    .sort((a, b) => a.rank - b.rank || a.gridCode.localeCompare(b.gridCode))
    .slice(0, limit)
    .map(({ rank: _rank, ...option }) => option);
}

/** Creates the case; the Idempotency-Key makes a retry after a dropped answer return the first case, not a second one. */
export async function createCase(body: IntakeBody, idempotencyKey: string): Promise<Created> {
  return unwrap(api.POST("/api/v1/cases", { params: { header: { "idempotency-key": idempotencyKey } }, body }));
}

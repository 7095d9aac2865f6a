import type { findAddressPlaces } from "./hotline.repository.ts";

type AddressPlaces = Awaited<ReturnType<typeof findAddressPlaces>>;

/**
 * Places an address by the longest name of a grid, community or courtyard it contains (then a
 * building of that courtyard named after it): a building or courtyard by its point, a grid or a
 * community by a point inside a grid of it.
 */
export class AddressResolver {
  /** Places by name, longest name first: the first one an address contains is the one it names. */
  private readonly named: { name: string; code: string; kind: "grid" | "community" | "courtyard"; lat: number | null; lng: number | null }[];
  /** Indexes into `named` by a name's first two characters, so that an address looks only at names that start where it could. */
  private readonly byStart = new Map<string, number[]>();
  private readonly buildings = new Map<string, { name: string; code: string; lat: number | null; lng: number | null }[]>();
  private readonly firstGrid = new Map<string, string>();

  constructor(
    places: AddressPlaces,
    private readonly gridPoint: (code: string) => [number, number] | undefined,
  ) {
    this.named = [
      ...places.grids.map((grid) => ({ name: grid.name, code: grid.code, kind: "grid" as const, lat: null, lng: null })),
      ...places.divisions
        .filter((division) => division.level === "community" || division.level === "courtyard")
        .map((division) => ({ name: division.name, code: division.code, kind: division.level as "community" | "courtyard", lat: division.lat, lng: division.lng })),
    ]
      .filter((place) => place.name.length >= 2)
      .sort((a, b) => b.name.length - a.name.length);
    this.named.forEach((place, rank) => {
      const start = place.name.slice(0, 2);
      const ranks = this.byStart.get(start) ?? [];
      this.byStart.set(start, ranks);
      ranks.push(rank);
    });
    for (const division of places.divisions) {
      if (division.level !== "building" || !division.parent_code) continue;
      const list = this.buildings.get(division.parent_code) ?? [];
      list.push({ name: division.name, code: division.code, lat: division.lat, lng: division.lng });
      this.buildings.set(division.parent_code, list);
    }
    for (const list of this.buildings.values()) list.sort((a, b) => b.name.length - a.name.length);
    for (const grid of places.grids) if (!this.firstGrid.has(grid.community_code)) this.firstGrid.set(grid.community_code, grid.code);
  }

  /** A point (WGS-84) and, for a building, its code; undefined when the address names no place. */
  resolve(address: string): { lng: number; lat: number; buildingCode: string | null } | undefined {
    const place = this.placeIn(address);
    if (!place) return undefined;
    if (place.kind === "courtyard") {
      const rest = address.slice(address.indexOf(place.name) + place.name.length);
      const building = this.buildings.get(place.code)?.find((candidate) => rest.includes(candidate.name));
      if (building?.lat != null && building.lng != null) return { lng: building.lng, lat: building.lat, buildingCode: building.code };
      if (place.lat !== null && place.lng !== null) return { lng: place.lng, lat: place.lat, buildingCode: null };
    }
    const grid = place.kind === "grid" ? place.code : this.firstGrid.get(place.kind === "community" ? place.code : place.code.slice(0, 12));
    const point = grid ? this.gridPoint(grid) : undefined;
    return point ? { lng: point[0], lat: point[1], buildingCode: null } : undefined;
  }

  /** The first place of `named` whose name the address contains. */
  private placeIn(address: string) {
    let best = Infinity;
    for (let at = 0; at + 2 <= address.length; at++) {
      for (const rank of this.byStart.get(address.slice(at, at + 2)) ?? []) {
        if (rank >= best) break;
        if (address.startsWith(this.named[rank].name, at)) best = rank;
      }
    }
    return best === Infinity ? undefined : this.named[best];
  }
}

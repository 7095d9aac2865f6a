import { sql, type Kysely } from "kysely";
import type { DB, GeoJsonPolygon } from "../../db/schema.ts";

/** A place whose name matched: a division below the district, or a grid, with the names above it. */
export type PlaceRow = {
  kind: "street" | "community" | "courtyard" | "building" | "grid";
  code: string;
  name: string;
  lat: number | null;
  lng: number | null;
  geometry: GeoJsonPolygon | null;
  courtyard_code: string | null;
  courtyard_name: string | null;
  community_code: string | null;
  community_name: string | null;
  street_code: string | null;
  street_name: string | null;
};

/** A LIKE pattern that matches `text` literally. */
const literal = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/**
 * The places under `scope` whose names hold every term (the GIN indexes on name_terms(name) serve
 * `@>`) or, for a one-character query, the character; best first: the exact name, then names that
 * start with the query, then the shortest names (the closest matches), streets before buildings.
 */
export async function findPlaces(db: Kysely<DB>, query: { scope: string; text: string; terms: readonly string[]; limit: number }): Promise<PlaceRow[]> {
  const scope = `${literal(query.scope)}%`;
  const matches = (column: string) =>
    query.terms.length > 0 ? sql`name_terms(${sql.ref(column)}) @> ${sql.val(query.terms)}::text[]` : sql`${sql.ref(column)} like ${`%${literal(query.text)}%`}`;
  const { rows } = await sql<PlaceRow>`
    select place.*, courtyard.name as courtyard_name, community.name as community_name, street.name as street_name from (
      select d.level as kind, d.code, d.name, d.lat, d.lng, d.geometry,
        case when d.level = 'building' then d.parent_code end as courtyard_code,
        case when length(d.code) >= 12 then left(d.code, 12) end as community_code,
        left(d.code, 9) as street_code
      from divisions as d
      where d.level <> 'district' and d.code like ${scope} and ${matches("d.name")}
      union all
      select 'grid', g.code, g.name, null, null, g.geometry, null, g.community_code, left(g.code, 9)
      from grids as g
      where g.code like ${scope} and ${matches("g.name")}
    ) as place
    left join divisions as courtyard on courtyard.code = place.courtyard_code
    left join divisions as community on community.code = place.community_code
    left join divisions as street on street.code = place.street_code
    order by place.name = ${query.text} desc, place.name like ${`${literal(query.text)}%`} desc, char_length(place.name),
      array_position(array['street', 'community', 'grid', 'courtyard', 'building'], place.kind), place.code
    limit ${query.limit}`.execute(db);
  return rows;
}

import type { GridFeatureCollection } from "../api/client";

/** Twelve fill colours that stay distinguishable side by side, one per street. */
export const STREET_PALETTE: readonly string[] = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#17becf",
  "#bcbd22",
  "#2f4b7c",
];

export type StreetEntry = { code: string; name: string; color: string; grids: number };

/**
 * The streets present in a grid collection, ordered by code, each with its palette colour.
 * Colours follow the order of the street codes, so a district's streets always get the same
 * colours and no two of its (at most twelve) streets share one.
 */
export function streetLegend(grids: GridFeatureCollection): StreetEntry[] {
  const streets = new Map<string, { name: string; grids: number }>();
  for (const feature of grids.features) {
    const { streetCode, streetName } = feature.properties;
    const entry = streets.get(streetCode);
    if (entry) entry.grids += 1;
    else streets.set(streetCode, { name: streetName, grids: 1 });
  }
  return [...streets.entries()]
    // Codes are digits: compared as they are, without a collator (whose first use costs a first visit 10 ms).
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([code, { name, grids: count }], index) => ({
      code,
      name,
      grids: count,
      color: STREET_PALETTE[index % STREET_PALETTE.length],
    }));
}

export const FALLBACK_COLOR = "#8c8c8c";

/** The deadline lights (红黄绿灯) on the map, as the queues show them: the same four colours. */
export const LIGHT_COLORS = {
  on_time: "#52c41a",
  near_due: "#faad14",
  overdue: "#f5222d",
  suspended: "#bfbfbf",
} as const;

export type MapLight = keyof typeof LIGHT_COLORS;

/**
 * Grids shaded by how many cases they had (the dashboards' map), one colour a class of the scale,
 * the fewest first: on a light background pale to dark red, on the big screen's dark one dim red to
 * bright yellow, so that the busiest grids stand out on either. Grids without a case take a shade
 * of the background, so that the eye goes to the grids with cases.
 */
export const CASE_SHADES = {
  light: ["#fdd49e", "#fdbb84", "#fc8d59", "#e34a33", "#b30000"],
  dark: ["#7a1f1f", "#b3261e", "#e4572e", "#f89a3c", "#ffd166"],
} as const;
export const NO_CASE_SHADE = { light: "#eef1f5", dark: "#16264a" } as const;

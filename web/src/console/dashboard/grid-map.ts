import { CASE_SHADES, NO_CASE_SHADE } from "../../map/palette";
import type { ChartOption } from "./charts";
import { WALL_FONT_SIZE } from "./chart-options";

/** One grid on the map: its code, its names and the figures shown on hover. */
export type MapGrid = { code: string; name: string; place: string; accepted: number; closures: number; overdue: number };

/** A class of the map's scale: the counts from `min` to `max`, both included (`max` null: and up). */
export type ShadeClass = { min: number; max: number | null; color: string };

/**
 * The map's scale: "none" for 0, then up to five classes of the grids that have cases, cut at
 * their quantiles (40 %, 65 %, 85 %, 95 %) so that a few very busy grids do not push every other
 * grid into the palest class; equal cuts collapse into one class.
 */
export function shadeClasses(values: readonly number[], dark = false): ShadeClass[] {
  const busy = values.filter((value) => value > 0).sort((a, b) => a - b);
  if (busy.length === 0) return [];
  const at = (share: number) => busy[Math.min(busy.length - 1, Math.floor(share * busy.length))];
  const cuts = [...new Set([at(0.4), at(0.65), at(0.85), at(0.95)])].filter((cut) => cut < busy[busy.length - 1]);
  const classes: ShadeClass[] = [];
  let min = 1;
  for (const cut of cuts) {
    if (cut < min) continue;
    classes.push({ min, max: cut, color: "" });
    min = cut + 1;
  }
  classes.push({ min, max: null, color: "" });
  // The darkest colours for the busiest classes, whatever their number.
  const shades = dark ? CASE_SHADES.dark : CASE_SHADES.light;
  const offset = shades.length - classes.length;
  return classes.map((shade, i) => ({ ...shade, color: shades[offset + i] }));
}

/** The colour of a count on the scale (a count above 0). */
const shadeOf = (classes: readonly ShadeClass[], count: number): string | undefined =>
  classes.find((shade) => count >= shade.min && (shade.max === null || count <= shade.max))?.color;

/** "3–5", "12", "21+": a class of the scale as the legend reads it. */
export const classLabel = (shade: ShadeClass): string => (shade.max === null ? `${shade.min}+` : shade.min === shade.max ? String(shade.min) : `${shade.min}–${shade.max}`);

type Words = {
  /** The legend's class of grids without a case. */
  none: string;
  /** The hover text's figures line. */
  figures: (grid: MapGrid) => string;
};

/**
 * A map series of the grids registered as `mapName` (GeoJSON whose features carry the grid code
 * as `code`, around `latitude`), each shaded by its accepted cases, the hottest (`hottest`, in order) labelled with
 * their rank, a piecewise legend of the scale, and the grid's names and figures on hover.
 */
export function gridMapOption(mapName: string, grids: readonly MapGrid[], hottest: readonly string[], words: Words, { dark = false, latitude = 0 }: { dark?: boolean; latitude?: number } = {}): ChartOption {
  const text = dark ? "#c9d7ff" : "#4b5563";
  const byCode = new Map(grids.map((grid) => [grid.code, grid]));
  const classes = shadeClasses(
    grids.map((grid) => grid.accepted),
    dark,
  );
  const rank = new Map(hottest.map((code, i) => [code, i + 1]));
  const fontSize = dark ? WALL_FONT_SIZE : 12;
  return {
    tooltip: {
      trigger: "item",
      backgroundColor: dark ? "#0d1d3f" : "#fff",
      borderColor: dark ? "#3b82f6" : "#d9d9d9",
      textStyle: { color: dark ? "#e6edff" : "#1f2937", fontSize: dark ? WALL_FONT_SIZE : 13 },
      formatter: (params: { name: string }) => {
        const grid = byCode.get(params.name);
        return grid ? `${grid.name}\n${grid.place}\n${words.figures(grid)}` : params.name;
      },
    },
    visualMap: {
      type: "piecewise",
      orient: "vertical",
      left: 0,
      bottom: 0,
      itemWidth: dark ? 22 : 16,
      itemHeight: dark ? 16 : 12,
      textStyle: { color: text, fontSize },
      // Clicking a class would hide grids: the legend only reads.
      selectedMode: false,
      pieces: [{ value: 0, label: words.none, color: dark ? NO_CASE_SHADE.dark : NO_CASE_SHADE.light }, ...[...classes].reverse().map((shade) => ({ min: shade.min, ...(shade.max === null ? {} : { max: shade.max }), label: classLabel(shade), color: shade.color }))],
    },
    series: [
      {
        type: "map",
        map: mapName,
        nameProperty: "code",
        // A degree of longitude is shorter than one of latitude by cos(latitude).
        aspectScale: Math.cos((latitude * Math.PI) / 180),
        // Room on the left for the legend; the map keeps its shape within the rest, centred.
        left: dark ? 120 : 96,
        right: 8,
        top: 8,
        bottom: 8,
        preserveAspect: "contain",
        roam: false,
        selectedMode: false,
        itemStyle: { borderColor: dark ? "#0a1430" : "#ffffff", borderWidth: 0.5 },
        emphasis: { label: { show: false }, itemStyle: { areaColor: dark ? "#5cc8ff" : "#2563eb", borderColor: dark ? "#ffffff" : "#1e3a8a", borderWidth: 1.5 } },
        label: { show: false },
        // The busiest grids of a dense centre lie close together: their numbers move apart.
        labelLayout: { moveOverlap: "shiftY" },
        data: grids.map((grid) => {
          const place = rank.get(grid.code);
          return {
            name: grid.code,
            value: grid.accepted,
            ...(place === undefined
              ? {}
              : {
                  label: { show: true, formatter: String(place), color: "#ffffff", fontWeight: "bold", fontSize: dark ? WALL_FONT_SIZE : 13, textBorderColor: "#111827", textBorderWidth: 3 },
                  // An item's own style replaces the legend's colour: it is given again.
                  itemStyle: { areaColor: shadeOf(classes, grid.accepted), borderColor: dark ? "#ffffff" : "#111827", borderWidth: 2 },
                }),
          };
        }),
      },
    ],
  };
}

type GridFeature = { properties: { code: string; name: string; communityName: string; streetName: string } };
type GridRow = { key: string; figures: { accepted: number; closures: number; overdue: number } };

/** Every grid of the collection with its figures of the period (0 for a grid without a row). */
export function joinGrids(features: readonly GridFeature[], rows: readonly GridRow[]): MapGrid[] {
  const figures = new Map(rows.map((row) => [row.key, row.figures]));
  return features.map(({ properties: grid }) => {
    const found = figures.get(grid.code);
    return {
      code: grid.code,
      name: grid.name,
      place: `${grid.streetName} · ${grid.communityName}`,
      accepted: found?.accepted ?? 0,
      closures: found?.closures ?? 0,
      overdue: found?.overdue ?? 0,
    };
  });
}

/** The grids with the most accepted cases, at most `limit`, ties by code so that the order holds between refreshes. */
export function hottestGrids(grids: readonly MapGrid[], limit: number): MapGrid[] {
  return grids
    .filter((grid) => grid.accepted > 0)
    .sort((a, b) => b.accepted - a.accepted || a.code.localeCompare(b.code))
    .slice(0, limit);
}

import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import type { GridFeatureCollection } from "../../api/client";
import { echarts } from "./charts";
import { EChart } from "./EChart";
import { gridMapOption, type MapGrid } from "./grid-map";

const registered = new WeakMap<GridFeatureCollection, string>();
let maps = 0;

/** Registers a grid collection with ECharts once, under a name of its own. */
function mapNameOf(collection: GridFeatureCollection): string {
  let name = registered.get(collection);
  if (!name) {
    maps += 1;
    name = `grids-${maps}`;
    echarts.registerMap(name, collection as unknown as Parameters<typeof echarts.registerMap>[1]);
    registered.set(collection, name);
  }
  return name;
}

type Props = {
  collection: GridFeatureCollection;
  grids: readonly MapGrid[];
  hottest: readonly MapGrid[];
  height: number | string;
  dark?: boolean;
  /** Called with the code of a clicked grid. */
  onPick?: (code: string) => void;
};

/**
 * The grids of a division shaded by their accepted cases, the hottest numbered. Each grid's count
 * is also on the box (`data-grid-cases`, "code=count" apart by spaces), for tools that cannot read a canvas.
 */
export function GridCaseMap({ collection, grids, hottest, height, dark, onPick }: Props) {
  const { t } = useTranslation("dashboard");
  const mapName = mapNameOf(collection);
  const latitude = collection.features[0]?.geometry.coordinates[0]?.[0]?.[1] ?? 0;
  const option = useMemo(
    () =>
      gridMapOption(
        mapName,
        grids,
        hottest.map((grid) => grid.code),
        { none: t("map.none"), figures: (grid) => t("map.figures", { accepted: grid.accepted, closures: grid.closures, overdue: grid.overdue }) },
        { dark, latitude },
      ),
    [mapName, grids, hottest, t, dark, latitude],
  );
  const total = grids.reduce((sum, grid) => sum + grid.accepted, 0);
  return (
    <div className="grid-case-map" data-grid-cases={grids.map((grid) => `${grid.code}=${grid.accepted}`).join(" ")}>
      <EChart
        theme={dark ? "dark" : undefined}
        label={t("map.label", { grids: grids.length, count: total })}
        height={height}
        option={option}
        onPick={onPick ? (i) => grids[i] && onPick(grids[i].code) : undefined}
      />
    </div>
  );
}

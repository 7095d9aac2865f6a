import { useCallback, useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Button, Spin, Tag } from "antd";
import { fetchDivision, fetchGrids, type Division, type Scope } from "../api/client";
import { useTranslation } from "react-i18next";
import type { MessageKey } from "../i18n";
import { GridDrawer } from "../map/GridDrawer";
import { GridMap } from "../map/GridMap";
import { streetLegend, type StreetEntry } from "../map/palette";
import { useMe } from "../session";
import { StatusPanel } from "../components/StatusPanel";

/**
 * How many levels below the scope to fetch so that streets and communities are both drawn
 * (a district's streets and communities, a street's communities, a community alone).
 */
function scopeLevel(level: string): { depth: number; label: MessageKey } {
  switch (level) {
    case "street":
      return { depth: 1, label: "level.street" };
    case "community":
      return { depth: 0, label: "level.community" };
    default:
      return { depth: 2, label: "level.district" };
  }
}

function countLevel(division: Division, level: Division["level"]): number {
  let count = division.level === level ? 1 : 0;
  for (const child of division.children ?? []) count += countLevel(child, level);
  return count;
}

export default function MapPage() {
  const me = useMe();
  const { t } = useTranslation();
  return (
    <div className="map-page">
      {me.scope ? (
        <ScopeMap scope={me.scope} />
      ) : (
        <div className="full-page-center">
          <StatusPanel status="info" title={t("map.noScope")} />
        </div>
      )}
    </div>
  );
}

function ScopeMap({ scope }: { scope: Scope }) {
  const { t } = useTranslation();
  const [selectedCode, setSelectedCode] = useState<string | null>(null);
  const { depth, label: levelLabel } = scopeLevel(scope.level);

  const division = useQuery({
    queryKey: ["division", scope.code, depth],
    queryFn: () => fetchDivision(scope.code, depth),
  });
  const grids = useQuery({
    queryKey: ["grids", scope.code],
    queryFn: () => fetchGrids(scope.code),
  });

  const legend = useMemo<StreetEntry[]>(() => (grids.data ? streetLegend(grids.data) : []), [grids.data]);
  const streetColors = useMemo(() => new Map(legend.map((entry) => [entry.code, entry.color])), [legend]);
  const selectedFeature = useMemo(
    () => grids.data?.features.find((feature) => feature.properties.code === selectedCode) ?? null,
    [grids.data, selectedCode],
  );
  const onSelect = useCallback((code: string | null) => setSelectedCode(code), []);

  if (division.isPending || grids.isPending) {
    return (
      <div className="full-page-center" role="status" aria-live="polite">
        <Spin size="large" />
        <span className="full-page-center__tip">{t("map.loading")}</span>
      </div>
    );
  }
  if (division.isError || grids.isError) {
    const error = division.error ?? grids.error;
    return (
      <div className="full-page-center">
        <StatusPanel
          status="error"
          title={t("map.loadError")}
          subTitle={error?.message}
          extra={
            <Button
              type="primary"
              onClick={() => {
                void division.refetch();
                void grids.refetch();
              }}
            >
              {t("common.retry")}
            </Button>
          }
        />
      </div>
    );
  }

  const communities = countLevel(division.data, "community");
  return (
    <div className="map-stage">
      <GridMap
        grids={grids.data}
        division={division.data}
        streetColors={streetColors}
        selectedCode={selectedCode}
        onSelect={onSelect}
        label={`${t("map.label")} · ${division.data.name}`}
      />
      <section className="map-legend" aria-labelledby="map-legend-title">
        <div className="map-legend__header">
          <h2 id="map-legend-title" className="map-legend__title">
            {division.data.name}
          </h2>
          <Tag>{t(levelLabel)}</Tag>
        </div>
        <p className="map-legend__stats">
          {t("map.gridCount", { streets: legend.length, communities, grids: grids.data.features.length })}
        </p>
        <h3 className="map-legend__subtitle">{t("map.legendStreets")}</h3>
        <ul className="map-legend__list">
          {legend.map((entry) => (
            <li key={entry.code} className="map-legend__item">
              <span className="map-legend__swatch" style={{ backgroundColor: entry.color }} aria-hidden="true" />
              <span className="map-legend__name">{entry.name}</span>
              <span className="map-legend__count">{entry.grids}</span>
            </li>
          ))}
        </ul>
      </section>
      <GridDrawer feature={selectedFeature} onClose={() => setSelectedCode(null)} />
    </div>
  );
}

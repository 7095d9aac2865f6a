import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Alert, Button, Radio, Spin, Tag, Typography } from "antd";
import { ClearOutlined } from "@ant-design/icons";
import L from "leaflet";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { fetchDivision, fetchGrids, type Division, type Scope } from "../../api/client";
import { fetchMapConfig, fetchPoints, mapKeys, pointsQuery, takeEarlyOr, type PointsQuery } from "./early-reads";
import { divisionDepth } from "../scope-divisions";
import { StatusPanel } from "../../components/StatusPanel";
import { addMessages, type MessageKey } from "../../i18n";
import { CasePointsLayer } from "../../map/CasePointsLayer";
import { displayProjection, projectColumns } from "../../map/gcj02";
import { GridDrawer } from "../../map/GridDrawer";
import { GridMap } from "../../map/GridMap";
import { LIGHT_COLORS, streetLegend, type MapLight, type StreetEntry } from "../../map/palette";
import { useMe } from "../../session";
import { caseKeys, fetchCase } from "../cases/caseApi";
import "../messages";
import CaseFilterFields from "../queue/CaseFilterFields";
import { hasFilters, readFilters, STATUSES, writeFilters, type QueueFilters } from "../queue/filters";
import "./case-map.css";
import messages from "./messages";
import { casesAt, spotQuery, type SpotCase } from "./spot";

addMessages("caseMap", messages);

/** The open statuses: the map shows no finished case, so its status filter offers none. */
const OPEN_STATUSES = STATUSES.filter((status) => !["rejected", "closed", "evaluated", "merged"].includes(status));
const DEADLINE_FILTERS = ["all", "near_due", "overdue"] as const;
const LIGHTS: readonly MapLight[] = ["overdue", "near_due", "on_time", "suspended"];

/** The label of the scope's level in the legend. */
function levelLabel(level: string): MessageKey {
  return level === "community" ? "level.community" : level === "street" ? "level.street" : "level.district";
}

function countLevel(division: Division, level: Division["level"]): number {
  let count = division.level === level ? 1 : 0;
  for (const child of division.children ?? []) count += countLevel(child, level);
  return count;
}

/** The map of cases: the scope's grids, and every open case in it as a point, clustered, coloured by its deadline light. */
export default function CaseMapPage() {
  const me = useMe();
  const { t } = useTranslation();
  return (
    <div className="case-map-page">
      {me.scope ? (
        <ScopeMap scope={me.scope} canReadCases={me.permissions.includes("case.read")} />
      ) : (
        <div className="full-page-center">
          <StatusPanel status="info" title={t("map.noScope")} />
        </div>
      )}
    </div>
  );
}

type Selected = { index: number; at: L.LatLng; element: HTMLDivElement };

function ScopeMap({ scope, canReadCases }: { scope: Scope; canReadCases: boolean }) {
  const { t } = useTranslation();
  const { t: tm } = useTranslation("caseMap");
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readFilters(params), [params]);
  const update = useCallback((change: Partial<QueueFilters>) => setParams(writeFilters({ ...filters, ...change })), [filters, setParams]);
  const reset = useCallback(() => setParams(new URLSearchParams()), [setParams]);
  const [selectedCode, setSelectedCode] = useState<string | null>(null);
  const [selected, setSelected] = useState<Selected | null>(null);
  const [map, setMap] = useState<L.Map | null>(null);
  const depth = divisionDepth(scope.level);

  const division = useQuery({
    queryKey: mapKeys.division(scope.code, depth),
    queryFn: ({ queryKey }) => takeEarlyOr(queryKey, () => fetchDivision(scope.code, depth)),
  });
  const grids = useQuery({ queryKey: mapKeys.grids(scope.code), queryFn: ({ queryKey }) => takeEarlyOr(queryKey, () => fetchGrids(scope.code)) });
  const mapConfig = useQuery({
    queryKey: mapKeys.config(),
    queryFn: ({ queryKey }) => takeEarlyOr(queryKey, fetchMapConfig),
    staleTime: Infinity,
    // The map waits for it: one that fails is said at once, the map drawn without tiles meanwhile.
    retry: false,
  });
  const query = useMemo(() => pointsQuery(filters), [filters]);
  const points = useQuery({
    queryKey: mapKeys.points(query),
    queryFn: ({ queryKey }) => takeEarlyOr(queryKey, () => fetchPoints(query)),
    enabled: canReadCases,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    // Lights change with the clock: read again each minute (a 304 while nothing changed).
    refetchInterval: 60_000,
  });

  const tileCrs = mapConfig.data?.tileCrs ?? "wgs84";
  const project = useMemo(() => displayProjection(tileCrs), [tileCrs]);
  const legend = useMemo<StreetEntry[]>(() => (grids.data ? streetLegend(grids.data) : []), [grids.data]);
  const streetColors = useMemo(() => new Map(legend.map((entry) => [entry.code, entry.color])), [legend]);
  const selectedFeature = useMemo(() => grids.data?.features.find((feature) => feature.properties.code === selectedCode) ?? null, [grids.data, selectedCode]);
  const onSelect = useCallback((code: string | null) => setSelectedCode(code), []);

  // The columns the map asked for; the lights, suspended cases grey whatever their deadline, and the counts for the legend.
  const columns = useMemo(() => {
    const counts: Record<MapLight, number> = { on_time: 0, near_due: 0, overdue: 0, suspended: 0 };
    const data = points.data;
    const status = data?.status ?? [];
    const lights = data?.light ?? [];
    const light = new Array<MapLight>(lights.length);
    for (let i = 0; i < lights.length; i++) {
      light[i] = status[i] === "suspended" ? "suspended" : lights[i];
      counts[light[i]]++;
    }
    return { lng: data?.lng ?? [], lat: data?.lat ?? [], status, light, counts };
  }, [points.data]);

  // The tile layer, when tiles are configured; else the plain background.
  const tileUrl = mapConfig.data?.tileUrl ?? null;
  const subdomains = mapConfig.data?.tileSubdomains ?? "abc";
  useEffect(() => {
    if (!map || !tileUrl) return;
    const tiles = L.tileLayer(tileUrl, { subdomains, maxZoom: 19, className: "map-tiles" }).addTo(map);
    return () => {
      tiles.remove();
    };
  }, [map, tileUrl, subdomains]);

  // The cases' layer, created once per map.
  const layerRef = useRef<CasePointsLayer | null>(null);
  useEffect(() => {
    if (!map) return;
    const layer = new CasePointsLayer({
      onPoint: (index, at) => setSelected({ index, at, element: document.createElement("div") }),
    }).addTo(map);
    layerRef.current = layer;
    return () => {
      layer.remove();
      layerRef.current = null;
    };
  }, [map]);
  useEffect(() => {
    const layer = layerRef.current;
    if (!layer || !points.data) return;
    layer.setPoints({ ...projectColumns(tileCrs, columns.lng, columns.lat), light: columns.light });
  }, [map, points.data, columns, tileCrs]);

  // The popup of a clicked case: a Leaflet popup whose content React renders.
  useEffect(() => {
    if (!map || !selected) return;
    const popup = L.popup({ className: "case-popup", maxWidth: 320, minWidth: 240, autoPanPadding: [24, 24] })
      .setLatLng(selected.at)
      .setContent(selected.element)
      .openOn(map);
    popup.on("remove", () => setSelected((current) => (current === selected ? null : current)));
    return () => {
      popup.remove();
    };
  }, [map, selected]);
  // A new answer may no longer hold the selected case at its index.
  const [seenPoints, setSeenPoints] = useState(points.data);
  if (seenPoints !== points.data) {
    setSeenPoints(points.data);
    setSelected(null);
  }

  // The configuration too, small and asked for beside them: drawn once, in the tiles' projection.
  if (division.isPending || grids.isPending || mapConfig.isPending) {
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
  const deadlineFilter = filters.queue === "near_due" || filters.queue === "overdue" ? filters.queue : "all";
  const selectedIndex = selected?.index;
  return (
    <>
      {canReadCases ? (
        <MapFilters filters={filters} deadline={deadlineFilter} update={update} reset={reset} />
      ) : null}
      <div className="map-page">
        <div className="map-stage">
          <GridMap
            grids={grids.data}
            division={division.data}
            streetColors={streetColors}
            selectedCode={selectedCode}
            onSelect={onSelect}
            label={`${t("map.label")} · ${division.data.name}`}
            project={project}
            onMap={setMap}
            fillOpacity={canReadCases ? 0.35 : undefined}
          />
          <section className="map-legend" aria-labelledby="map-legend-title">
            <div className="map-legend__header">
              <h2 id="map-legend-title" className="map-legend__title">
                {division.data.name}
              </h2>
              <Tag>{t(levelLabel(scope.level))}</Tag>
            </div>
            <p className="map-legend__stats">{t("map.gridCount", { streets: legend.length, communities, grids: grids.data.features.length })}</p>
            {canReadCases ? (
              <>
                <h3 className="map-legend__subtitle">{tm("legend.lights")}</h3>
                <p className="map-legend__stats case-map__count" role="status" aria-live="polite">
                  {points.isPending ? tm("points.loading") : tm("points.count", { count: points.data?.count ?? 0 })}
                  {points.isFetching && !points.isPending ? <Spin size="small" className="case-map__refreshing" /> : null}
                </p>
                <ul className="map-legend__list" aria-label={tm("legend.lights")}>
                  {LIGHTS.map((light) => (
                    <li key={light} className="map-legend__item" data-light={light}>
                      <span className="map-legend__dot" style={{ backgroundColor: LIGHT_COLORS[light] }} aria-hidden="true" />
                      <span className="map-legend__name">{tm(`legend.${light}`)}</span>
                      <span className="map-legend__count">{columns.counts[light]}</span>
                    </li>
                  ))}
                </ul>
                <p className="map-legend__hint">{tm("legend.cluster")}</p>
              </>
            ) : null}
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
          <div className="case-map__notices">
            {!canReadCases ? <Alert type="info" showIcon title={tm("points.noCaseRead")} /> : null}
            {mapConfig.isError ? (
              <Alert
                type="warning"
                showIcon
                title={tm("tiles.error")}
                action={
                  <Button size="small" loading={mapConfig.isFetching} onClick={() => void mapConfig.refetch()}>
                    {tm("points.retry")}
                  </Button>
                }
              />
            ) : null}
            {points.isError ? (
              <Alert
                type="error"
                showIcon
                title={tm("points.error")}
                action={
                  <Button size="small" onClick={() => void points.refetch()}>
                    {tm("points.retry")}
                  </Button>
                }
              />
            ) : null}
            {points.data?.truncated ? <Alert type="warning" showIcon title={tm("points.truncated", { count: points.data.count })} /> : null}
          </div>
          <GridDrawer feature={selectedFeature} onClose={() => setSelectedCode(null)} />
          {selected && points.data && selectedIndex !== undefined
            ? createPortal(
                <CasesAt query={query} lng={columns.lng[selectedIndex]} lat={columns.lat[selectedIndex]} />,
                selected.element,
              )
            : null}
        </div>
      </div>
    </>
  );
}

type FiltersProps = {
  filters: QueueFilters;
  deadline: (typeof DEADLINE_FILTERS)[number];
  update: (change: Partial<QueueFilters>) => void;
  reset: () => void;
};

/**
 * The map's filters, the queues' fields and URL parameters, so that a link shows the same cases on
 * the map and in the list. Rendered again only when they change, not with each answer the map gets.
 */
const MapFilters = memo(function MapFilters({ filters, deadline, update, reset }: FiltersProps) {
  const { t } = useTranslation("console");
  const { t: tm } = useTranslation("caseMap");
  return (
    <section className="queue-filters case-map__filters" aria-label={tm("filters.label")}>
      <Radio.Group
        optionType="button"
        buttonStyle="solid"
        value={deadline}
        aria-label={tm("filters.deadline")}
        onChange={(event) => update({ queue: event.target.value as QueueFilters["queue"] })}
        options={DEADLINE_FILTERS.map((value) => ({ value, label: value === "all" ? tm("filters.deadlineAll") : t(`queue.${value}`) }))}
      />
      <CaseFilterFields idPrefix="case-map" filters={filters} update={update} statuses={OPEN_STATUSES} />
      {hasFilters(filters) || filters.queue !== "all" ? (
        <div className="queue-filters__actions">
          <Button icon={<ClearOutlined aria-hidden="true" />} onClick={reset}>
            {t("queue.reset")}
          </Button>
        </div>
      ) : null}
    </section>
  );
});

/** The deadline light's class, as the queues draw it. */
const LIGHT_CLASS: Record<MapLight, string> = { on_time: "green", near_due: "yellow", overdue: "red", suspended: "grey" };

/**
 * A clicked point: the map's cases at that very spot (the map's answer carries no ids), read by a
 * box around it with the map's filters. Usually one; cases reported at the same spot are listed together.
 */
function CasesAt({ query, lng, lat }: { query: PointsQuery; lng: number; lat: number }) {
  const { t: tm } = useTranslation("caseMap");
  const spot = useQuery({ queryKey: ["cases", "points", "at", query, lng, lat], queryFn: () => fetchPoints(spotQuery(query, lng, lat)) });
  const here = useMemo(() => (spot.data ? casesAt(spot.data, lng, lat) : []), [spot.data, lng, lat]);
  const label = spot.isPending ? tm("popup.loading") : spot.isError ? tm("popup.spotError") : here.length === 0 ? tm("popup.gone") : tm("popup.cases", { count: here.length });
  return (
    <div className="case-popup__body" role="dialog" aria-label={label}>
      {spot.isPending ? (
        <Spin size="small" aria-label={label} />
      ) : spot.isError ? (
        <>
          <Typography.Text type="danger">{label}</Typography.Text>
          <Button size="small" className="case-popup__open" onClick={() => void spot.refetch()}>
            {tm("points.retry")}
          </Button>
        </>
      ) : here.length === 0 ? (
        label
      ) : (
        <>
          {here.length > 1 ? <div className="case-popup__heading">{label}</div> : null}
          {here.map((found) => (
            <CaseSummary key={found.id} {...found} />
          ))}
        </>
      )}
    </div>
  );
}

/** A case of a clicked point: its number and title (read with the case), status and light, and the way to its page. */
function CaseSummary({ id, status, light }: SpotCase) {
  const { t } = useTranslation("console");
  const { t: tm } = useTranslation("caseMap");
  const detail = useQuery({ queryKey: caseKeys.detail(id), queryFn: () => fetchCase(id) });
  const view = detail.data?.case;
  return (
    <section className="case-popup__case" aria-label={view?.number ?? tm("popup.loading")}>
      {view ? (
        <Typography.Text className="case-number" copyable={{ text: view.number }}>
          {view.number}
        </Typography.Text>
      ) : null}
      <div className="case-popup__title">
        {view ? view.title : detail.isError ? <Typography.Text type="danger">{tm("popup.error")}</Typography.Text> : <Spin size="small" aria-label={tm("popup.loading")} />}
      </div>
      <div className="case-popup__meta">
        <Tag>{t(`status.${status as (typeof STATUSES)[number]}`, { defaultValue: status })}</Tag>
        <span className={`deadline deadline--${LIGHT_CLASS[light]}`} data-deadline={light}>
          <span className="deadline__light" aria-hidden="true" />
          <span className="deadline__words">{tm(`legend.${light}`)}</span>
        </span>
      </div>
      <Link className="case-popup__open" to={`/console/cases/${id}`}>
        {tm("popup.open")}
      </Link>
    </section>
  );
}

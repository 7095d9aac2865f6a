import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Alert, Button, Radio, Spin, Tag, Typography } from "antd";
import { ClearOutlined } from "@ant-design/icons";
import L from "leaflet";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { api, fetchDivision, fetchGrids, unwrap, type Division, type Scope } from "../../api/client";
import { StatusPanel } from "../../components/StatusPanel";
import { addMessages, type MessageKey } from "../../i18n";
import { CasePointsLayer } from "../../map/CasePointsLayer";
import { displayProjection } from "../../map/gcj02";
import { GridDrawer } from "../../map/GridDrawer";
import { GridMap } from "../../map/GridMap";
import { LIGHT_COLORS, streetLegend, type MapLight, type StreetEntry } from "../../map/palette";
import { useMe } from "../../session";
import { caseKeys, fetchCase } from "../cases/caseApi";
import "../messages";
import CaseFilterFields from "../queue/CaseFilterFields";
import { apiQuery, hasFilters, readFilters, STATUSES, writeFilters, type QueueFilters } from "../queue/filters";
import "./case-map.css";
import messages from "./messages";

addMessages("caseMap", messages);

/** The open statuses: the map shows no finished case, so its status filter offers none. */
const OPEN_STATUSES = STATUSES.filter((status) => !["rejected", "closed", "evaluated", "merged"].includes(status));
const DEADLINE_FILTERS = ["all", "near_due", "overdue"] as const;
const LIGHTS: readonly MapLight[] = ["overdue", "near_due", "on_time", "suspended"];

type PointsQuery = ReturnType<typeof pointsQuery>;

/** The list's filters less its text search, which the map does not take. */
function pointsQuery(filters: QueueFilters) {
  const { q: _q, ...rest } = apiQuery(filters);
  return rest;
}

const fetchPoints = (query: PointsQuery) => unwrap(api.GET("/api/v1/cases/points", { params: { query } }));

/**
 * The points of the map's URL, asked for as soon as this chunk arrives, while the shell and the
 * page still render: they are the page's longest read. The page's query takes this answer once,
 * if it asks for the same filters; a user who may not read cases never takes it.
 */
let earlyPoints: { key: string; answer: ReturnType<typeof fetchPoints> } | null = null;
if (window.location.pathname === "/console/map") {
  const query = pointsQuery(readFilters(new URLSearchParams(window.location.search)));
  earlyPoints = { key: JSON.stringify(query), answer: fetchPoints(query) };
  // Refused or failed: the page's own query asks again and shows why.
  earlyPoints.answer.catch(() => (earlyPoints = null));
}

function takeEarlyPoints(query: PointsQuery): ReturnType<typeof fetchPoints> | null {
  const early = earlyPoints;
  earlyPoints = null;
  return early && early.key === JSON.stringify(query) ? early.answer : null;
}

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
  const update = (change: Partial<QueueFilters>) => setParams(writeFilters({ ...filters, ...change }));
  const [selectedCode, setSelectedCode] = useState<string | null>(null);
  const [selected, setSelected] = useState<Selected | null>(null);
  const [map, setMap] = useState<L.Map | null>(null);
  const { depth, label: levelLabel } = scopeLevel(scope.level);

  const division = useQuery({ queryKey: ["division", scope.code, depth], queryFn: () => fetchDivision(scope.code, depth) });
  const grids = useQuery({ queryKey: ["grids", scope.code], queryFn: () => fetchGrids(scope.code) });
  const mapConfig = useQuery({ queryKey: ["map-config"], queryFn: () => unwrap(api.GET("/api/v1/map-config")), staleTime: Infinity });
  const query = useMemo(() => pointsQuery(filters), [filters]);
  const points = useQuery({
    queryKey: ["cases", "points", query],
    queryFn: () => takeEarlyPoints(query) ?? fetchPoints(query),
    enabled: canReadCases,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    // Lights change with the clock: read again each minute (a 304 while nothing changed).
    refetchInterval: 60_000,
  });

  const project = useMemo(() => displayProjection(mapConfig.data?.tileCrs ?? "wgs84"), [mapConfig.data?.tileCrs]);
  const legend = useMemo<StreetEntry[]>(() => (grids.data ? streetLegend(grids.data) : []), [grids.data]);
  const streetColors = useMemo(() => new Map(legend.map((entry) => [entry.code, entry.color])), [legend]);
  const selectedFeature = useMemo(() => grids.data?.features.find((feature) => feature.properties.code === selectedCode) ?? null, [grids.data, selectedCode]);
  const onSelect = useCallback((code: string | null) => setSelectedCode(code), []);

  // The lights, suspended cases grey whatever their deadline, and the counts for the legend.
  const lights = useMemo(() => {
    const data = points.data;
    if (!data) return { light: [] as MapLight[], counts: { on_time: 0, near_due: 0, overdue: 0, suspended: 0 } };
    const counts: Record<MapLight, number> = { on_time: 0, near_due: 0, overdue: 0, suspended: 0 };
    const light = data.light.map((value, i): MapLight => (data.status[i] === "suspended" ? "suspended" : value));
    for (const value of light) counts[value]++;
    return { light, counts };
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
    const data = points.data;
    if (!layer || !data) return;
    const lng = new Array<number>(data.count);
    const lat = new Array<number>(data.count);
    for (let i = 0; i < data.count; i++) [lng[i], lat[i]] = project(data.lng[i], data.lat[i]);
    layer.setPoints({ lng, lat, light: lights.light });
  }, [map, points.data, lights, project]);

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
  const deadlineFilter = filters.queue === "near_due" || filters.queue === "overdue" ? filters.queue : "all";
  const selectedIndex = selected?.index;
  return (
    <>
      {canReadCases ? (
        <MapFilters filters={filters} deadline={deadlineFilter} update={update} reset={() => setParams(new URLSearchParams())} />
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
              <Tag>{t(levelLabel)}</Tag>
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
                      <span className="map-legend__count">{lights.counts[light]}</span>
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
                <CasePopup
                  id={points.data.id[selectedIndex]}
                  number={points.data.number[selectedIndex]}
                  status={points.data.status[selectedIndex]}
                  light={lights.light[selectedIndex]}
                />,
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

/** The map's filters, the queues' fields and URL parameters, so that a link shows the same cases on the map and in the list. */
function MapFilters({ filters, deadline, update, reset }: FiltersProps) {
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
}

type PopupProps = { id: string; number: string; status: string; light: MapLight };

/** The deadline light's class, as the queues draw it. */
const LIGHT_CLASS: Record<MapLight, string> = { on_time: "green", near_due: "yellow", overdue: "red", suspended: "grey" };

/** A clicked case: its number, title, status and light, and the way to its page. */
function CasePopup({ id, number, status, light }: PopupProps) {
  const { t } = useTranslation("console");
  const { t: tm } = useTranslation("caseMap");
  const detail = useQuery({ queryKey: caseKeys.detail(id), queryFn: () => fetchCase(id) });
  const view = detail.data?.case;
  return (
    <div className="case-popup__body" role="dialog" aria-label={number}>
      <Typography.Text className="case-number" copyable={{ text: number }}>
        {number}
      </Typography.Text>
      <div className="case-popup__title">{view ? view.title : detail.isError ? null : <Spin size="small" aria-label={tm("popup.loading")} />}</div>
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
    </div>
  );
}

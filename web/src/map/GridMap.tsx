import { useCallback, useEffect, useRef } from "react";
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import type { Feature, FeatureCollection, Geometry } from "geojson";
import type { Division, GridFeature, GridFeatureCollection } from "../api/client";
import "./grid-map.css";
import { FALLBACK_COLOR } from "./palette";

type Props = {
  grids: GridFeatureCollection;
  /** The scope's division with its descendants and their boundaries. */
  division: Division;
  streetColors: ReadonlyMap<string, string>;
  selectedCode: string | null;
  onSelect: (code: string | null) => void;
  label: string;
  /** Where a stored WGS-84 [lng, lat] is drawn on the map's tiles (GCJ-02 tiles need it converted); as stored by default. */
  project?: (lng: number, lat: number) => [number, number];
  /** The map once created (null once removed), for a page to add its own layers: tiles, cases. */
  onMap?: (map: L.Map | null) => void;
  /** Grid fill opacity: lighter where cases are drawn over the grids. */
  fillOpacity?: number;
};

// Stacking order: the grid fills and, over them, the community and street borders, in one SVG;
// then the selection. One SVG, not one per kind: without a GPU every layer is blended into every
// frame of a pan, and three full-view SVGs over the cases' canvas missed a frame in four.
const PANES = {
  grids: 410,
  selection: 440,
} as const;

/** Grid fills added per frame: a few milliseconds of SVG paths each. */
const FILL_SLICE = 80;

const GRID_STYLE = { color: "#ffffff", weight: 0.6, opacity: 0.9, fillOpacity: 0.65 } as const;
const GRID_HOVER_STYLE = { weight: 1.5, color: "#1f1f1f", fillOpacity: 0.85 } as const;
const COMMUNITY_BORDER = { color: "#434343", weight: 1.4, opacity: 0.85 } as const;
const STREET_BORDER = { color: "#141414", weight: 3, opacity: 0.95 } as const;

type Boundaries = { streets: Geometry[]; communities: Geometry[] };

/** The street and community boundaries in a division tree, the root included. */
function collectBoundaries(division: Division, into: Boundaries = { streets: [], communities: [] }): Boundaries {
  if (division.geometry) {
    if (division.level === "district" || division.level === "street") into.streets.push(division.geometry);
    else if (division.level === "community") into.communities.push(division.geometry);
  }
  for (const child of division.children ?? []) collectBoundaries(child, into);
  return into;
}

/** A GeoJSON layer hands its options to the paths it makes: these draw them with `renderer`. */
const drawnBy = (renderer: L.Renderer): L.PathOptions => ({ renderer });

function boundaryLayer(geometries: Geometry[], renderer: L.Renderer, style: L.PathOptions, coordsToLatLng: (coords: [number, number]) => L.LatLng): L.GeoJSON {
  const collection: FeatureCollection = {
    type: "FeatureCollection",
    features: geometries.map((geometry) => ({ type: "Feature", geometry, properties: {} })),
  };
  return L.geoJSON(collection, { ...drawnBy(renderer), interactive: false, coordsToLatLng, style: () => ({ ...style, fill: false }) });
}

function textElement(text: string): HTMLElement {
  const element = document.createElement("span");
  element.textContent = text;
  return element;
}

function gridCodeOf(feature: Feature | undefined): string | null {
  const code: unknown = feature?.properties?.code ?? feature?.id;
  return typeof code === "string" ? code : null;
}

const asStored = (lng: number, lat: number): [number, number] => [lng, lat];

export function GridMap({ grids, division, streetColors, selectedCode, onSelect, label, project = asStored, onMap, fillOpacity = GRID_STYLE.fillOpacity }: Props) {
  const containerRef = useRef<HTMLDivElement>(null);
  const mapRef = useRef<L.Map | null>(null);
  const onSelectRef = useRef(onSelect);
  const selectedRef = useRef(selectedCode);
  const gridPathsRef = useRef(new Map<string, L.Path>());
  const onMapRef = useRef(onMap);
  // GeoJSON layers draw each coordinate where the tiles have it.
  const coordsToLatLng = useCallback(
    (coords: [number, number] | [number, number, number]) => {
      const [lng, lat] = project(coords[0], coords[1]);
      return L.latLng(lat, lng);
    },
    [project],
  );

  useEffect(() => {
    onSelectRef.current = onSelect;
  }, [onSelect]);

  // The map itself: created once, on a blank background (no tile layer).
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const map = L.map(container, {
      attributionControl: false,
      zoomSnap: 0.25,
      zoomDelta: 0.5,
      wheelPxPerZoomLevel: 120,
      minZoom: 8,
      maxZoom: 19,
    });
    for (const [name, zIndex] of Object.entries(PANES)) {
      map.createPane(name).style.zIndex = String(zIndex);
    }
    map.setView([25.05, 102.72], 11);
    map.on("click", () => onSelectRef.current(null));
    // While dragged, the grids take no pointer: no hover restyle or sticky tooltip move in every frame.
    map.on("dragstart", () => {
      for (const path of gridPathsRef.current.values()) path.closeTooltip();
      container.classList.add("grid-map--dragging");
    });
    map.on("dragend", () => container.classList.remove("grid-map--dragging"));
    L.control.scale({ imperial: false, position: "bottomright" }).addTo(map);
    mapRef.current = map;
    onMapRef.current?.(map);

    const resize = new ResizeObserver(() => map.invalidateSize());
    resize.observe(container);
    return () => {
      resize.disconnect();
      onMapRef.current?.(null);
      map.remove();
      mapRef.current = null;
    };
  }, []);

  // Grid fills and the community and street borders.
  useEffect(() => {
    const map = mapRef.current;
    if (!map) return;
    const gridPaths = gridPathsRef.current;
    gridPaths.clear();

    const colorOf = (feature: Feature | undefined): string => {
      const streetCode: unknown = feature?.properties?.streetCode;
      return (typeof streetCode === "string" && streetColors.get(streetCode)) || FALLBACK_COLOR;
    };
    const baseStyle = (feature: Feature | undefined): L.PathOptions => ({
      ...GRID_STYLE,
      fillOpacity,
      fillColor: colorOf(feature),
    });

    // The borders at once, and the view fitted to them; the grid fills, hundreds of SVG paths, a
    // slice per frame from the second frame on, so that the first one shows whatever a page draws
    // over them (the cases) without waiting for any fill, and no frame waits for all of them.
    const boundaries = collectBoundaries(division);
    const vectors = L.svg({ pane: "grids" });
    const borders = L.featureGroup([
      boundaryLayer(boundaries.communities, vectors, COMMUNITY_BORDER, coordsToLatLng),
      boundaryLayer(boundaries.streets, vectors, STREET_BORDER, coordsToLatLng),
    ]);
    // Without animation: a map left within the animation's quarter second would otherwise end it on removed panes.
    const fit = (bounds: L.LatLngBounds) => map.fitBounds(bounds, { padding: [24, 24], animate: false });
    // The view fitted before the borders are added, which are then projected once, at that view.
    const bordersBounds = borders.getBounds();
    if (bordersBounds.isValid()) fit(bordersBounds);
    borders.addTo(map);
    const fills = L.geoJSON(undefined, {
      ...drawnBy(vectors),
      coordsToLatLng,
      style: baseStyle,
      onEachFeature: (feature, layer) => {
        const code = gridCodeOf(feature);
        if (!code || !(layer instanceof L.Path)) return;
        gridPaths.set(code, layer);
        const name: unknown = feature.properties?.name;
        // Leaflet writes a string tooltip as HTML: names go in as text.
        layer.bindTooltip(() => textElement(`${typeof name === "string" ? name : ""} ${code}`.trim()), {
          sticky: true,
          direction: "top",
          className: "grid-tooltip",
        });
        layer.on("add", () => {
          const element = layer.getElement();
          if (!element) return;
          element.setAttribute("data-grid-code", code);
          element.classList.add("grid-cell");
          if (code === selectedRef.current) element.classList.add("grid-cell--selected");
        });
        layer.on("mouseover", () => layer.setStyle(GRID_HOVER_STYLE));
        layer.on("mouseout", () => layer.setStyle(baseStyle(feature)));
        layer.on("click", (event: L.LeafletMouseEvent) => {
          L.DomEvent.stopPropagation(event);
          onSelectRef.current(code);
        });
      },
    }).addTo(map);
    let next = 0;
    let frame = 0;
    const addSlice = () => {
      const slice = grids.features.slice(next, next + FILL_SLICE);
      next += slice.length;
      const collection: FeatureCollection = { type: "FeatureCollection", features: slice };
      fills.addData(collection);
      // Paths are stacked in the order added: the borders back over the fills.
      borders.bringToFront();
      if (next < grids.features.length) frame = requestAnimationFrame(addSlice);
      else if (!bordersBounds.isValid() && fills.getBounds().isValid()) fit(fills.getBounds());
    };
    // A callback asked for now runs before the next frame's paint: the first slice waits one more.
    frame = requestAnimationFrame(() => {
      frame = requestAnimationFrame(addSlice);
    });

    return () => {
      cancelAnimationFrame(frame);
      fills.remove();
      borders.remove();
      vectors.remove();
      gridPaths.clear();
    };
  }, [grids, division, streetColors, coordsToLatLng, fillOpacity]);

  // The selected grid: outlined above every border, and marked on its path element.
  useEffect(() => {
    selectedRef.current = selectedCode;
    const map = mapRef.current;
    if (!map) return;
    for (const [code, path] of gridPathsRef.current) {
      path.getElement()?.classList.toggle("grid-cell--selected", code === selectedCode);
    }
    const feature: GridFeature | undefined = selectedCode
      ? grids.features.find((candidate) => candidate.properties.code === selectedCode)
      : undefined;
    if (!feature) return;
    const highlight = L.geoJSON(feature, {
      pane: "selection",
      coordsToLatLng,
      interactive: false,
      style: () => ({ color: "#fadb14", weight: 4, opacity: 1, fillColor: "#fffb8f", fillOpacity: 0.45 }),
    }).addTo(map);
    const outline = L.geoJSON(feature, {
      pane: "selection",
      coordsToLatLng,
      interactive: false,
      style: () => ({ color: "#141414", weight: 1.5, opacity: 1, fill: false, dashArray: "4 3" }),
    }).addTo(map);
    const bounds = highlight.getBounds();
    if (bounds.isValid() && !map.getBounds().contains(bounds)) map.panTo(bounds.getCenter());
    return () => {
      highlight.remove();
      outline.remove();
    };
  }, [selectedCode, grids, coordsToLatLng]);

  return <div ref={containerRef} className="grid-map" role="region" aria-label={label} />;
}

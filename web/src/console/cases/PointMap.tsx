import { useEffect, useRef } from "react";
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import type { GridFeatureCollection } from "../../api/client";

type Point = { lat: number; lng: number };

type Props = {
  /** Grids drawn around the point (a community's or a district's), on a plain background. */
  grids: GridFeatureCollection | undefined;
  point: Point | null;
  /** The grid the point lies in, outlined. */
  gridCode: string | null;
  label: string;
  /** When given, a click on the map picks a point. */
  onPick?: (point: Point) => void;
  className?: string;
};

const GRID_STYLE = { color: "#8c8c8c", weight: 0.8, opacity: 0.9, fillColor: "#d6e4ff", fillOpacity: 0.35 } as const;
const CURRENT_STYLE = { color: "#1f5fbf", weight: 2.5, opacity: 1, fillColor: "#91caff", fillOpacity: 0.45 } as const;
const POINT_STYLE = { radius: 8, color: "#ffffff", weight: 2, fillColor: "#cf1322", fillOpacity: 1 } as const;

/** A small map of a place: the grids around it, its grid outlined, and the point itself. */
export default function PointMap({ grids, point, gridCode, label, onPick, className }: Props) {
  const containerRef = useRef<HTMLDivElement>(null);
  const mapRef = useRef<L.Map | null>(null);
  const onPickRef = useRef(onPick);
  const fittedRef = useRef(false);

  useEffect(() => {
    onPickRef.current = onPick;
  }, [onPick]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    // No zoom animation: a case's page may be left (previous/next) while one runs, and Leaflet's
    // end of an animation on a removed map throws.
    const map = L.map(container, { attributionControl: false, zoomSnap: 0.25, minZoom: 8, maxZoom: 19, zoomAnimation: false });
    map.setView([25.05, 102.72], 12);
    map.on("click", (event: L.LeafletMouseEvent) => onPickRef.current?.({ lat: event.latlng.lat, lng: event.latlng.lng }));
    L.control.scale({ imperial: false, position: "bottomright" }).addTo(map);
    mapRef.current = map;
    const resize = new ResizeObserver(() => map.invalidateSize());
    resize.observe(container);
    return () => {
      resize.disconnect();
      map.remove();
      mapRef.current = null;
    };
  }, []);

  const hasPoint = point !== null;
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !grids) return;
    const layer = L.geoJSON(grids, {
      interactive: false,
      style: (feature) => (feature?.properties?.code === gridCode ? CURRENT_STYLE : GRID_STYLE),
    }).addTo(map);
    // Fit the drawn area once; later points keep the operator's view.
    if (!fittedRef.current && !hasPoint) {
      const bounds = layer.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
      fittedRef.current = true;
    }
    return () => {
      layer.remove();
    };
  }, [grids, gridCode, hasPoint]);

  // Keyed by the coordinates, so that a new object for the same point moves nothing.
  const lat = point?.lat;
  const lng = point?.lng;
  useEffect(() => {
    const map = mapRef.current;
    if (!map || lat === undefined || lng === undefined) return;
    const marker = L.circleMarker([lat, lng], { ...POINT_STYLE, interactive: false }).addTo(map);
    // A new point is brought into view close enough to see its grid; a point clicked in view stays put.
    if (!fittedRef.current || map.getZoom() < 14 || !map.getBounds().contains([lat, lng])) {
      map.setView([lat, lng], Math.max(map.getZoom(), 15));
    }
    fittedRef.current = true;
    return () => {
      marker.remove();
    };
  }, [lat, lng]);

  return <div ref={containerRef} className={`point-map ${className ?? ""}`} role="region" aria-label={label} data-picking={onPick ? "true" : undefined} />;
}

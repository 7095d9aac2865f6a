import { useEffect, useMemo, useRef } from "react";
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { useTranslation } from "react-i18next";
import { displayProjection } from "../../map/gcj02";
import type { PickedPoint, PublicMap } from "./report-api";

/**
 * The map a resident taps to say where the problem is: the configured tiles (or a plain
 * background), the district's box for context and the chosen point. Loaded only when opened,
 * so no map library is in the portal's first load.
 */
export default function MapPicker({ map: config, point, onPick }: { map: PublicMap; point?: PickedPoint; onPick: (point: PickedPoint) => void }) {
  const { t } = useTranslation("residentPortal");
  const container = useRef<HTMLDivElement>(null);
  const leaflet = useRef<L.Map | null>(null);
  const marker = useRef<L.CircleMarker | null>(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  // A tap on tiles drawn in GCJ-02 is a GCJ-02 point; the API converts it when told so.
  const tapCrs = config.tileCrs === "gcj02" ? "gcj02" : "wgs84";
  const project = useMemo(() => displayProjection(config.tileCrs), [config.tileCrs]);

  useEffect(() => {
    if (!container.current) return;
    const map = L.map(container.current, { zoomControl: true, attributionControl: false });
    leaflet.current = map;
    if (config.tileUrl) L.tileLayer(config.tileUrl, { subdomains: config.tileSubdomains || "abc", maxZoom: 19 }).addTo(map);
    if (config.bounds) {
      const [west, south] = project(config.bounds.west, config.bounds.south);
      const [east, north] = project(config.bounds.east, config.bounds.north);
      const box = L.latLngBounds([south, west], [north, east]);
      L.rectangle(box, { color: "#1f5fbf", weight: 2, fill: false, dashArray: "6 6", interactive: false }).addTo(map);
      map.fitBounds(box);
    } else {
      map.setView([35, 105], 4);
    }
    map.on("click", (event: L.LeafletMouseEvent) => {
      pick.current({ lat: event.latlng.lat, lng: event.latlng.lng, crs: tapCrs, source: "map" });
    });
    return () => {
      map.remove();
      leaflet.current = null;
      marker.current = null;
    };
    // The map is made once per configuration; the point is drawn by the effect below.
  }, [config, project, tapCrs]);

  useEffect(() => {
    const map = leaflet.current;
    if (!map) return;
    marker.current?.remove();
    marker.current = null;
    if (!point) return;
    // A GPS point is WGS-84 and drawn as the tiles need; a tapped one is already in the tiles' system.
    const [lng, lat] = point.crs === tapCrs ? [point.lng, point.lat] : project(point.lng, point.lat);
    marker.current = L.circleMarker([lat, lng], { radius: 10, color: "#fff", weight: 3, fillColor: "#c62828", fillOpacity: 1 }).addTo(map);
    if (point.source === "gps") map.setView([lat, lng], Math.max(map.getZoom(), 16));
  }, [point, tapCrs, project]);

  return (
    <div>
      <div ref={container} className="r-map" role="application" aria-label={t("place.mapLabel")} />
      <p className="m-muted">{t("place.mapHint")}</p>
    </div>
  );
}

import { lazy, Suspense, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { fetchPublicMap, locate, type PickedPoint } from "./report-api";

const MapPicker = lazy(() => import("./MapPicker"));

type GpsState = "idle" | "busy" | "denied" | "unavailable" | "insecure";

/** Where the problem is: the phone's position, asked for only on a tap, or a tap on the map; then the place found for it. */
export function PlaceStep({ point, onPoint }: { point?: PickedPoint; onPoint: (point: PickedPoint) => void }) {
  const { t } = useTranslation("residentPortal");
  const { t: common } = useTranslation();
  const [gps, setGps] = useState<GpsState>("idle");
  const [mapOpen, setMapOpen] = useState(point?.source === "map");
  const publicMap = useQuery({ queryKey: ["public-map"], queryFn: fetchPublicMap, enabled: mapOpen, staleTime: 5 * 60_000 });

  const askPosition = () => {
    if (!window.isSecureContext || !("geolocation" in navigator)) {
      setGps("insecure");
      return;
    }
    setGps("busy");
    navigator.geolocation.getCurrentPosition(
      (position) => {
        setGps("idle");
        onPoint({ lat: position.coords.latitude, lng: position.coords.longitude, crs: "wgs84", source: "gps" });
      },
      (error) => setGps(error.code === error.PERMISSION_DENIED ? "denied" : "unavailable"),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 30_000 },
    );
  };

  return (
    <section aria-labelledby="report-step-title">
      <h2 id="report-step-title" className="r-step__title">
        {t("place.title")}
      </h2>
      <div className="r-actions">
        <button type="button" className="m-button m-button--block" onClick={askPosition} disabled={gps === "busy"}>
          <svg aria-hidden="true" width="22" height="22" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
            <circle cx="12" cy="12" r="4" />
            <path d="M12 2v4M12 18v4M2 12h4M18 12h4" />
          </svg>
          {gps === "busy" ? t("place.gpsBusy") : t("place.gps")}
        </button>
        {!mapOpen && (
          <button type="button" className="m-button m-button--block" onClick={() => setMapOpen(true)}>
            {t("place.map")}
          </button>
        )}
      </div>
      <p className="m-muted">{t("place.gpsHint")}</p>
      {gps === "denied" && <p className="m-notice m-notice--warning" role="alert">{t("place.gpsDenied")}</p>}
      {gps === "unavailable" && <p className="m-notice m-notice--warning" role="alert">{t("place.gpsUnavailable")}</p>}
      {gps === "insecure" && <p className="m-notice m-notice--warning" role="alert">{t("place.gpsInsecure")}</p>}
      {mapOpen &&
        (publicMap.isError ? (
          <p className="m-notice m-notice--error" role="alert">
            {t("place.mapError")}{" "}
            <button type="button" className="m-button" onClick={() => void publicMap.refetch()}>
              {common("common.retry")}
            </button>
          </p>
        ) : publicMap.data ? (
          <Suspense fallback={<p role="status">{t("place.mapLoading")}</p>}>
            <MapPicker map={publicMap.data} point={point} onPick={onPoint} />
          </Suspense>
        ) : (
          <p role="status">{t("place.mapLoading")}</p>
        ))}
      {point && <PlaceFound point={point} />}
    </section>
  );
}

/** The grid, community and street of the point, or why it cannot be taken, in plain words. */
export function PlaceFound({ point }: { point: PickedPoint }) {
  const { t } = useTranslation("residentPortal");
  const located = useLocated(point);
  if (located.isPending) return <p role="status">{t("place.locating")}</p>;
  if (located.isError) {
    const outside = located.error instanceof ApiError && located.error.code === "outside_district";
    return (
      <p className={`m-notice ${outside ? "m-notice--warning" : "m-notice--error"}`} role="alert">
        {t(outside ? "place.outside" : "place.error")}
      </p>
    );
  }
  return (
    <div className="m-notice" role="status">
      <div className="m-muted">{t("place.foundLabel")}</div>
      <strong>{t("place.found", { street: located.data.street.name, community: located.data.community.name, grid: located.data.grid.name })}</strong>
    </div>
  );
}

export function useLocated(point: PickedPoint | undefined) {
  return useQuery({
    queryKey: ["locate", point?.lat, point?.lng, point?.crs],
    queryFn: () => locate(point as PickedPoint),
    enabled: point !== undefined,
    staleTime: Infinity,
    retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
  });
}

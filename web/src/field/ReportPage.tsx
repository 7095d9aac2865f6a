import { lazy, Suspense, useEffect, useState, type FormEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ApiError, fetchGrids, type Me } from "../api/client";
import { fetchCategories, locate, previewReport } from "./fieldApi";
import { outbox, sentEvents, useOnline } from "./fieldState";
import { useOfflineQuery } from "./offlineQuery";
import type { Sent } from "./outbox/types";
import { PhotoPicker } from "./parts";
import { suggestByKeywords } from "./suggest";

type Point = { lat: number; lng: number; accuracy: number | null };

/** The grids of the worker's community (or street), read at sign-in and copied for drawing the map offline. */
export function useCommunityGrids(me: Me) {
  const scope = me.scope?.code ?? null;
  return useOfflineQuery(["grids", scope], () => fetchGrids(scope ?? ""), { enabled: scope !== null && scope.length >= 9 });
}

// Leaflet only when the worker asks for the map; the community's grids on a plain background work offline.
const PointMap = lazy(() => import("../console/cases/PointMap"));

function currentPosition(): Promise<Point> {
  return new Promise((resolve, reject) => {
    if (!("geolocation" in navigator)) {
      reject(new Error("no geolocation"));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => resolve({ lat: position.coords.latitude, lng: position.coords.longitude, accuracy: Math.round(position.coords.accuracy) }),
      (error) => reject(new Error(error.message)),
      { enableHighAccuracy: true, timeout: 20_000, maximumAge: 30_000 },
    );
  });
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;

export function ReportPage({ me }: { me: Me }) {
  const { t } = useTranslation("field");
  const online = useOnline();
  const [description, setDescription] = useState("");
  const [photos, setPhotos] = useState<Blob[]>([]);
  const [onSpot, setOnSpot] = useState(false);
  const [afterPhotos, setAfterPhotos] = useState<Blob[]>([]);
  // The server lets grid workers close on the spot what they fixed in their own community.
  const mayCloseOnSpot = me.roles.includes("grid_worker");
  const [point, setPoint] = useState<Point | null>(null);
  const [locating, setLocating] = useState(false);
  const [locationError, setLocationError] = useState<string | null>(null);
  const [categoryCode, setCategoryCode] = useState("");
  const [formError, setFormError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [typed, setTyped] = useState("");
  const categories = useOfflineQuery(["categories"], fetchCategories);
  const [mapOpen, setMapOpen] = useState(false);
  const grids = useCommunityGrids(me);

  // The description settles before the server is asked for a suggestion.
  useEffect(() => {
    const timer = setTimeout(() => setTyped(description.trim()), 500);
    return () => clearTimeout(timer);
  }, [description]);

  useEffect(() => {
    const onSent = (event: Event) => {
      const { item, caseNumber } = (event as CustomEvent<Sent>).detail;
      if (item.kind === "report") setNotice(t("report.sent", { number: caseNumber }));
    };
    sentEvents.addEventListener("sent", onSent);
    return () => sentEvents.removeEventListener("sent", onSent);
  }, [t]);

  const place = useQuery({
    queryKey: ["field", "locate", point?.lat, point?.lng],
    queryFn: () => locate(point!.lat, point!.lng),
    enabled: point !== null && online,
    retry: false,
  });
  const preview = useQuery({
    queryKey: ["field", "preview", typed, point?.lat, point?.lng],
    queryFn: () => previewReport(typed, { lat: point!.lat, lng: point!.lng }),
    enabled: point !== null && online && typed.length >= 2,
    retry: false,
  });
  const all = categories.data?.data ?? [];
  const suggested =
    preview.data?.suggestedCategories ?? suggestByKeywords(typed, all.filter((category) => category.parentCode !== null)).map(({ code, name }) => ({ code, name }));

  const getLocation = async () => {
    setLocating(true);
    setLocationError(null);
    try {
      const found = await currentPosition();
      setPoint({ ...found, lat: round(found.lat), lng: round(found.lng) });
    } catch (error) {
      setLocationError(t("report.locationError", { message: error instanceof Error ? error.message : String(error) }));
    } finally {
      setLocating(false);
    }
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (description.trim().length < 2) {
      setFormError(t("report.descriptionRequired"));
      return;
    }
    if (!point) {
      setFormError(t("report.locationRequired"));
      return;
    }
    if (onSpot && (photos.length === 0 || afterPhotos.length === 0)) {
      setFormError(t("report.onSpotPhotos"));
      return;
    }
    setFormError(null);
    await outbox.addReport(
      me.id,
      {
        description: description.trim(),
        location: { lat: point.lat, lng: point.lng },
        source: "grid_worker",
        ...(categoryCode ? { categoryCode } : {}),
        ...(onSpot ? { handledOnSpot: true } : {}),
      },
      photos,
      onSpot ? afterPhotos : [],
    );
    const waiting = outbox.itemsOf(me.id).length;
    setNotice(t("report.saved", { count: waiting }));
    setDescription("");
    setPhotos([]);
    setAfterPhotos([]);
    setOnSpot(false);
    setCategoryCode("");
  };

  const outside = place.error instanceof ApiError && place.error.status === 404;
  return (
    <form onSubmit={(event) => void submit(event)} aria-labelledby="report-heading" noValidate>
      <h1 id="report-heading" className="f-heading">
        {t("report.heading")}
      </h1>
      {notice && (
        <div className="m-notice" role="status">
          {notice}
        </div>
      )}
      <PhotoPicker label={t("report.photos")} photos={photos} onChange={setPhotos} />
      <div className="m-field">
        <span className="m-field__label">{t("report.location")}</span>
        <button type="button" className="m-button m-button--block" onClick={() => void getLocation()} disabled={locating}>
          {locating ? t("report.locating") : t("report.locate")}
        </button>
        {point && (
          <p className="m-muted" data-testid="report-point">
            {point.accuracy === null
              ? t("report.pointPicked", { lat: point.lat.toFixed(6), lng: point.lng.toFixed(6) })
              : t("report.point", { lat: point.lat.toFixed(6), lng: point.lng.toFixed(6), accuracy: point.accuracy })}
          </p>
        )}
        {point && !online && <p className="m-muted">{t("report.placeOffline")}</p>}
        {place.data && (
          <p className="f-place" data-testid="report-place">
            {t("report.place", { street: place.data.street.name, community: place.data.community.name, grid: place.data.grid.name })}
          </p>
        )}
        {outside && <p className="m-field__error">{t("report.placeOutside")}</p>}
        <button type="button" className="m-button m-button--block f-map-toggle" aria-expanded={mapOpen} onClick={() => setMapOpen((open) => !open)}>
          {mapOpen ? t("report.mapDone") : t("report.movePin")}
        </button>
        {mapOpen && (
          <Suspense fallback={<p className="m-muted">{t("loading")}</p>}>
            <p className="m-muted">{t("report.mapHint")}</p>
            <PointMap
              className="f-map"
              grids={grids.data?.data}
              point={point}
              gridCode={place.data?.grid.code ?? null}
              label={t("report.location")}
              onPick={(picked) => setPoint({ lat: round(picked.lat), lng: round(picked.lng), accuracy: null })}
            />
          </Suspense>
        )}
        {locationError && <p className="m-field__error">{locationError}</p>}
      </div>
      <label className="m-field">
        <span className="m-field__label">{t("report.description")}</span>
        <textarea rows={4} value={description} placeholder={t("report.descriptionHint")} onChange={(event) => setDescription(event.target.value)} />
      </label>
      <label className="m-field">
        <span className="m-field__label">{t("report.category")}</span>
        <select value={categoryCode} onChange={(event) => setCategoryCode(event.target.value)}>
          <option value="">{t("report.categoryNone")}</option>
          {all
            .filter((category) => category.parentCode !== null)
            .map((category) => (
              <option key={category.code} value={category.code}>
                {category.name}
              </option>
            ))}
        </select>
      </label>
      {suggested.length > 0 && (
        <div className="f-suggest">
          <span className="m-muted">{t("report.suggested")}</span>
          {suggested.map((category) => (
            <button key={category.code} type="button" className="m-button f-chip" aria-pressed={categoryCode === category.code} onClick={() => setCategoryCode(category.code)}>
              {category.name}
            </button>
          ))}
        </div>
      )}
      {mayCloseOnSpot && (
        <div className="m-field">
          <label className="f-check">
            <input type="checkbox" checked={onSpot} onChange={(event) => setOnSpot(event.target.checked)} />
            <span>{t("report.onSpot")}</span>
          </label>
          <p className="m-muted">{t("report.onSpotHint")}</p>
          {onSpot && <PhotoPicker label={t("report.afterPhotos")} photos={afterPhotos} onChange={setAfterPhotos} />}
        </div>
      )}
      {formError && (
        <div className="m-notice m-notice--error" role="alert">
          {formError}
        </div>
      )}
      <button type="submit" className="m-button m-button--primary m-button--block">
        {t("report.submit")}
      </button>
    </form>
  );
}

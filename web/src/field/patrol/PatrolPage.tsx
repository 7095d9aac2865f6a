import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Me } from "../../api/client";
import { outbox } from "../fieldState";
import { formatDistance } from "../geo";
import { readCache, writeCache } from "../outbox/idb-store";
import type { TrackPoint } from "../outbox/types";
import { formatDateTime } from "../parts";
import { keepFix, summarize } from "./track";

type Current = { userId: string; startedAt: string; points: TrackPoint[] };
// The patrol under way is kept on the device, so a reload or a killed tab does not lose its track.
const CURRENT = "patrol-current";

type WakeLock = { release(): Promise<void> };
type WakeLockNavigator = Navigator & { wakeLock?: { request(type: "screen"): Promise<WakeLock> } };

/** Keeps the screen on while patrolling, taken again when the page comes back (browsers drop it when hidden). */
function useWakeLock(active: boolean): void {
  useEffect(() => {
    if (!active) return;
    const wakeLock = (navigator as WakeLockNavigator).wakeLock;
    if (!wakeLock) return;
    let lock: WakeLock | null = null;
    const take = () => {
      if (document.visibilityState === "visible") void wakeLock.request("screen").then((taken) => (lock = taken), () => undefined);
    };
    take();
    document.addEventListener("visibilitychange", take);
    return () => {
      document.removeEventListener("visibilitychange", take);
      void lock?.release();
    };
  }, [active]);
}

/** The patrol log (巡查): start, the GPS track recorded as the worker walks, stop; sent through the outbox. */
export function PatrolPage({ me }: { me: Me }) {
  const { t } = useTranslation("field");
  const [current, setCurrent] = useState<Current | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const currentRef = useRef<Current | null>(null);

  const save = useCallback((next: Current | null) => {
    currentRef.current = next;
    setCurrent(next);
    void writeCache(CURRENT, next);
  }, []);

  useEffect(() => {
    void readCache<Current | null>(CURRENT).then((stored) => {
      if (stored && stored.userId === me.id) {
        currentRef.current = stored;
        setCurrent(stored);
      }
      setLoaded(true);
    });
  }, [me.id]);

  const recording = current !== null;
  useWakeLock(recording);
  useEffect(() => {
    if (!recording || !("geolocation" in navigator)) return;
    const watch = navigator.geolocation.watchPosition(
      (position) => {
        const patrol = currentRef.current;
        if (!patrol) return;
        // The time the fix arrived: a phone that slept reports nothing, and the gap stays a gap.
        const fix = { lng: position.coords.longitude, lat: position.coords.latitude, t: Date.now(), accuracy: Math.round(position.coords.accuracy) };
        if (keepFix(patrol.points.at(-1), fix)) save({ ...patrol, points: [...patrol.points, fix] });
        setError(null);
      },
      (failure) => setError(t("report.locationError", { message: failure.message })),
      { enableHighAccuracy: true, maximumAge: 0, timeout: 60_000 },
    );
    return () => navigator.geolocation.clearWatch(watch);
  }, [recording, save, t]);

  const start = () => {
    setNotice(null);
    save({ userId: me.id, startedAt: new Date().toISOString(), points: [] });
  };
  const stop = async () => {
    const patrol = currentRef.current;
    if (!patrol) return;
    const points = patrol.points.filter((point) => point.t >= Date.parse(patrol.startedAt));
    await outbox.addPatrol(me.id, { startedAt: patrol.startedAt, endedAt: new Date(Math.max(Date.now(), points.at(-1)?.t ?? 0)).toISOString(), points });
    save(null);
    setNotice(t("patrol.saved"));
  };

  if (!loaded) return <p className="m-muted">{t("loading")}</p>;
  const summary = summarize(current?.points ?? []);
  return (
    <section aria-labelledby="patrol-heading">
      <h1 id="patrol-heading" className="f-heading">
        {t("patrol.heading")}
      </h1>
      {notice && (
        <div className="m-notice" role="status">
          {notice}
        </div>
      )}
      {current ? (
        <div className="m-card" data-testid="patrol-current">
          <p>{t("patrol.since", { time: formatDateTime(current.startedAt) })}</p>
          <p data-testid="patrol-summary">
            {t("patrol.summary", { points: current.points.length, distance: formatDistance(summary.distanceMeters), gaps: summary.gaps.length })}
          </p>
          {summary.gaps.length > 0 && <p className="m-muted">{t("patrol.gapHint")}</p>}
          <button type="button" className="m-button m-button--primary m-button--block" onClick={() => void stop()}>
            {t("patrol.stop")}
          </button>
        </div>
      ) : (
        <button type="button" className="m-button m-button--primary m-button--block" onClick={start}>
          {t("patrol.start")}
        </button>
      )}
      {error && <p className="m-field__error">{error}</p>}
      <p className="m-muted">{t("patrol.hint")}</p>
    </section>
  );
}

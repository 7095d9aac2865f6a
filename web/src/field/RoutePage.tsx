import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Me } from "../api/client";
import { byDistance, formatDistance } from "./geo";
import { NavigateLinks } from "./parts";
import { useTasks } from "./TasksPage";
import { navigate } from "./router";

/** Today's route: the open tasks nearest first from where the worker stands, each with a link to the phone's map app. */
export function RoutePage({ me }: { me: Me }) {
  const { t } = useTranslation("field");
  const tasks = useTasks(me);
  const [here, setHere] = useState<{ lat: number; lng: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const locateMe = () => {
    setError(null);
    navigator.geolocation.getCurrentPosition(
      (position) => setHere({ lat: position.coords.latitude, lng: position.coords.longitude }),
      (failure) => setError(t("report.locationError", { message: failure.message })),
      { enableHighAccuracy: true, timeout: 20_000, maximumAge: 60_000 },
    );
  };
  if (tasks.isPending) return <p className="m-muted">{t("loading")}</p>;
  if (tasks.isError) {
    return (
      <div className="m-notice m-notice--error" role="alert">
        {t("error.load", { message: tasks.error.message })}
      </div>
    );
  }
  const rows = new Map(tasks.data.data.map((row) => [row.id, row]));
  // Every task is a place to visit: to handle, to verify, or to sample a closure on the spot.
  const located = tasks.data.data.map((row) => ({ id: row.id, ...row.location }));
  const ordered = here ? byDistance(here, located) : located.map((point) => ({ ...point, distance: null }));
  return (
    <section aria-labelledby="route-heading">
      <h1 id="route-heading" className="f-heading">
        {t("route.heading")}
      </h1>
      <p className="m-muted">{t("route.hint")}</p>
      <button type="button" className="m-button m-button--block" onClick={locateMe}>
        {t("route.locate")}
      </button>
      {error && <p className="m-field__error">{error}</p>}
      {ordered.length === 0 && <p className="m-muted">{t("route.empty")}</p>}
      <ol className="f-list f-route">
        {ordered.map((point) => {
          const row = rows.get(point.id)!;
          return (
            <li key={point.id} className="m-card">
              <a
                href={`/field/tasks/${row.id}`}
                className="f-task__title"
                onClick={(event) => {
                  event.preventDefault();
                  navigate(`/tasks/${row.id}`);
                }}
              >
                {row.title}
              </a>
              {point.distance !== null && <span className="f-distance">{formatDistance(point.distance)}</span>}
              <NavigateLinks point={point} title={row.title} />
            </li>
          );
        })}
      </ol>
    </section>
  );
}

import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import type { Me } from "../api/client";
import { fetchCase, fetchReturnReasons, photoUrl } from "./fieldApi";
import { useLanguage } from "../i18n";
import { outbox, sentEvents, useOutbox } from "./fieldState";
import type { Sent } from "./outbox/types";
import { useOfflineQuery } from "./offlineQuery";
import type { TransitionAction } from "./outbox/types";
import { formatDateTime, Light, NavigateLinks, PhotoPicker } from "./parts";
import { navigate } from "./router";

/** The actions the field app offers when the API lists them for the user. */
const FIELD_ACTIONS: readonly TransitionAction[] = ["acknowledge", "handle", "request_extension", "return", "verify_pass", "verify_fail", "review_pass", "review_fail"];
const NEEDS_NOTE: readonly TransitionAction[] = ["handle", "request_extension", "return", "verify_fail", "review_fail"];
const TAKES_PHOTOS: readonly TransitionAction[] = ["handle", "verify_pass", "verify_fail", "review_pass", "review_fail"];
const FINISHED = ["handled", "closed", "evaluated", "rejected", "merged"];
// The server calls a case near due with at most 4 working hours left (the list's `deadline`).
const NEAR_DUE_MINUTES = 4 * 60;

function deadlineOf(status: string, minutes: number): "on_time" | "near_due" | "overdue" | null {
  if (FINISHED.includes(status)) return null;
  return minutes < 0 ? "overdue" : minutes <= NEAR_DUE_MINUTES ? "near_due" : "on_time";
}

export function TaskPage({ me, caseId }: { me: Me; caseId: string }) {
  const { t } = useTranslation("field");
  const detail = useOfflineQuery(["case", caseId], () => fetchCase(caseId));
  const { items } = useOutbox();
  const [acting, setActing] = useState<TransitionAction | null>(null);
  const waiting = items.some((item) => item.kind === "transition" && item.caseId === caseId);
  const { refetch } = detail;
  useEffect(() => {
    // An action on this case arrived: show the case as it is now, with the actions that follow.
    const onSent = (event: Event) => (event as CustomEvent<Sent>).detail.caseId === caseId && void refetch();
    sentEvents.addEventListener("sent", onSent);
    return () => sentEvents.removeEventListener("sent", onSent);
  }, [caseId, refetch]);

  if (detail.isPending) return <p className="m-muted">{t("loading")}</p>;
  if (detail.isError) {
    return (
      <div className="m-notice m-notice--error" role="alert">
        {t("error.load", { message: detail.error.message })}
      </div>
    );
  }
  const { case: view, photos, timeline, etag } = detail.data.data;
  const actions = FIELD_ACTIONS.filter((action) => view.actions.includes(action));
  return (
    <article aria-labelledby="task-heading">
      <button type="button" className="m-button f-back" onClick={() => (window.history.length > 1 ? window.history.back() : navigate("/"))}>
        ‹ {t("task.back")}
      </button>
      <h1 id="task-heading" className="f-heading">
        {view.title}
      </h1>
      {detail.data.cachedAt && <p className="m-muted">{t("cached", { time: formatDateTime(detail.data.cachedAt) })}</p>}
      <div className="m-card">
        <div>
          {t("task.number")} <span className="f-number">{view.number}</span>
        </div>
        <div className="f-task__meta">
          <Light status={view.status} deadline={deadlineOf(view.status, view.deadlineWorkingMinutes.handleBy)} minutes={view.deadlineWorkingMinutes.handleBy} />
          <span>{t(`status.${view.status}` as "status.dispatched", { defaultValue: view.status })}</span>
        </div>
        <p>{view.description}</p>
        <NavigateLinks point={view.location} title={view.title} />
      </div>
      {photos.length > 0 && (
        <section className="m-card" aria-label={t("task.photos")}>
          <h2 className="f-subheading">{t("task.photos")}</h2>
          <div className="f-photos">
            {photos.map((photo) => (
              <img key={photo.id} className="f-photo" src={photoUrl(view.id, photo.id)} alt={photo.kind ?? ""} loading="lazy" />
            ))}
          </div>
        </section>
      )}
      <section className="m-card" aria-label={t("task.actions")}>
        <h2 className="f-subheading">{t("task.actions")}</h2>
        {waiting && <div className="m-notice">{t("task.waiting")}</div>}
        {actions.length === 0 && <p className="m-muted">{t("task.noActions")}</p>}
        {acting ? (
          <ActionForm
            action={acting}
            onCancel={() => setActing(null)}
            onSubmit={async (body, blobs) => {
              await outbox.addTransition(me.id, { caseId: view.id, caseNumber: view.number, etag }, { action: acting, ...body }, blobs);
              setActing(null);
            }}
          />
        ) : (
          <div className="f-actions">
            {actions.map((action) => (
              <button key={action} type="button" className="m-button m-button--primary" disabled={waiting} onClick={() => setActing(action)}>
                {t(`action.${action}`)}
              </button>
            ))}
          </div>
        )}
      </section>
      <section className="m-card" aria-label={t("task.timeline")}>
        <h2 className="f-subheading">{t("task.timeline")}</h2>
        <ol className="f-timeline">
          {timeline.map((event) => (
            <li key={event.id}>
              <span className="m-muted">{formatDateTime(event.at)}</span> {t(`status.${event.to}` as "status.dispatched", { defaultValue: event.to })}
              {event.actor ? ` · ${event.actor}` : ""}
              {event.note ? <div>{event.note}</div> : null}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}

function ActionForm({
  action,
  onCancel,
  onSubmit,
}: {
  action: TransitionAction;
  onCancel: () => void;
  onSubmit: (body: { note?: string; days?: number; reasonCode?: string }, photos: Blob[]) => Promise<void>;
}) {
  const { t } = useTranslation("field");
  const language = useLanguage();
  const reasons = useOfflineQuery(["return-reasons"], fetchReturnReasons, { enabled: action === "return" });
  const [photos, setPhotos] = useState<Blob[]>([]);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const note = String(form.get("note") ?? "").trim();
    if (NEEDS_NOTE.includes(action) && note.length === 0) {
      setError(t("task.noteRequired"));
      return;
    }
    const days = action === "request_extension" ? Number(form.get("days")) : undefined;
    const reasonCode = action === "return" ? String(form.get("reasonCode") ?? "") : "";
    await onSubmit({ ...(note ? { note } : {}), ...(days ? { days } : {}), ...(reasonCode ? { reasonCode } : {}) }, photos);
  };
  return (
    <form onSubmit={(event) => void submit(event)} aria-label={t(`action.${action}`)}>
      <label className="m-field">
        <span className="m-field__label">{t("task.note")}</span>
        <textarea name="note" rows={3} />
        {error && <div className="m-field__error">{error}</div>}
      </label>
      {action === "return" && (
        <label className="m-field">
          <span className="m-field__label">{t("task.reason")}</span>
          <select name="reasonCode" required>
            {(reasons.data?.data ?? []).map((reason) => (
              <option key={reason.code} value={reason.code}>
                {language === "en" ? reason.labelEn : reason.labelZh}
              </option>
            ))}
          </select>
        </label>
      )}
      {action === "request_extension" && (
        <label className="m-field">
          <span className="m-field__label">{t("task.days")}</span>
          <input name="days" type="number" min={1} max={30} defaultValue={3} inputMode="numeric" />
        </label>
      )}
      {TAKES_PHOTOS.includes(action) && (
        <PhotoPicker label={action === "handle" ? t("task.afterPhotos") : t("task.checkPhotos")} photos={photos} onChange={setPhotos} />
      )}
      <div className="f-row">
        <button type="submit" className="m-button m-button--primary">
          {t(`action.${action}`)}
        </button>
        <button type="button" className="m-button" onClick={onCancel}>
          {t("task.cancel")}
        </button>
      </div>
    </form>
  );
}

import { useEffect, useState, type FormEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, ApiError, unwrap } from "../../api/client";
import { formatDateTime } from "../../console/queue/format";
import { addMessages } from "../../i18n";
import { CopyButton } from "../../mobile/CopyButton";
import { retryAfterSeconds } from "../../mobile/retry-after";
import messages from "./messages";
import { RatingForm } from "./RatingForm";
import { loadKey, normaliseNumber, normaliseToken, readTrackingLink, saveKey, STEPS, stepOf, type Tracked, type TrackingKey } from "./tracking";

addMessages("resident", messages);

type PublicPhoto = Tracked["photos"][number];

/** The token travels in a header, so that no address (and no access log) ever holds it. */
function fetchTracked({ number, token }: TrackingKey): Promise<Tracked> {
  return unwrap(api.GET("/api/v1/public/cases/{number}", { params: { path: { number }, header: { "x-tracking-token": token } } }));
}

/** The key from a link (then taken out of the address) or from this tab's storage. */
function initialKey(): TrackingKey | undefined {
  const link = readTrackingLink(window.location);
  if (link.cleanUrl) window.history.replaceState(window.history.state, "", link.cleanUrl);
  if (link.key) {
    saveKey(window.sessionStorage, link.key);
    return link.key;
  }
  return loadKey(window.sessionStorage);
}

export default function TrackPage() {
  const { t } = useTranslation("resident");
  const [key, setKey] = useState<TrackingKey | undefined>(initialKey);
  useEffect(() => {
    document.title = t("title");
  }, [t]);
  const tracked = useQuery({
    queryKey: ["tracking", key?.number, key?.token],
    queryFn: () => fetchTracked(key as TrackingKey),
    enabled: key !== undefined,
    retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
    // Photo links last about 15 minutes: read again well before they end.
    refetchInterval: 5 * 60_000,
  });

  const follow = (next: TrackingKey | undefined) => {
    saveKey(window.sessionStorage, next);
    setKey(next);
  };

  return (
    <div className="r-track">
      <h1 className="r-page__title">{t("title")}</h1>
      {!key || tracked.isError ? (
        <>
          {tracked.isError && key && <TrackingError error={tracked.error} onRetry={() => void tracked.refetch()} />}
          <KeyForm initial={key} onSubmit={follow} busy={tracked.isFetching} />
        </>
      ) : tracked.isPending ? (
        <p role="status" className="r-status">
          {t("loading")}
        </p>
      ) : (
        <>
          <CaseProgress tracked={tracked.data} />
          {(tracked.data.canEvaluate || tracked.data.satisfaction) && key && <RatingForm tracked={tracked.data} trackingKey={key} />}
          <button type="button" className="m-button m-button--block r-another" onClick={() => follow(undefined)}>
            {t("form.another")}
          </button>
        </>
      )}
      <p className="m-muted r-privacy">{t("privacy")}</p>
    </div>
  );
}

function KeyForm({ initial, onSubmit, busy }: { initial?: TrackingKey; onSubmit: (key: TrackingKey) => void; busy: boolean }) {
  const { t } = useTranslation("resident");
  const [number, setNumber] = useState(initial?.number ?? "");
  const [token, setToken] = useState("");
  const [shown, setShown] = useState(false);
  const [checked, setChecked] = useState(false);
  const numberOk = normaliseNumber(number);
  const tokenOk = normaliseToken(token);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    if (numberOk && tokenOk) onSubmit({ number: numberOk, token: tokenOk });
  };
  return (
    <form className="m-card" onSubmit={submit} noValidate>
      <p>{t("intro")}</p>
      <label className="m-field">
        <span className="m-field__label">{t("form.number")}</span>
        <input
          className="r-mono"
          inputMode="numeric"
          autoComplete="off"
          value={number}
          aria-invalid={checked && !numberOk}
          aria-describedby="track-number-hint"
          onChange={(event) => setNumber(event.target.value)}
        />
        <div id="track-number-hint" className={checked && !numberOk ? "m-field__error" : "m-muted"}>
          {checked && !numberOk ? t("form.numberInvalid") : t("form.numberHint")}
        </div>
      </label>
      <label className="m-field">
        <span className="m-field__label">{t("form.token")}</span>
        <input
          type={shown ? "text" : "password"}
          autoComplete="off"
          value={token}
          aria-invalid={checked && !tokenOk}
          aria-describedby="track-token-hint"
          onChange={(event) => setToken(event.target.value)}
        />
        <div id="track-token-hint" className={checked && !tokenOk ? "m-field__error" : "m-muted"}>
          {checked && !tokenOk ? t("form.tokenInvalid") : t("form.tokenHint")}
        </div>
      </label>
      <label className="r-check">
        <input type="checkbox" checked={shown} onChange={(event) => setShown(event.target.checked)} />
        <span>{t("form.showToken")}</span>
      </label>
      <button type="submit" className="m-button m-button--primary m-button--block" disabled={busy}>
        {busy ? t("loading") : t("form.submit")}
      </button>
    </form>
  );
}

function TrackingError({ error, onRetry }: { error: Error; onRetry: () => void }) {
  const { t } = useTranslation("resident");
  if (error instanceof ApiError && error.status === 404)
    return (
      <p className="m-notice m-notice--error" role="alert">
        {t("error.notFound")}
      </p>
    );
  const wait = retryAfterSeconds(error);
  if (wait !== undefined)
    return (
      <p className="m-notice m-notice--warning" role="alert">
        {t("error.rateLimited", { seconds: wait })}
      </p>
    );
  const network = error instanceof ApiError && error.code === "network_error";
  return (
    <div className="m-notice m-notice--error" role="alert">
      {t(network ? "error.network" : "error.other")}{" "}
      <button type="button" className="m-button" onClick={onRetry}>
        {t("error.retry")}
      </button>
    </div>
  );
}

function CaseProgress({ tracked }: { tracked: Tracked }) {
  const { t } = useTranslation("resident");
  const { step, ended } = stepOf(tracked.status);
  const current = STEPS.indexOf(step);
  const actionWord = (action: string) => {
    const key = `action.${action}` as const;
    return t(key in messages["zh-CN"] ? (key as "action.other") : "action.other");
  };
  return (
    <>
      <section className="m-card" aria-label={t("case.number")}>
        <div className="m-muted">{t("case.number")}</div>
        <div className="r-number">{tracked.number}</div>
        <CopyButton text={tracked.number} label={t("case.copy")} />
        <div className="r-case__title">{tracked.title}</div>
        <div className="m-muted">
          {t("case.reportedAt")} {formatDateTime(tracked.createdAt)}
          {tracked.closedAt && (
            <>
              {" · "}
              {t("case.closedAt")} {formatDateTime(tracked.closedAt)}
            </>
          )}
        </div>
      </section>

      {ended === "rejected" && (
        <div className="m-notice m-notice--warning" role="status">
          <strong>{t("ended.rejected")}</strong>
          <div>{t("ended.rejectedHint")}</div>
        </div>
      )}
      {ended === "merged" && tracked.mergedInto && (
        <div className="m-notice" role="status">
          <strong>{t("ended.merged", { number: tracked.mergedInto.number })}</strong>
          <div>{t("ended.mergedHint", { status: t(`step.${stepOf(tracked.mergedInto.status).step}`) })}</div>
        </div>
      )}
      {!ended && (
        <section className="m-card" aria-label={t("steps.label")}>
          <ol className="r-steps">
            {STEPS.map((name, index) => {
              const state = index < current || step === "closed" ? "done" : index === current ? "current" : "todo";
              return (
                <li key={name} className={`r-steps__item r-steps__item--${state}`} aria-current={state === "current" ? "step" : undefined}>
                  <span className="r-steps__dot" aria-hidden="true">
                    {state === "done" ? "✓" : index + 1}
                  </span>
                  <span className="r-steps__name">{t(`step.${name}`)}</span>
                  <span className="m-visually-hidden">{t(`steps.${state}`)}</span>
                </li>
              );
            })}
          </ol>
        </section>
      )}

      <PublicPhotos photos={tracked.photos} />

      <section className="m-card">
        <h2 className="r-card__heading">{t("timeline.title")}</h2>
        {tracked.timeline.length === 0 ? (
          <p className="m-muted">{t("timeline.empty")}</p>
        ) : (
          <ol className="r-timeline">
            {[...tracked.timeline].reverse().map((event) => (
              <li key={`${event.at}-${event.action}`} className="r-timeline__item">
                <div className="r-timeline__action">{actionWord(event.action)}</div>
                <div className="m-muted">{formatDateTime(event.at)}</div>
                {event.note && <div className="r-timeline__note">{event.note}</div>}
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}

function PublicPhotos({ photos }: { photos: PublicPhoto[] }) {
  const { t } = useTranslation("resident");
  const groups = [
    { kind: "before" as const, label: t("photos.before"), items: photos.filter((photo) => photo.kind === "before") },
    { kind: "after" as const, label: t("photos.after"), items: photos.filter((photo) => photo.kind === "after") },
  ].filter((group) => group.items.length > 0);
  return (
    <section className="m-card">
      <h2 className="r-card__heading">{t("photos.title")}</h2>
      {groups.length === 0 ? (
        <p className="m-muted">{t("photos.none")}</p>
      ) : (
        <>
          {groups.map((group) => (
            <div key={group.kind} className="r-photos">
              <div className="m-muted">{group.label}</div>
              <ul className="r-photos__grid">
                {group.items.map((photo, index) => (
                  <li key={photo.id} className="r-photos__item">
                    {/* Full size in a tab of its own: the link is short-lived and holds no token. */}
                    <a href={photo.url} target="_blank" rel="noopener noreferrer">
                      <img src={photo.url} alt={t("photos.alt", { kind: group.label, index: index + 1 })} className="r-photos__image" />
                    </a>
                    {photo.redacted && <span className="r-photos__tag">{t("photos.redacted")}</span>}
                  </li>
                ))}
              </ul>
            </div>
          ))}
          <p className="m-muted">{t("photos.hint")}</p>
        </>
      )}
    </section>
  );
}

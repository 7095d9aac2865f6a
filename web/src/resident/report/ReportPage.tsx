import { useEffect, useRef, useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { Link } from "react-router";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { addMessages } from "../../i18n";
import { CopyButton } from "../../mobile/CopyButton";
import { newIdempotencyKey } from "../../mobile/idempotency-key";
import { PhotoPicker, type PickedPhoto } from "../../mobile/PhotoPicker";
import { retryAfterSeconds } from "../../mobile/retry-after";
import messages from "../messages";
import { rememberReport, trackingLink } from "../mine/my-reports";
import { CategoryIcon, COMMON_CATEGORIES, type CommonCategory } from "./categories";
import { PlaceFound, PlaceStep, useLocated } from "./PlaceStep";
import { createReport, normalisePhone, uploadPhoto, type Created, type PickedPoint } from "./report-api";

addMessages("residentPortal", messages);

const STEPS = 4;
/** The resident's choice: a picture of a common problem, "unsure" (left to staff), or none yet. */
type Choice = CommonCategory | "unsure" | undefined;

/** `/resident/report`: one step a screen — place, kind of problem, photos and words, check and send — then the number to keep. */
export default function ReportPage() {
  const { t } = useTranslation("residentPortal");
  const [step, setStep] = useState(1);
  const [point, setPoint] = useState<PickedPoint>();
  const [choice, setChoice] = useState<Choice>();
  const [photos, setPhotos] = useState<PickedPhoto[]>([]);
  const [description, setDescription] = useState("");
  const [phone, setPhone] = useState("");
  const [agreed, setAgreed] = useState(false);
  const [created, setCreated] = useState<Created>();
  const located = useLocated(point);
  const heading = useRef<HTMLDivElement>(null);

  useEffect(() => {
    document.title = t("report.title");
  }, [t]);
  useEffect(() => {
    heading.current?.focus();
    window.scrollTo(0, 0);
  }, [step, created]);

  const descriptionError = description.trim().length >= 2 ? undefined : t("details.descriptionRequired");
  const phoneError = phone.trim() && !normalisePhone(phone) ? t("details.phoneInvalid") : undefined;
  const canGo = [located.isSuccess, choice !== undefined, !descriptionError && !phoneError, agreed][step - 1];

  if (created) return <ReportDone created={created} />;

  return (
    <div className="r-report">
      <div ref={heading} tabIndex={-1} className="r-report__head">
        <h1 className="r-page__title">{t("report.title")}</h1>
        <div className="m-muted">{t("report.step", { step, total: STEPS })}</div>
        <div className="r-progress" aria-hidden="true">
          <div className="r-progress__bar" style={{ width: `${(step / STEPS) * 100}%` }} />
        </div>
      </div>

      {step === 1 && <PlaceStep point={point} onPoint={setPoint} />}
      {step === 2 && <CategoryStep choice={choice} onChoice={setChoice} />}
      {step === 3 && (
        <section aria-labelledby="report-step-title">
          <h2 id="report-step-title" className="r-step__title">
            {t("details.title")}
          </h2>
          <div className="m-field">
            <span className="m-field__label">{t("details.photos")}</span>
            <PhotoPicker photos={photos} onChange={setPhotos} />
            <p className="m-muted">{t("details.photosHint")}</p>
          </div>
          <label className="m-field">
            <span className="m-field__label">{t("details.description")}</span>
            <textarea rows={4} maxLength={2000} value={description} placeholder={t("details.descriptionHint")} onChange={(event) => setDescription(event.target.value)} />
            {description && descriptionError && <div className="m-field__error">{descriptionError}</div>}
          </label>
          <label className="m-field">
            <span className="m-field__label">{t("details.phone")}</span>
            <input type="tel" inputMode="tel" autoComplete="tel" maxLength={20} value={phone} onChange={(event) => setPhone(event.target.value)} />
            {phoneError ? <div className="m-field__error">{phoneError}</div> : <div className="m-muted">{t("details.phoneHint")}</div>}
          </label>
        </section>
      )}
      {step === 4 && point && (
        <ConfirmStep
          input={{ point, choice, photos, description: description.trim(), phone: normalisePhone(phone) ?? "" }}
          agreed={agreed}
          onAgree={setAgreed}
          onCreated={setCreated}
          onBack={() => setStep(1)}
        />
      )}

      <div className="r-nav">
        {step > 1 && (
          <button type="button" className="m-button" onClick={() => setStep(step - 1)}>
            {t("report.back")}
          </button>
        )}
        {step < STEPS && (
          <button type="button" className="m-button m-button--primary r-nav__next" disabled={!canGo} onClick={() => setStep(step + 1)}>
            {t("report.next")}
          </button>
        )}
      </div>
    </div>
  );
}

function CategoryStep({ choice, onChoice }: { choice: Choice; onChoice: (choice: Choice) => void }) {
  const { t } = useTranslation("residentPortal");
  const options: (CommonCategory | "unsure")[] = [...COMMON_CATEGORIES.map((category) => category.key), "unsure"];
  return (
    <section aria-labelledby="report-step-title">
      <h2 id="report-step-title" className="r-step__title">
        {t("category.title")}
      </h2>
      <div className="r-category" role="radiogroup" aria-labelledby="report-step-title">
        {options.map((option) => (
          <button
            key={option}
            type="button"
            role="radio"
            aria-checked={choice === option}
            className={`r-category__option${option === "unsure" ? " r-category__option--wide" : ""}`}
            onClick={() => onChoice(option)}
          >
            <CategoryIcon name={option} />
            <span>{option === "unsure" ? t("category.unsure") : t(`category.${option}`)}</span>
          </button>
        ))}
      </div>
    </section>
  );
}

type Draft = { point: PickedPoint; choice: Choice; photos: PickedPhoto[]; description: string; phone: string };

function errorMessage(t: (key: "error.rateLimited" | "error.busy" | "error.network" | "error.photoRequired" | "error.photoTooLarge" | "error.outside" | "error.other", options?: { seconds: number }) => string, error: unknown): string {
  const wait = retryAfterSeconds(error);
  if (wait !== undefined) return t("error.rateLimited", { seconds: wait });
  if (!(error instanceof ApiError)) return t("error.other");
  if (error.code === "network_error") return t("error.network");
  if (error.status === 503) return t("error.busy", { seconds: 30 });
  if (error.code === "photo_required") return t("error.photoRequired");
  if (error.status === 413 || error.status === 415 || error.code === "invalid_image") return t("error.photoTooLarge");
  if (error.code === "outside_district") return t("error.outside");
  return t("error.other");
}

/**
 * Shows what will be sent and the personal data notice, then sends. The Idempotency-Key is made on
 * the first press and kept for retries of the same draft, and photos already uploaded are not sent
 * again, so pressing send twice or after a dropped connection makes one case.
 */
function ConfirmStep({ input, agreed, onAgree, onCreated, onBack }: { input: Draft; agreed: boolean; onAgree: (agreed: boolean) => void; onCreated: (created: Created) => void; onBack: () => void }) {
  const { t } = useTranslation("residentPortal");
  const attempt = useRef<{ draft: string; key: string } | undefined>(undefined);
  const uploaded = useRef(new Map<string, string>());
  const [progress, setProgress] = useState<{ done: number; total: number }>();
  const category = COMMON_CATEGORIES.find((common) => common.key === input.choice);

  const send = useMutation({
    mutationFn: async () => {
      const draft = JSON.stringify({ ...input, photos: input.photos.map((photo) => photo.key) });
      if (attempt.current?.draft !== draft) attempt.current = { draft, key: newIdempotencyKey() };
      const photoIds: string[] = [];
      for (const [index, photo] of input.photos.entries()) {
        setProgress({ done: index, total: input.photos.length });
        let id = uploaded.current.get(photo.key);
        if (!id) {
          id = await uploadPhoto(photo.blob);
          uploaded.current.set(photo.key, id);
        }
        photoIds.push(id);
      }
      setProgress(undefined);
      return createReport(
        { point: input.point, categoryCode: category?.code ?? null, description: input.description, phone: input.phone, photoIds },
        attempt.current.key,
      );
    },
    onSuccess: (created) => {
      rememberReport(window.localStorage, {
        number: created.case.number,
        token: created.trackingToken ?? "",
        title: created.case.title,
        reportedAt: created.case.createdAt,
      });
      onCreated(created);
    },
    onSettled: () => setProgress(undefined),
  });

  const outside = send.error instanceof ApiError && send.error.code === "outside_district";
  return (
    <section aria-labelledby="report-step-title">
      <h2 id="report-step-title" className="r-step__title">
        {t("confirm.title")}
      </h2>
      <dl className="m-card r-summary">
        <dt>{t("confirm.place")}</dt>
        <dd>
          <PlaceFound point={input.point} />
        </dd>
        <dt>{t("confirm.category")}</dt>
        <dd>{input.choice === "unsure" || !input.choice ? t("category.unsure") : t(`category.${input.choice}`)}</dd>
        <dt>{t("confirm.photos")}</dt>
        <dd>{input.photos.length ? t("confirm.photosCount", { count: input.photos.length }) : t("confirm.noPhotos")}</dd>
        <dt>{t("confirm.description")}</dt>
        <dd className="r-summary__text">{input.description}</dd>
        <dt>{t("confirm.phone")}</dt>
        <dd>{input.phone || t("confirm.noPhone")}</dd>
      </dl>

      <div className="m-card r-notice" role="region" aria-labelledby="pipl-title">
        <h3 id="pipl-title" className="r-notice__title">
          {t("notice.title")}
        </h3>
        <p>{t("notice.body", { phone: input.phone ? t("notice.bodyPhone") : "" })}</p>
        <Link to="/resident/privacy" target="_blank" rel="noopener">
          {t("notice.more")}
        </Link>
        <label className="r-check">
          <input type="checkbox" checked={agreed} onChange={(event) => onAgree(event.target.checked)} />
          <span>{t("notice.agree")}</span>
        </label>
      </div>

      {send.isError && (
        <div className="m-notice m-notice--error" role="alert">
          {errorMessage(t, send.error)}
          {outside && (
            <button type="button" className="m-button m-button--block r-alert__action" onClick={onBack}>
              {t("report.back")}
            </button>
          )}
        </div>
      )}
      <button type="button" className="m-button m-button--primary m-button--block" disabled={!agreed || send.isPending} onClick={() => send.mutate()}>
        {send.isPending ? (progress ? t("uploading", progress) : t("sending")) : t("send")}
      </button>
      {!agreed && <p className="m-muted">{t("notice.required")}</p>}
    </section>
  );
}

/** The answer: the number to keep, the tracking code and link, shown once and kept in "my reports". */
function ReportDone({ created }: { created: Created }) {
  const { t } = useTranslation("residentPortal");
  const token = created.trackingToken ?? "";
  const link = trackingLink(window.location.origin, { number: created.case.number, token });
  const trackPath = link.slice(window.location.origin.length);
  useEffect(() => {
    document.title = t("done.title");
  }, [t]);
  return (
    <div className="r-done">
      <h1 className="r-page__title" tabIndex={-1}>
        {t("done.title")}
      </h1>
      <p>{t("done.intro")}</p>
      <section className="m-card">
        <div className="m-muted">{t("done.number")}</div>
        <div className="r-number" aria-label={t("done.number")}>
          {created.case.number}
        </div>
        <CopyButton text={created.case.number} label={t("done.copyNumber")} />
        <div className="m-muted r-done__label">{t("done.token")}</div>
        <div className="r-number r-number--token" aria-label={t("done.token")}>
          {token}
        </div>
        <p className="m-muted">{t("done.tokenHint")}</p>
        <div className="m-muted r-done__label">{t("done.link")}</div>
        <div className="r-link">{link}</div>
        <CopyButton text={link} label={t("done.copyLink")} />
      </section>
      <div className="r-actions">
        <Link to={trackPath} className="m-button m-button--primary m-button--block">
          {t("done.track")}
        </Link>
        <a href="/resident/report" className="m-button m-button--block">
          {t("done.another")}
        </a>
        <Link to="/resident" className="m-button m-button--block">
          {t("done.home")}
        </Link>
      </div>
    </div>
  );
}

import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, ApiError, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { addMessages } from "../../i18n";
import { retryAfterSeconds } from "../../mobile/retry-after";
import portalMessages from "../messages";
import type { Tracked, TrackingKey } from "./tracking";

addMessages("residentPortal", portalMessages);

type EvaluationBody = paths["/api/v1/public/cases/{number}/evaluation"]["post"]["requestBody"]["content"]["application/json"];
type Satisfaction = EvaluationBody["satisfaction"];
const SATISFACTIONS: Satisfaction[] = ["satisfied", "basically_satisfied", "dissatisfied"];

/**
 * Rating a closed case once: was it solved (是否解决) and how satisfied (满意度), with a comment —
 * the two answers the hotline's 解决率 and 满意率 are counted from.
 */
export function RatingForm({ tracked, trackingKey }: { tracked: Tracked; trackingKey: TrackingKey }) {
  const { t } = useTranslation("residentPortal");
  const queryClient = useQueryClient();
  const [resolved, setResolved] = useState<boolean>();
  const [satisfaction, setSatisfaction] = useState<Satisfaction>();
  const [comment, setComment] = useState("");
  const [checked, setChecked] = useState(false);

  const rate = useMutation({
    mutationFn: (body: EvaluationBody) =>
      unwrap(api.POST("/api/v1/public/cases/{number}/evaluation", { params: { path: { number: trackingKey.number } }, body })),
    onSuccess: (answer) => queryClient.setQueryData(["tracking", trackingKey.number, trackingKey.token], answer),
  });

  if (!tracked.canEvaluate) {
    if (!tracked.satisfaction) return null;
    return (
      <section className="m-card" aria-labelledby="rate-title">
        <h2 id="rate-title" className="r-card__heading">
          {t("rate.title")}
        </h2>
        {rate.isSuccess && <p role="status">{t("rate.thanks")}</p>}
        <p>
          {tracked.resolved !== null && `${t(tracked.resolved ? "rate.resolvedYes" : "rate.resolvedNo")} · `}
          {t("rate.done", { satisfaction: t(`rate.${tracked.satisfaction as Satisfaction}`) })}
        </p>
        {rate.isSuccess && tracked.satisfaction === "dissatisfied" && <p className="m-muted">{t("rate.reopenHint")}</p>}
      </section>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    if (resolved === undefined || !satisfaction) return;
    const note = comment.trim();
    rate.mutate({ token: trackingKey.token, resolved, satisfaction, ...(note ? { comment: note } : {}) });
  };
  const wait = retryAfterSeconds(rate.error);

  return (
    <form className="m-card" aria-labelledby="rate-title" onSubmit={submit} noValidate>
      <h2 id="rate-title" className="r-card__heading">
        {t("rate.title")}
      </h2>
      <p className="m-muted">{t("rate.intro")}</p>
      <fieldset className="r-choice">
        <legend className="m-field__label">{t("rate.resolved")}</legend>
        {[true, false].map((value) => (
          <label key={String(value)} className={`r-choice__option${resolved === value ? " r-choice__option--on" : ""}`}>
            <input type="radio" name="resolved" checked={resolved === value} onChange={() => setResolved(value)} />
            <span>{value ? t("rate.resolvedYes") : t("rate.resolvedNo")}</span>
          </label>
        ))}
      </fieldset>
      <fieldset className="r-choice">
        <legend className="m-field__label">{t("rate.satisfaction")}</legend>
        {SATISFACTIONS.map((value) => (
          <label key={value} className={`r-choice__option${satisfaction === value ? " r-choice__option--on" : ""}`}>
            <input type="radio" name="satisfaction" checked={satisfaction === value} onChange={() => setSatisfaction(value)} />
            <span>{t(`rate.${value}`)}</span>
          </label>
        ))}
      </fieldset>
      <label className="m-field">
        <span className="m-field__label">{t("rate.comment")}</span>
        <textarea rows={3} maxLength={500} value={comment} onChange={(event) => setComment(event.target.value)} />
      </label>
      {checked && (resolved === undefined || !satisfaction) && (
        <p className="m-field__error" role="alert">
          {t("rate.required")}
        </p>
      )}
      {rate.isError && (
        <p className="m-notice m-notice--error" role="alert">
          {wait !== undefined
            ? t("error.rateLimited", { seconds: wait })
            : rate.error instanceof ApiError && rate.error.status === 409
              ? t("rate.already")
              : t("rate.error")}
        </p>
      )}
      <button type="submit" className="m-button m-button--primary m-button--block" disabled={rate.isPending}>
        {rate.isPending ? t("rate.sending") : t("rate.submit")}
      </button>
    </form>
  );
}

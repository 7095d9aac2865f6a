import { useState } from "react";
import { useTranslation } from "react-i18next";
import type { Me } from "../api/client";
import { outbox, useOutbox } from "./fieldState";
import type { OutboxItem } from "./outbox/types";
import { formatDateTime } from "./parts";

/** What is still on the device: waiting to send, or refused with the server's reason. */
export function OutboxPage({ me }: { me: Me }) {
  const { t } = useTranslation("field");
  const { items, pause, sending } = useOutbox();
  const mine = items.filter((item) => item.userId === me.id);
  return (
    <section aria-labelledby="outbox-heading">
      <h1 id="outbox-heading" className="f-heading">
        {t("outbox.heading")}
      </h1>
      <p role="status" data-testid="outbox-count">
        {mine.length === 0 ? t("outbox.empty") : t("outbox.count", { count: mine.length })}
      </p>
      {pause?.reason === "retry" && <p className="m-muted">{t("outbox.lastError", { message: pause.error.message, time: formatDateTime(new Date(pause.at).toISOString()) })}</p>}
      {pause?.reason === "rate_limited" && <p className="m-muted">{t("outbox.rateLimited", { time: formatDateTime(new Date(pause.at).toISOString()) })}</p>}
      {pause?.reason === "signed_out" && <p className="m-notice">{t("outbox.pausedSignIn")}</p>}
      {mine.some((item) => item.state === "waiting") && (
        <button type="button" className="m-button m-button--block" onClick={() => outbox.nudge()}>
          {t("outbox.sendNow")}
        </button>
      )}
      <ul className="f-list">
        {mine.map((item) => (
          <OutboxRow key={item.id} item={item} sending={sending === item.id} />
        ))}
      </ul>
    </section>
  );
}

function OutboxRow({ item, sending }: { item: OutboxItem; sending: boolean }) {
  const { t } = useTranslation("field");
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(item.kind === "report" ? item.report.description : item.kind === "transition" ? (item.transition.note ?? "") : "");
  const title =
    item.kind === "report"
      ? t("outbox.report", { text: item.report.description })
      : item.kind === "transition"
        ? t("outbox.transition", { action: t(`action.${item.transition.action}`), number: item.caseNumber })
        : t("outbox.patrol", { count: item.patrol.points.length });
  const resend = () =>
    void outbox.retry(item.id, editing ? (item.kind === "report" ? { report: { description: text } } : { transition: { note: text } }) : undefined).then(() => setEditing(false));
  return (
    <li className={`m-card f-outbox f-outbox--${item.state}`} data-testid="outbox-item">
      <div className="f-task__title">{title}</div>
      <div className="m-muted">
        {t("outbox.takenAt", { time: formatDateTime(item.takenAt) })}
        {item.photos.length > 0 && ` · ${t("outbox.photos", { count: item.photos.length })}`}
      </div>
      {item.state === "waiting" && <div className="f-state">{sending ? t("outbox.sending") : t("outbox.waiting")}</div>}
      {item.state === "refused" && item.refusal && (
        <>
          <div className="m-notice m-notice--error" role="alert">
            {t("outbox.refused", { message: `${item.refusal.message} (${item.refusal.code})` })}
          </div>
          {editing && (
            <label className="m-field">
              <span className="m-field__label">{item.kind === "report" ? t("report.description") : t("task.note")}</span>
              <textarea rows={3} value={text} onChange={(event) => setText(event.target.value)} />
            </label>
          )}
          <div className="f-row">
            <button type="button" className="m-button m-button--primary" onClick={resend}>
              {t("outbox.retry")}
            </button>
            {!editing && item.kind !== "patrol" && (
              <button type="button" className="m-button" onClick={() => setEditing(true)}>
                {t("outbox.edit")}
              </button>
            )}
            <button type="button" className="m-button" onClick={() => window.confirm(t("outbox.discardConfirm")) && void outbox.discard(item.id)}>
              {t("outbox.discard")}
            </button>
          </div>
        </>
      )}
    </li>
  );
}

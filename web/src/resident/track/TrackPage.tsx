import { useEffect, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Form, Image, Input, Steps, Tag, Timeline, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { api, ApiError, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { addMessages } from "../../i18n";
import messages from "./messages";
import { formatTime, loadKey, normaliseNumber, normaliseToken, readTrackingLink, saveKey, STEPS, stepOf, type TrackingKey } from "./tracking";
import "../resident.css";

addMessages("resident", messages);

type Tracked = paths["/api/v1/public/cases/{number}"]["get"]["responses"][200]["content"]["application/json"];
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
    <main className="resident-page">
      <Typography.Title level={1} className="resident-page__title">
        {t("title")}
      </Typography.Title>
      {!key || tracked.isError ? (
        <>
          {tracked.isError && key && <TrackingError error={tracked.error} onRetry={() => void tracked.refetch()} />}
          <KeyForm initial={key} onSubmit={follow} busy={tracked.isFetching} />
        </>
      ) : tracked.isPending ? (
        <p role="status" className="resident-page__status">
          {t("loading")}
        </p>
      ) : (
        <>
          <CaseProgress tracked={tracked.data} />
          <Button size="large" block className="resident-page__another" onClick={() => follow(undefined)}>
            {t("form.another")}
          </Button>
        </>
      )}
      <p className="resident-page__privacy">{t("privacy")}</p>
    </main>
  );
}

function KeyForm({ initial, onSubmit, busy }: { initial?: TrackingKey; onSubmit: (key: TrackingKey) => void; busy: boolean }) {
  const { t } = useTranslation("resident");
  const [form] = Form.useForm<{ number: string; token: string }>();
  const submit = (values: { number: string; token: string }) => {
    const number = normaliseNumber(values.number);
    const token = normaliseToken(values.token);
    if (number && token) onSubmit({ number, token });
  };
  return (
    <Form form={form} layout="vertical" size="large" requiredMark={false} initialValues={{ number: initial?.number ?? "", token: "" }} onFinish={submit} className="resident-form">
      <Typography.Paragraph>{t("intro")}</Typography.Paragraph>
      <Form.Item
        name="number"
        label={t("form.number")}
        extra={t("form.numberHint")}
        rules={[{ validator: (_rule, value: string) => (normaliseNumber(value ?? "") ? Promise.resolve() : Promise.reject(new Error(t("form.numberInvalid")))) }]}
      >
        <Input inputMode="numeric" autoComplete="off" className="resident-form__number" />
      </Form.Item>
      <Form.Item
        name="token"
        label={t("form.token")}
        extra={t("form.tokenHint")}
        rules={[{ validator: (_rule, value: string) => (normaliseToken(value ?? "") ? Promise.resolve() : Promise.reject(new Error(t("form.tokenInvalid")))) }]}
      >
        <Input.Password autoComplete="off" visibilityToggle />
      </Form.Item>
      <Button type="primary" htmlType="submit" block loading={busy}>
        {t("form.submit")}
      </Button>
    </Form>
  );
}

function TrackingError({ error, onRetry }: { error: Error; onRetry: () => void }) {
  const { t } = useTranslation("resident");
  if (error instanceof ApiError && error.status === 404) return <Alert type="error" showIcon role="alert" title={t("error.notFound")} className="resident-page__alert" />;
  if (error instanceof ApiError && error.status === 429) {
    const details = error.details as { retryAfterSeconds?: number } | undefined;
    return <Alert type="warning" showIcon role="alert" title={t("error.rateLimited", { seconds: details?.retryAfterSeconds ?? 60 })} className="resident-page__alert" />;
  }
  const network = error instanceof ApiError && error.code === "network_error";
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={t(network ? "error.network" : "error.other")}
      action={
        <Button size="large" onClick={onRetry}>
          {t("error.retry")}
        </Button>
      }
      className="resident-page__alert"
    />
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
      <section className="resident-card" aria-label={t("case.number")}>
        <div className="resident-card__label">{t("case.number")}</div>
        <Typography.Text copyable={{ text: tracked.number, tooltips: [t("case.copy"), "✓"] }} className="resident-card__number">
          {tracked.number}
        </Typography.Text>
        <div className="resident-card__title">{tracked.title}</div>
        <div className="resident-card__meta">
          {t("case.reportedAt")} {formatTime(tracked.createdAt)}
          {tracked.closedAt && (
            <>
              {" · "}
              {t("case.closedAt")} {formatTime(tracked.closedAt)}
            </>
          )}
        </div>
      </section>

      {ended === "rejected" && <Alert type="warning" showIcon title={t("ended.rejected")} description={t("ended.rejectedHint")} className="resident-page__alert" />}
      {ended === "merged" && tracked.mergedInto && (
        <Alert
          type="info"
          showIcon
          title={t("ended.merged", { number: tracked.mergedInto.number })}
          description={t("ended.mergedHint", { status: t(`step.${stepOf(tracked.mergedInto.status).step}`) })}
          className="resident-page__alert"
        />
      )}
      {!ended && (
        <section className="resident-card" aria-label={t("timeline.title")}>
          <Steps
            orientation="vertical"
            size="small"
            current={current}
            status={step === "closed" ? "finish" : "process"}
            items={STEPS.map((name) => ({ title: t(`step.${name}`) }))}
            className="resident-steps"
          />
        </section>
      )}

      <PublicPhotos photos={tracked.photos} />

      <section className="resident-card">
        <Typography.Title level={2} className="resident-card__heading">
          {t("timeline.title")}
        </Typography.Title>
        {tracked.timeline.length === 0 ? (
          <Typography.Text type="secondary">{t("timeline.empty")}</Typography.Text>
        ) : (
          <Timeline
            items={[...tracked.timeline].reverse().map((event) => ({
              key: `${event.at}-${event.action}`,
              content: (
                <div>
                  <div className="resident-timeline__action">{actionWord(event.action)}</div>
                  <div className="resident-timeline__time">{formatTime(event.at)}</div>
                  {event.note && <div className="resident-timeline__note">{event.note}</div>}
                </div>
              ),
            }))}
          />
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
    <section className="resident-card">
      <Typography.Title level={2} className="resident-card__heading">
        {t("photos.title")}
      </Typography.Title>
      {groups.length === 0 ? (
        <Typography.Text type="secondary">{t("photos.none")}</Typography.Text>
      ) : (
        <Image.PreviewGroup>
          {groups.map((group) => (
            <div key={group.kind} className="resident-photos">
              <div className="resident-photos__label">{group.label}</div>
              <div className="resident-photos__grid">
                {group.items.map((photo, index) => (
                  <figure key={photo.id} className="resident-photos__item">
                    <Image src={photo.url} width="100%" alt={t("photos.alt", { kind: group.label, index: index + 1 })} className="resident-photos__image" />
                    {photo.redacted && <Tag className="resident-photos__tag">{t("photos.redacted")}</Tag>}
                  </figure>
                ))}
              </div>
            </div>
          ))}
          <Typography.Text type="secondary" className="resident-photos__hint">
            {t("photos.hint")}
          </Typography.Text>
        </Image.PreviewGroup>
      )}
    </section>
  );
}

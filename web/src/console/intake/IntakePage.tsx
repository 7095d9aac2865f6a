import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { Alert, AutoComplete, Button, Card, Col, Descriptions, Form, Input, type InputRef, List, Radio, Result, Row, Select, Skeleton, Space, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ApiError, fetchGrids, type GridFeatureCollection } from "../../api/client";
import { addMessages } from "../../i18n";
import { useMe } from "../../session";
import { fetchCase, useCategories, useDepartments, transitionCase } from "../cases/caseApi";
import { categoryOptions } from "../cases/ActionDialog";
import caseMessages from "../cases/messages";
import { useWords } from "../cases/words";
import { formatDateTime } from "../queue/format";
import { clearDraft, loadDraft, saveDraft, type DraftPlace, type IntakeDraft } from "./draft";
import { createCase, previewCase, searchPlaces, type Duplicate, type IntakeBody, type Place, type Preview } from "./intakeApi";
import messages from "./messages";
import QuestionFields from "../questions/QuestionFields";
import "../cases/case.css";
import "./intake.css";

addMessages("intake", messages);
addMessages("case", caseMessages);

const PointMap = lazy(() => import("../cases/PointMap"));

const URGENCIES = ["normal", "urgent", "emergency"] as const;
const PHONE = /^[0-9+\- ]{5,20}$/;

type IntakeKey = keyof (typeof messages)["zh-CN"];
type Values = IntakeDraft;
/** The case the caller is told about: a new one, or the existing one the call was attached to. */
type Outcome = { id: string; number: string; attached: boolean; duplicates: Duplicate[] };
type Step = { kind: "form" } | { kind: "preview"; values: Values; idempotencyKey: string } | { kind: "done"; outcome: Outcome };

function useErrorText() {
  const { t } = useTranslation("intake");
  return useCallback(
    (error: unknown): string => {
      if (error instanceof ApiError) {
        const key = `error.${error.code}`;
        if (key in messages["zh-CN"]) return t(key as IntakeKey);
        return t("error.other", { message: error.message });
      }
      return t("error.other", { message: String(error) });
    },
    [t],
  );
}

export default function IntakePage() {
  const me = useMe();
  const { t } = useTranslation("intake");
  if (!me.scope) {
    return (
      <div className="full-page-center">
        <Result status="info" title={t("page.noScope")} />
      </div>
    );
  }
  return <Intake userId={me.id} scopeCode={me.scope.code} />;
}

function Intake({ userId, scopeCode }: { userId: string; scopeCode: string }) {
  const { t } = useTranslation("intake");
  const [initial] = useState(() => loadDraft(userId));
  const [step, setStep] = useState<Step>({ kind: "form" });
  const [formKey, setFormKey] = useState(0);
  const grids = useQuery({ queryKey: ["grids", scopeCode], queryFn: () => fetchGrids(scopeCode), staleTime: Infinity });

  const nextCall = useCallback(() => {
    clearDraft(userId);
    setStep({ kind: "form" });
    setFormKey((key) => key + 1);
  }, [userId]);

  return (
    <div className="intake-page">
      <header className="intake-page__header">
        <div>
          <Typography.Title level={2} className="intake-page__title">
            {t("page.title")}
          </Typography.Title>
          <Typography.Text type="secondary">{t("page.subtitle")}</Typography.Text>
        </div>
        <Shortcuts />
      </header>
      {step.kind === "done" ? (
        <OutcomeCard outcome={step.outcome} onNext={nextCall} />
      ) : (
        <IntakeForm
          key={formKey}
          userId={userId}
          initial={formKey === 0 ? initial : null}
          grids={grids.data}
          step={step}
          onPreview={(values) => setStep({ kind: "preview", values, idempotencyKey: crypto.randomUUID() })}
          onBack={() => setStep({ kind: "form" })}
          onDone={(outcome) => {
            clearDraft(userId);
            setStep({ kind: "done", outcome });
          }}
          onNext={nextCall}
        />
      )}
    </div>
  );
}

function Shortcuts() {
  const { t } = useTranslation("intake");
  return (
    <aside className="intake-shortcuts" aria-label={t("shortcuts.title")}>
      <span className="intake-shortcuts__title">{t("shortcuts.title")}</span>
      <ul>
        {(["shortcuts.submit", "shortcuts.enter", "shortcuts.suggestion", "shortcuts.back", "shortcuts.next"] as const).map((key) => (
          <li key={key}>{t(key)}</li>
        ))}
      </ul>
    </aside>
  );
}

/** The request body for the call as recorded: a hotline report, the caller as its reporter. */
function bodyOf(values: Values): IntakeBody {
  const body: IntakeBody = { description: (values.description ?? "").trim(), source: "hotline", urgency: values.urgency ?? "normal" };
  if (values.categoryCode) body.categoryCode = values.categoryCode;
  // Only the answers filled in; the form clears them when the category changes.
  const answers = Object.fromEntries(Object.entries(values.answers ?? {}).filter(([, value]) => value !== undefined && value !== null && value !== ""));
  if (values.categoryCode && Object.keys(answers).length > 0) body.answers = answers;
  const phone = values.phone?.trim();
  const name = values.name?.trim();
  if (phone || name) body.reporter = { ...(phone ? { phone } : {}), ...(name ? { name } : {}) };
  const place = values.place;
  if (!place) return body;
  if (place.kind === "building") body.buildingCode = place.code;
  else if (place.kind === "grid") body.gridCode = place.code;
  else if (place.lat !== undefined && place.lng !== undefined) body.location = { lat: place.lat, lng: place.lng };
  return body;
}

/** The body to preview, once the call has a place and a description; null before. */
const previewBody = (values: Values): IntakeBody | null =>
  values.place !== undefined && (values.description ?? "").trim().length >= 2 ? bodyOf(values) : null;

/** Waits until typing pauses, so that a preview is asked for once per pause, not per key. */
function useDebounced<T>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), delay);
    return () => window.clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

/** What the server finds for the call as it stands: the grid, the suggested category, possible duplicates. */
function usePreview(body: IntakeBody | null, enabled: boolean) {
  return useQuery({
    queryKey: ["intake", "preview", body],
    queryFn: () => previewCase(body ?? { description: "" }),
    enabled: enabled && body !== null,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    retry: false,
  });
}

type FormProps = {
  userId: string;
  initial: IntakeDraft | null;
  grids: GridFeatureCollection | undefined;
  step: Exclude<Step, { kind: "done" }>;
  onPreview: (values: Values) => void;
  onBack: () => void;
  onDone: (outcome: Outcome) => void;
  onNext: () => void;
};

function IntakeForm({ userId, initial, grids, step, onPreview, onBack, onDone, onNext }: FormProps) {
  const word = useWords();
  const { t } = useTranslation("intake");
  const [form] = Form.useForm<Values>();
  const phoneRef = useRef<InputRef>(null);
  const categories = useCategories();
  const previewing = step.kind === "preview";
  const watched = Form.useWatch([], form) as Values | undefined;
  const place = watched?.place;
  // Compared as text, so that only a changed call (not a new object) restarts the wait.
  const typed = useDebounced(JSON.stringify(previewBody(watched ?? {})), 600);
  const live = usePreview(useMemo(() => JSON.parse(typed) as IntakeBody | null, [typed]), !previewing);
  const suggestion = live.data?.suggestedCategories[0];

  useEffect(() => {
    if (!previewing) phoneRef.current?.focus();
  }, [previewing]);

  const create = useMutation({
    mutationFn: ({ values, key }: { values: Values; key: string }) => createCase(bodyOf(values), key),
    onSuccess: (created) => onDone({ id: created.case.id, number: created.case.number, attached: false, duplicates: created.duplicates }),
  });

  const takeSuggestion = useCallback(() => {
    if (!suggestion || previewing) return;
    form.setFieldValue("categoryCode", suggestion.code);
    form.setFieldValue("answers", undefined);
    saveDraft(userId, form.getFieldsValue(true));
  }, [form, previewing, suggestion, userId]);

  const submit = useCallback(() => {
    if (step.kind === "preview") {
      if (!create.isPending) create.mutate({ values: step.values, key: step.idempotencyKey });
      return;
    }
    form.submit();
  }, [create, form, step]);

  // Shortcuts work from every field, the description's text area included.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submit();
      } else if (event.key === "Escape" && step.kind === "preview" && !create.isPending) {
        event.preventDefault();
        onBack();
      } else if (event.altKey && event.code === "KeyS") {
        event.preventDefault();
        takeSuggestion();
      } else if (event.altKey && event.code === "KeyN") {
        event.preventDefault();
        onNext();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [submit, step.kind, onBack, onNext, create.isPending, takeSuggestion]);

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={14}>
        <Card>
          {initial && <Alert type="info" showIcon className="intake-page__restored" title={t("form.draftRestored")} closable />}
          <Form<Values>
            form={form}
            layout="vertical"
            disabled={previewing}
            initialValues={{ urgency: "normal", ...initial }}
            onValuesChange={(changed, all) => {
              if ("categoryCode" in changed) form.setFieldValue("answers", undefined);
              saveDraft(userId, "categoryCode" in changed ? { ...all, answers: undefined } : all);
            }}
            onFinish={(values) => onPreview(values)}
            requiredMark
            className="intake-form"
          >
            <Row gutter={16}>
              <Col span={12}>
                <Form.Item name="phone" label={t("form.phone")} rules={[{ pattern: PHONE, message: t("form.phoneInvalid") }]}>
                  <Input ref={phoneRef} inputMode="tel" autoComplete="off" />
                </Form.Item>
              </Col>
              <Col span={12}>
                <Form.Item name="name" label={t("form.name")}>
                  <Input placeholder={t("form.namePlaceholder")} autoComplete="off" maxLength={50} />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="place" label={t("form.place")} rules={[{ required: true, message: t("form.placeRequired") }]} extra={t("form.mapHint")}>
              <PlaceField />
            </Form.Item>
            <Form.Item
              name="description"
              label={t("form.description")}
              rules={[{ required: true, whitespace: true, min: 2, message: t("form.descriptionRequired") }]}
            >
              <Input.TextArea rows={4} maxLength={2000} showCount placeholder={t("form.descriptionPlaceholder")} />
            </Form.Item>
            <Form.Item
              name="categoryCode"
              label={t("form.category")}
              extra={
                suggestion && watched?.categoryCode !== suggestion.code ? (
                  <Space size={8} className="intake-suggestion">
                    <span>{t("form.suggested", { name: suggestion.name })}</span>
                    <Button size="small" type="link" onClick={takeSuggestion} disabled={previewing}>
                      {t("form.useSuggestion")}
                    </Button>
                  </Space>
                ) : undefined
              }
            >
              <Select
                allowClear
                showSearch={{ optionFilterProp: "label" }}
                placeholder={t("form.categoryPlaceholder")}
                loading={categories.isPending}
                options={categoryOptions(categories.data ?? [], suggestion?.code ?? null, t("form.suggestedMark"))}
              />
            </Form.Item>
            <QuestionFields questions={categories.data?.find((category) => category.code === watched?.categoryCode)?.questions ?? []} disabled={previewing} />
            <Form.Item name="urgency" label={t("form.urgency")}>
              <Radio.Group options={URGENCIES.map((value) => ({ value, label: word("urgency", value) }))} />
            </Form.Item>
            {!previewing && (
              <Space>
                <Button type="primary" htmlType="submit">
                  {t("form.preview")}
                </Button>
                <Button onClick={onNext}>{t("form.clear")}</Button>
              </Space>
            )}
          </Form>
          {step.kind === "preview" && <PreviewPanel values={step.values} creating={create.isPending} createError={create.error} onCreate={submit} onBack={onBack} onDone={onDone} />}
        </Card>
      </Col>
      <Col xs={24} xl={10}>
        <Card size="small" title={t("form.map")}>
          <Suspense fallback={<Skeleton.Node active className="intake-map" />}>
            <PointMap
              className="intake-map"
              grids={grids}
              point={place && place.lat !== undefined && place.lng !== undefined ? { lat: place.lat, lng: place.lng } : null}
              gridCode={(place && place.kind !== "point" ? place.gridCode : undefined) ?? live.data?.grid.code ?? null}
              label={t("form.map")}
              onPick={
                previewing
                  ? undefined
                  : (point) => {
                      // A value set from code is not a change the form reports: keep the draft by hand.
                      form.setFieldValue("place", { kind: "point", ...point });
                      void form.validateFields(["place"]).catch(() => undefined);
                      saveDraft(userId, form.getFieldsValue(true));
                    }
              }
            />
          </Suspense>
        </Card>
      </Col>
    </Row>
  );
}

function placeLabel(place: Place, kind: string): string {
  const name = place.kind === "building" && place.courtyard ? `${place.courtyard.name}${place.name}` : place.name;
  const around = [place.community?.name, place.street?.name].filter((part) => part && part !== place.name).join(" · ");
  return around ? `${name}（${kind}）· ${around}` : `${name}（${kind}）`;
}

/** Type a few characters and pick the place from the list, or click the map. */
function PlaceField({ value, onChange, id, disabled }: { value?: DraftPlace; onChange?: (place: DraftPlace | undefined) => void; id?: string; disabled?: boolean }) {
  const { t } = useTranslation("intake");
  const labelOf = useCallback(
    (place: DraftPlace | undefined) =>
      !place ? "" : place.kind === "point" ? t("form.placeFromMap", { lat: place.lat.toFixed(5), lng: place.lng.toFixed(5) }) : place.label,
    [t],
  );
  const [text, setText] = useState(() => labelOf(value));
  useEffect(() => setText(labelOf(value)), [value, labelOf]);
  const chosen = value !== undefined && labelOf(value) === text;
  const q = useDebounced(text.trim(), 200);
  const places = useQuery({
    queryKey: ["places", q],
    queryFn: () => searchPlaces(q),
    enabled: q.length > 0 && !chosen,
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
  const options = (chosen ? [] : (places.data ?? [])).map((place) => ({
    value: `${place.kind}:${place.code}`,
    label: placeLabel(place, t(`form.placeKind.${place.kind}`)),
    place,
  }));

  return (
    <AutoComplete
      id={id}
      disabled={disabled}
      value={text}
      placeholder={t("form.placePlaceholder")}
      options={options.map(({ value: key, label }) => ({ value: key, label }))}
      notFoundContent={!q || chosen ? undefined : places.isFetching ? t("form.placeSearching") : places.isError ? t("form.placeError") : t("form.placeNone")}
      defaultActiveFirstOption
      onSearch={(typed) => {
        setText(typed);
        if (value) onChange?.(undefined);
      }}
      onSelect={(key: string) => {
        const option = options.find((candidate) => candidate.value === key);
        if (!option) return;
        const { place } = option;
        setText(option.label);
        onChange?.({
          kind: place.kind,
          code: place.code,
          label: option.label,
          lat: place.location?.lat,
          lng: place.location?.lng,
          gridCode: place.grid?.code,
        });
      }}
    />
  );
}

type PreviewProps = {
  values: Values;
  creating: boolean;
  createError: unknown;
  onCreate: () => void;
  onBack: () => void;
  onDone: (outcome: Outcome) => void;
};

function PreviewPanel({ values, creating, createError, onCreate, onBack, onDone }: PreviewProps) {
  const word = useWords();
  const { t } = useTranslation("intake");
  const errorText = useErrorText();
  const createRef = useRef<HTMLButtonElement>(null);
  const preview = usePreview(useMemo(() => previewBody(values), [values]), true);
  const categories = useCategories();
  const departments = useDepartments();

  // The caller reports what an open case already is: their call joins its timeline instead.
  const attach = useMutation({
    mutationFn: async (duplicate: Duplicate) => {
      const loaded = await fetchCase(duplicate.id);
      const caller = { ...(values.phone?.trim() ? { phone: values.phone.trim() } : {}), ...(values.name?.trim() ? { name: values.name.trim() } : {}) };
      return transitionCase(duplicate.id, loaded.etag, {
        action: "follow_up",
        note: (values.description ?? "").trim(),
        ...(Object.keys(caller).length ? { caller } : {}),
      });
    },
    onSuccess: (updated) => onDone({ id: updated.case.id, number: updated.case.number, attached: true, duplicates: [] }),
  });

  useEffect(() => {
    if (preview.isSuccess) createRef.current?.focus();
  }, [preview.isSuccess]);

  const data: Preview | undefined = preview.data;
  const chosen = categories.data?.find((category) => category.code === values.categoryCode)?.name;
  const department = data?.departmentCode ? (departments.data?.find((candidate) => candidate.code === data.departmentCode)?.name ?? data.departmentCode) : null;
  const busy = creating || attach.isPending;

  return (
    <section className="intake-preview" aria-label={t("preview.title")} aria-busy={preview.isFetching}>
      <Typography.Title level={3} className="intake-preview__title">
        {t("preview.title")}
      </Typography.Title>
      {preview.isError ? (
        <Alert type="error" showIcon role="alert" title={errorText(preview.error)} />
      ) : !data ? (
        <Skeleton active paragraph={{ rows: 3 }} title={false} />
      ) : (
        <>
          <Descriptions column={2} size="small" bordered>
            <Descriptions.Item label={t("preview.place")} span={2}>
              {t("preview.grid", { grid: `${data.grid.name} ${data.grid.code}`, community: data.community.name, street: data.street.name })}
            </Descriptions.Item>
            <Descriptions.Item label={t("preview.suggested")}>
              {data.suggestedCategories.length ? data.suggestedCategories.map((category) => <Tag key={category.code}>{category.name}</Tag>) : t("preview.noSuggestion")}
            </Descriptions.Item>
            <Descriptions.Item label={t("preview.chosen")}>{chosen ?? t("preview.noCategory")}</Descriptions.Item>
            <Descriptions.Item label={t("preview.urgency")}>{word("urgency", data.urgency)}</Descriptions.Item>
            <Descriptions.Item label={t("preview.department")}>{department ?? "—"}</Descriptions.Item>
          </Descriptions>
          <div className="intake-duplicates">
            <Typography.Title level={4} className="intake-duplicates__title">
              {t("preview.duplicates")}
            </Typography.Title>
            {data.duplicates.length === 0 ? (
              <Typography.Text type="secondary">{t("preview.noDuplicates")}</Typography.Text>
            ) : (
              <>
                <Typography.Paragraph type="secondary" className="intake-duplicates__hint">
                  {t("preview.attachHint")}
                </Typography.Paragraph>
                <List
                  size="small"
                  bordered
                  dataSource={data.duplicates}
                  renderItem={(duplicate) => (
                    <List.Item
                      actions={[
                        <Link key="open" to={`/console/cases/${duplicate.id}`} target="_blank" rel="noopener">
                          {t("preview.openCase")}
                        </Link>,
                        <Button key="attach" size="small" loading={attach.isPending && attach.variables?.id === duplicate.id} disabled={busy} onClick={() => attach.mutate(duplicate)}>
                          {t("preview.attach")}
                        </Button>,
                      ]}
                    >
                      <List.Item.Meta
                        title={
                          <Space size={8} wrap>
                            <span className="case-number case-number--inline">{duplicate.number}</span>
                            <Tag>{word("status", duplicate.status)}</Tag>
                            <span>{duplicate.title}</span>
                          </Space>
                        }
                        description={`${t("preview.duplicate", { percent: Math.round(duplicate.similarity * 100), meters: Math.round(duplicate.distanceMeters) })} · ${formatDateTime(duplicate.createdAt)}`}
                      />
                    </List.Item>
                  )}
                />
              </>
            )}
          </div>
        </>
      )}
      {createError !== null && createError !== undefined && <Alert type="error" showIcon role="alert" title={errorText(createError)} className="intake-preview__error" />}
      {attach.isError && <Alert type="error" showIcon role="alert" title={t("preview.attachFailed", { message: errorText(attach.error) })} className="intake-preview__error" />}
      <Space className="intake-preview__buttons">
        <Button ref={createRef} type="primary" size="large" loading={creating} disabled={busy || !data} onClick={onCreate}>
          {t("preview.create")}
        </Button>
        <Button size="large" onClick={onBack} disabled={busy}>
          {t("preview.back")}
        </Button>
      </Space>
    </section>
  );
}

function OutcomeCard({ outcome, onNext }: { outcome: Outcome; onNext: () => void }) {
  const { t } = useTranslation("intake");
  const nextRef = useRef<HTMLButtonElement>(null);
  useEffect(() => nextRef.current?.focus(), []);
  return (
    <Card className="intake-created">
      <Result
        status="success"
        title={outcome.attached ? t("created.attached") : t("created.title")}
        subTitle={outcome.attached ? t("created.readAttached") : t("created.read")}
        extra={
          <div className="intake-created__body">
            <div className="intake-created__label" id="created-number-label">
              {t("created.number")}
            </div>
            <Typography.Text className="case-number case-number--large intake-created__number" aria-labelledby="created-number-label" copyable={{ text: outcome.number }}>
              {outcome.number}
            </Typography.Text>
            {outcome.duplicates.length > 0 && (
              <List
                size="small"
                className="intake-created__duplicates"
                header={t("created.duplicates", { count: outcome.duplicates.length })}
                dataSource={outcome.duplicates}
                renderItem={(duplicate) => (
                  <List.Item>
                    <Link to={`/console/cases/${duplicate.id}`}>
                      <span className="case-number case-number--inline">{duplicate.number}</span> {duplicate.title}
                    </Link>
                  </List.Item>
                )}
              />
            )}
            <Space>
              <Button ref={nextRef} type="primary" size="large" onClick={onNext}>
                {t("created.next")}
              </Button>
              <Link to={`/console/cases/${outcome.id}`}>
                <Button size="large">{t("created.open")}</Button>
              </Link>
            </Space>
          </div>
        }
      />
    </Card>
  );
}

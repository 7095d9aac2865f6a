import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Alert, AutoComplete, Button, Card, Col, Descriptions, Form, Input, type InputRef, List, Radio, Result, Row, Select, Skeleton, Space, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { ApiError, fetchGrids, type GridFeatureCollection } from "../../api/client";
import { addMessages } from "../../i18n";
import { useMe } from "../../session";
import { caseKeys, fetchCategories, locatePlace } from "../cases/caseApi";
import { categoryOptions } from "../cases/ActionDialog";
import caseMessages from "../cases/messages";
import { word } from "../cases/words";
import { clearDraft, loadDraft, saveDraft, type DraftPlace, type IntakeDraft } from "./draft";
import { createCase, searchGrids, type Created, type IntakeBody } from "./intakeApi";
import messages from "./messages";
import "../cases/case.css";
import "./intake.css";

addMessages("intake", messages);
addMessages("case", caseMessages);

const PointMap = lazy(() => import("../cases/PointMap"));

const URGENCIES = ["normal", "urgent", "emergency"] as const;
const PHONE = /^[0-9+\- ]{5,20}$/;

type Values = Omit<IntakeDraft, "place"> & { place?: DraftPlace };
type Step = { kind: "form" } | { kind: "preview"; values: Values; idempotencyKey: string } | { kind: "created"; created: Created };

function errorText(t: ReturnType<typeof useTranslation<"intake">>["t"], error: unknown): string {
  if (error instanceof ApiError) {
    const key = `error.${error.code}`;
    if (key in messages["zh-CN"]) return t(key as keyof (typeof messages)["zh-CN"]);
    return t("error.other", { message: error.message });
  }
  return t("error.other", { message: String(error) });
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
      {step.kind === "created" ? (
        <CreatedCase created={step.created} onNext={nextCall} />
      ) : (
        <IntakeForm
          key={formKey}
          userId={userId}
          initial={formKey === 0 ? initial : null}
          grids={grids.data}
          step={step}
          onPreview={(values) => setStep({ kind: "preview", values, idempotencyKey: crypto.randomUUID() })}
          onBack={() => setStep({ kind: "form" })}
          onCreated={(created) => {
            clearDraft(userId);
            setStep({ kind: "created", created });
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

type FormProps = {
  userId: string;
  initial: IntakeDraft | null;
  grids: GridFeatureCollection | undefined;
  step: Exclude<Step, { kind: "created" }>;
  onPreview: (values: Values) => void;
  onBack: () => void;
  onCreated: (created: Created) => void;
  onNext: () => void;
};

function IntakeForm({ userId, initial, grids, step, onPreview, onBack, onCreated, onNext }: FormProps) {
  const { t } = useTranslation("intake");
  const { t: tc } = useTranslation("case");
  const [form] = Form.useForm<Values>();
  const phoneRef = useRef<InputRef>(null);
  const categories = useQuery({ queryKey: caseKeys.categories, queryFn: fetchCategories, staleTime: Infinity });
  const previewing = step.kind === "preview";
  const place = Form.useWatch("place", form);

  useEffect(() => {
    if (!previewing) phoneRef.current?.focus();
  }, [previewing]);

  const create = useMutation({
    mutationFn: ({ values, key }: { values: Values; key: string }) => createCase(bodyOf(values), key),
    onSuccess: onCreated,
  });

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
      } else if (event.altKey && (event.key === "n" || event.key === "N" || event.code === "KeyN")) {
        event.preventDefault();
        onNext();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [submit, step.kind, onBack, onNext, create.isPending]);

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
            onValuesChange={(_changed, all) => saveDraft(userId, all)}
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
              <PlaceField grids={grids} />
            </Form.Item>
            <Form.Item
              name="description"
              label={t("form.description")}
              rules={[{ required: true, whitespace: true, min: 2, message: t("form.descriptionRequired") }]}
            >
              <Input.TextArea rows={4} maxLength={2000} showCount placeholder={t("form.descriptionPlaceholder")} />
            </Form.Item>
            <Form.Item name="categoryCode" label={t("form.category")}>
              <Select
                allowClear
                showSearch={{ optionFilterProp: "label" }}
                placeholder={t("form.categoryPlaceholder")}
                loading={categories.isPending}
                options={categoryOptions(categories.data ?? [], null, "")}
              />
            </Form.Item>
            <Form.Item name="urgency" label={t("form.urgency")}>
              <Radio.Group options={URGENCIES.map((value) => ({ value, label: word(tc, "urgency", value) }))} />
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
          {step.kind === "preview" && (
            <Preview values={step.values} grids={grids} creating={create.isPending} error={create.error} onCreate={submit} onBack={onBack} />
          )}
        </Card>
      </Col>
      <Col xs={24} xl={10}>
        <Card size="small" title={t("form.map")}>
          <Suspense fallback={<Skeleton.Node active className="intake-map" />}>
            <PointMap
              className="intake-map"
              grids={grids}
              point={place && "lat" in place && place.lat !== undefined && place.lng !== undefined ? { lat: place.lat, lng: place.lng } : null}
              gridCode={place?.kind === "grid" ? place.code : null}
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

function bodyOf(values: Values): IntakeBody {
  const body: IntakeBody = { description: (values.description ?? "").trim(), source: "hotline", urgency: values.urgency ?? "normal" };
  if (values.categoryCode) body.categoryCode = values.categoryCode;
  const phone = values.phone?.trim();
  const name = values.name?.trim();
  if (phone || name) body.reporter = { ...(phone ? { phone } : {}), ...(name ? { name } : {}) };
  const place = values.place;
  if (place?.kind === "point") body.location = { lat: place.lat, lng: place.lng };
  else if (place?.kind === "grid") body.gridCode = place.code;
  else if (place?.kind === "building") body.buildingCode = place.code;
  else if (place?.kind === "division") body.location = { lat: place.lat, lng: place.lng };
  return body;
}

/** Type a few characters and pick the place, or click the map. */
function PlaceField({ value, onChange, grids, id, disabled }: { value?: DraftPlace; onChange?: (place: DraftPlace | undefined) => void; grids: GridFeatureCollection | undefined; id?: string; disabled?: boolean }) {
  const { t } = useTranslation("intake");
  const labelOf = useCallback(
    (place: DraftPlace | undefined) =>
      !place ? "" : place.kind === "point" ? t("form.placeFromMap", { lat: place.lat.toFixed(5), lng: place.lng.toFixed(5) }) : place.label,
    [t],
  );
  const [text, setText] = useState(() => labelOf(value));
  useEffect(() => setText(labelOf(value)), [value, labelOf]);
  const options = useMemo(() => searchGrids(grids, text), [grids, text]);
  const chosen = value && labelOf(value) === text;

  return (
    <AutoComplete
      id={id}
      disabled={disabled}
      value={text}
      placeholder={t("form.placePlaceholder")}
      options={chosen ? [] : options.map((option) => ({ value: option.key, label: option.label }))}
      notFoundContent={text.trim() && !chosen ? t("form.placeNone") : undefined}
      defaultActiveFirstOption
      onSearch={(typed) => {
        setText(typed);
        if (value) onChange?.(undefined);
      }}
      onSelect={(key: string) => {
        const option = options.find((candidate) => candidate.key === key);
        if (!option) return;
        const place: DraftPlace = { kind: "grid", code: option.gridCode, label: option.label };
        setText(option.label);
        onChange?.(place);
      }}
    />
  );
}

function Preview({ values, grids, creating, error, onCreate, onBack }: { values: Values; grids: GridFeatureCollection | undefined; creating: boolean; error: unknown; onCreate: () => void; onBack: () => void }) {
  const { t } = useTranslation("intake");
  const createRef = useRef<HTMLButtonElement>(null);
  const categories = useQuery({ queryKey: caseKeys.categories, queryFn: fetchCategories, staleTime: Infinity });
  const place = values.place;
  const point = place && (place.kind === "point" || place.kind === "division") ? place : null;
  const located = useQuery({ queryKey: caseKeys.place(point?.lat ?? 0, point?.lng ?? 0), queryFn: () => locatePlace(point?.lat ?? 0, point?.lng ?? 0), enabled: point !== null, retry: false });
  const grid = place?.kind === "grid" ? grids?.features.find((feature) => feature.properties.code === place.code)?.properties : undefined;

  useEffect(() => createRef.current?.focus(), []);

  const gridText = grid
    ? t("preview.grid", { grid: `${grid.name} ${grid.code}`, community: grid.communityName, street: grid.streetName })
    : located.data
      ? t("preview.grid", { grid: `${located.data.grid.name} ${located.data.grid.code}`, community: located.data.community.name, street: located.data.street.name })
      : located.isError
        ? t("preview.outside")
        : place?.kind === "building"
          ? place.label
          : t("preview.locating");
  const chosen = categories.data?.find((category) => category.code === values.categoryCode)?.name;

  return (
    <section className="intake-preview" aria-label={t("preview.title")}>
      <Typography.Title level={3} className="intake-preview__title">
        {t("preview.title")}
      </Typography.Title>
      <Descriptions column={1} size="small" bordered>
        <Descriptions.Item label={t("preview.place")}>{gridText}</Descriptions.Item>
        <Descriptions.Item label={t("preview.chosen")}>{chosen ?? t("preview.noCategory")}</Descriptions.Item>
      </Descriptions>
      {error !== null && error !== undefined && <Alert type="error" showIcon role="alert" title={errorText(t, error)} className="intake-preview__error" />}
      <Space className="intake-preview__buttons">
        <Button ref={createRef} type="primary" size="large" loading={creating} onClick={onCreate}>
          {t("preview.create")}
        </Button>
        <Button size="large" onClick={onBack} disabled={creating}>
          {t("preview.back")}
        </Button>
      </Space>
    </section>
  );
}

function CreatedCase({ created, onNext }: { created: Created; onNext: () => void }) {
  const { t } = useTranslation("intake");
  const nextRef = useRef<HTMLButtonElement>(null);
  useEffect(() => nextRef.current?.focus(), []);
  return (
    <Card className="intake-created">
      <Result
        status="success"
        title={t("created.title")}
        subTitle={t("created.read")}
        extra={
          <div className="intake-created__body">
            <div className="intake-created__label" id="created-number-label">
              {t("created.number")}
            </div>
            <Typography.Text className="case-number intake-created__number" aria-labelledby="created-number-label" copyable={{ text: created.case.number }}>
              {created.case.number}
            </Typography.Text>
            {created.duplicates.length > 0 && (
              <List
                size="small"
                className="intake-created__duplicates"
                header={t("created.duplicates", { count: created.duplicates.length })}
                dataSource={created.duplicates}
                renderItem={(duplicate) => (
                  <List.Item>
                    <Link to={`/console/cases/${duplicate.id}`}>
                      <Tag>{t("preview.duplicate", { number: duplicate.number, percent: Math.round(duplicate.similarity * 100), meters: duplicate.distanceMeters })}</Tag>
                    </Link>
                  </List.Item>
                )}
              />
            )}
            <Space>
              <Button ref={nextRef} type="primary" size="large" onClick={onNext}>
                {t("created.next")}
              </Button>
              <Link to={`/console/cases/${created.case.id}`}>
                <Button size="large">{t("created.open")}</Button>
              </Link>
            </Space>
          </div>
        }
      />
    </Card>
  );
}

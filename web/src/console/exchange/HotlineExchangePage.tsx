import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Checkbox, Drawer, Form, Input, Popconfirm, Radio, Select, Space, Table, Tag, Typography, AutoComplete } from "antd";
import { DeleteOutlined, DownloadOutlined, PlusOutlined } from "@ant-design/icons";
import { useTranslation } from "react-i18next";
import type { TFunction } from "i18next";
import { ApiError } from "../../api/client";
import { addMessages } from "../../i18n";
import { useMe } from "../../session";
import { useCategories } from "../cases/caseApi";
import { formatDateTime } from "../queue/format";
import messages from "./messages";
import { TableFileInput } from "./TableFileInput";
import {
  createMapping, deleteMapping, downloadResults, exchangeKeys, previewImport, runImport, updateMapping, useMappings,
  type HotlineMapping, type ImportPreview, type ImportResult, type MappingBody, type RowProblem,
} from "./exchangeApi";
import "./exchange.css";

addMessages("exchange", messages);

const IMPORT_FIELDS = ["externalRef", "reportedAt", "title", "description", "address", "category", "callerName", "callerPhone", "lng", "lat", "deadline"] as const;
const EXPORT_FIELDS = ["status", "department", "handlingNote", "closedAt", "rating"] as const;
const REQUIRED: readonly string[] = ["externalRef", "description"];
type Field = (typeof IMPORT_FIELDS)[number] | (typeof EXPORT_FIELDS)[number];

type FormValues = {
  name: string;
  sourceName: string;
  crs: "wgs84" | "gcj02" | "bd09";
  columns: Partial<Record<Field, string>>;
  categoryValues: { value: string; code: string }[];
};

type ExchangeT = TFunction<"exchange">;

/** What an API refusal of a file means for the clerk, in the page's language. */
function fileError(t: ExchangeT, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.code === "columns_missing") {
      const details = error.details as { columns?: string[]; headers?: string[] } | undefined;
      return t("import.columnsMissing", { columns: (details?.columns ?? []).join("、"), headers: (details?.headers ?? []).join("、") });
    }
    const known = `error.${error.code}` as const;
    if (t(known as never) !== known) return t(known as never);
  }
  return t("import.error", { message: error instanceof Error ? error.message : String(error) });
}

const shanghaiDay = (offsetDays = 0) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(Date.now() + offsetDays * 86_400_000));

/** /console/exchange/hotline: the 12345 work-order exchange of a command centre. */
export default function HotlineExchangePage() {
  const { t } = useTranslation("exchange");
  const me = useMe();
  const mappings = useMappings();
  const [headers, setHeaders] = useState<string[]>([]);
  if (!me.permissions.includes("exchange.write")) return <Alert type="info" showIcon title={t("page.notAllowed")} />;
  return (
    <div className="exchange-page">
      <Typography.Title level={2} style={{ marginTop: 0 }}>
        {t("page.title")}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t("page.subtitle")}</Typography.Paragraph>
      <Space orientation="vertical" size="large" style={{ width: "100%" }}>
        <MappingsCard mappings={mappings} headers={headers} />
        <ImportCard mappings={mappings.data ?? []} onHeaders={setHeaders} />
        <ExportCard mappings={mappings.data ?? []} />
      </Space>
    </div>
  );
}

function MappingsCard({ mappings, headers }: { mappings: ReturnType<typeof useMappings>; headers: string[] }) {
  const { t } = useTranslation("exchange");
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const categories = useCategories();
  const [editing, setEditing] = useState<HotlineMapping | "new" | null>(null);
  const [form] = Form.useForm<FormValues>();
  const reload = () => queryClient.invalidateQueries({ queryKey: exchangeKeys.mappings });

  const save = useMutation({
    mutationFn: (values: FormValues) => {
      const columns = Object.fromEntries(Object.entries(values.columns ?? {}).filter(([, header]) => header && header.trim() !== "").map(([field, header]) => [field, (header as string).trim()]));
      const body: MappingBody = {
        name: values.name.trim(),
        sourceName: values.sourceName.trim(),
        crs: values.crs,
        columns,
        categoryValues: Object.fromEntries((values.categoryValues ?? []).filter((pair) => pair?.value && pair.code).map((pair) => [pair.value.trim(), pair.code])),
      };
      return editing && editing !== "new" ? updateMapping(editing.id, editing.version, body) : createMapping(body);
    },
    onSuccess: () => {
      void message.success(t("mappings.saved"));
      setEditing(null);
      void reload();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === "version_mismatch") {
        void message.warning(t("mappings.conflict"));
        setEditing(null);
        void reload();
      } else if (error instanceof ApiError && error.code === "mapping_name_taken") {
        form.setFields([{ name: "name", errors: [t("mappings.nameTaken")] }]);
      } else if (error instanceof ApiError && error.code === "invalid_mapping") {
        void message.error(t("form.invalid", { problems: ((error.details as { problems?: string[] } | undefined)?.problems ?? []).join("; ") }));
      } else void message.error(t("import.error", { message: error instanceof Error ? error.message : String(error) }));
    },
  });
  const remove = useMutation({
    mutationFn: deleteMapping,
    onSuccess: () => {
      void message.success(t("mappings.deleted"));
      void reload();
    },
  });

  const open = (mapping: HotlineMapping | "new") => {
    setEditing(mapping);
    form.setFieldsValue(
      mapping === "new"
        ? { name: "", sourceName: "", crs: "wgs84", columns: {}, categoryValues: [] }
        : {
            name: mapping.name,
            sourceName: mapping.sourceName,
            crs: mapping.crs,
            columns: mapping.columns,
            categoryValues: Object.entries(mapping.categoryValues).map(([value, code]) => ({ value, code })),
          },
    );
  };
  const headerOptions = headers.map((header) => ({ value: header }));
  const categoryOptions = (categories.data ?? []).filter((category) => category.active && category.parentCode).map((category) => ({ value: category.code, label: category.name }));
  const columnField = (field: Field) => (
    <Form.Item
      key={field}
      name={["columns", field]}
      label={t(`field.${field}`)}
      rules={REQUIRED.includes(field) ? [{ required: true, whitespace: true, message: t("form.required") }] : []}
    >
      <AutoComplete options={headerOptions} allowClear filterOption={(input, option) => (option?.value ?? "").includes(input)} />
    </Form.Item>
  );

  return (
    <Card title={t("mappings.title")} extra={<Button type="primary" icon={<PlusOutlined aria-hidden="true" />} onClick={() => open("new")}>{t("mappings.add")}</Button>}>
      {mappings.isError ? (
        <Alert type="error" showIcon title={t("mappings.failed")} />
      ) : (
        <Table<HotlineMapping>
          rowKey="id"
          size="middle"
          loading={mappings.isPending}
          dataSource={mappings.data ?? []}
          pagination={false}
          locale={{ emptyText: t("mappings.empty") }}
          columns={[
            { key: "name", title: t("mappings.column.name"), dataIndex: "name", width: 180 },
            { key: "source", title: t("mappings.column.source"), dataIndex: "sourceName", width: 160 },
            {
              key: "columns",
              title: t("mappings.column.columns"),
              render: (_, row) => (
                <span className="exchange-columns">
                  {IMPORT_FIELDS.filter((field) => row.columns[field]).map((field) => (
                    <Tag key={field}>
                      {t(`field.${field}`)} ← {row.columns[field]}
                    </Tag>
                  ))}
                </span>
              ),
            },
            { key: "updated", title: t("mappings.column.updated"), width: 150, render: (_, row) => formatDateTime(row.updatedAt) },
            {
              key: "operations",
              title: t("mappings.column.operations"),
              width: 130,
              render: (_, row) => (
                <Space size="small">
                  <Button size="small" type="link" onClick={() => open(row)} aria-label={`${t("mappings.edit")} ${row.name}`}>
                    {t("mappings.edit")}
                  </Button>
                  <Popconfirm title={t("mappings.deleteConfirm")} onConfirm={() => remove.mutate(row.id)}>
                    <Button size="small" type="link" danger aria-label={`${t("mappings.delete")} ${row.name}`}>
                      {t("mappings.delete")}
                    </Button>
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      )}
      <Drawer
        open={editing !== null}
        size={640}
        title={editing === "new" ? t("mappings.add") : t("mappings.edit")}
        onClose={() => setEditing(null)}
        destroyOnHidden
        forceRender
        extra={
          <Space>
            <Button onClick={() => setEditing(null)}>{t("form.cancel")}</Button>
            <Button type="primary" loading={save.isPending} onClick={() => form.submit()}>
              {t("form.save")}
            </Button>
          </Space>
        }
      >
        <Form form={form} layout="vertical" onFinish={(values) => save.mutate(values)}>
          <div className="exchange-form-grid">
            <Form.Item name="name" label={t("form.name")} rules={[{ required: true, whitespace: true, message: t("form.required") }]}>
              <Input maxLength={100} />
            </Form.Item>
            <Form.Item name="sourceName" label={t("form.source")} extra={t("form.sourceHelp")} rules={[{ required: true, whitespace: true, message: t("form.required") }]}>
              <Input maxLength={100} />
            </Form.Item>
          </div>
          {headers.length > 0 && <Alert type="info" style={{ marginBottom: 12 }} title={t("form.headersHint", { headers: headers.join("、") })} />}
          <Typography.Title level={5}>{t("form.importColumns")}</Typography.Title>
          <div className="exchange-form-grid">{IMPORT_FIELDS.map(columnField)}</div>
          <Form.Item name="crs" label={t("form.crs")}>
            <Radio.Group options={(["wgs84", "gcj02", "bd09"] as const).map((crs) => ({ value: crs, label: t(`form.crs.${crs}`) }))} />
          </Form.Item>
          <Typography.Title level={5}>{t("form.categoryValues")}</Typography.Title>
          <Form.List name="categoryValues">
            {(fields, { add, remove: removePair }) => (
              <>
                {fields.map((field) => (
                  <Space key={field.key} align="baseline" style={{ display: "flex" }}>
                    <Form.Item name={[field.name, "value"]} rules={[{ required: true, message: t("form.required") }]}>
                      <Input aria-label={t("form.categoryValue")} placeholder={t("form.categoryValue")} />
                    </Form.Item>
                    <Form.Item name={[field.name, "code"]} rules={[{ required: true, message: t("form.required") }]}>
                      <Select aria-label={t("form.category")} placeholder={t("form.category")} style={{ width: 240 }} showSearch={{ optionFilterProp: "label" }} options={categoryOptions} />
                    </Form.Item>
                    <Button type="text" icon={<DeleteOutlined />} aria-label={t("mappings.delete")} onClick={() => removePair(field.name)} />
                  </Space>
                ))}
                <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ value: "", code: undefined })}>
                  {t("form.addCategoryValue")}
                </Button>
              </>
            )}
          </Form.List>
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t("form.exportColumns")}
          </Typography.Title>
          <div className="exchange-form-grid">{EXPORT_FIELDS.map(columnField)}</div>
        </Form>
      </Drawer>
    </Card>
  );
}

function ProblemTable({ problems }: { problems: RowProblem[] }) {
  const { t } = useTranslation("exchange");
  return (
    <Table<RowProblem>
      rowKey={(problem) => `${problem.row}-${problem.column}-${problem.reason}`}
      size="small"
      dataSource={problems}
      pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
      locale={{ emptyText: t("import.noBadRows") }}
      columns={[
        { key: "row", title: t("column.row"), dataIndex: "row", width: 80 },
        { key: "column", title: t("column.column"), dataIndex: "column", width: 160 },
        { key: "reason", title: t("column.reason"), dataIndex: "reason" },
      ]}
    />
  );
}

function ImportCard({ mappings, onHeaders }: { mappings: HotlineMapping[]; onHeaders: (headers: string[]) => void }) {
  const { t } = useTranslation("exchange");
  const [mappingId, setMappingId] = useState<string | undefined>();
  const [file, setFile] = useState<File | null>(null);
  const [goodRowsOnly, setGoodRowsOnly] = useState(false);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const chosen = mappingId ?? (mappings.length === 1 ? mappings[0].id : undefined);

  const check = useMutation({
    mutationFn: () => previewImport(file as File, chosen as string),
    onMutate: () => {
      setPreview(null);
      setResult(null);
    },
    onSuccess: (answer) => {
      setPreview(answer);
      onHeaders(answer.headers);
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === "columns_missing") onHeaders((error.details as { headers?: string[] }).headers ?? []);
    },
  });
  const run = useMutation({
    mutationFn: () => runImport(file as File, chosen as string, goodRowsOnly),
    onSuccess: (answer) => {
      setResult(answer);
      setPreview(null);
    },
  });
  const refusedRows = run.error instanceof ApiError && run.error.code === "invalid_rows" ? (run.error.details as ImportResult) : null;
  const blocked = preview !== null && preview.bad > 0 && !goodRowsOnly;

  return (
    <Card title={t("import.title")}>
      <Typography.Paragraph type="secondary">{t("limits")}</Typography.Paragraph>
      <Space wrap size="middle" align="center">
        <Select
          aria-label={t("import.mapping")}
          placeholder={t("import.chooseMapping")}
          style={{ width: 240 }}
          value={chosen}
          onChange={(value) => {
            setMappingId(value);
            setPreview(null);
          }}
          options={mappings.map((mapping) => ({ value: mapping.id, label: mapping.name }))}
        />
        <TableFileInput
          id="hotline-file"
          label={t("import.file")}
          choose={t("import.chooseFile")}
          file={file}
          onChoose={(chosen) => {
            setFile(chosen);
            setPreview(null);
            setResult(null);
          }}
        />
        <Button disabled={!file || !chosen} loading={check.isPending} onClick={() => check.mutate()}>
          {t("import.preview")}
        </Button>
      </Space>
      {check.isError && <Alert className="exchange-alert" type="error" showIcon title={fileError(t, check.error)} />}
      {run.isError && !refusedRows && <Alert className="exchange-alert" type="error" showIcon title={fileError(t, run.error)} />}
      {refusedRows && (
        <>
          <Alert className="exchange-alert" type="error" showIcon title={t("import.refused", { bad: refusedRows.bad })} />
          <ProblemTable problems={refusedRows.problems} />
        </>
      )}
      {result && (
        <>
          <Alert className="exchange-alert" type="success" showIcon title={t("import.done", { fresh: result.new, existing: result.existing, bad: result.bad })} />
          {result.problems.length > 0 && <ProblemTable problems={result.problems} />}
        </>
      )}
      {preview && (
        <div className="exchange-preview">
          <Alert
            className="exchange-alert"
            type={preview.bad > 0 ? "warning" : "info"}
            showIcon
            title={t("import.summary", { rows: preview.rows, good: preview.good, fresh: preview.new, existing: preview.existing, bad: preview.bad })}
          />
          <Typography.Title level={5}>{t("import.firstRows", { count: preview.rowsShown.length })}</Typography.Title>
          <Table
            rowKey="row"
            size="small"
            pagination={false}
            scroll={{ x: true }}
            dataSource={preview.rowsShown}
            columns={[
              { key: "row", title: t("column.row"), dataIndex: "row", width: 64 },
              { key: "ref", title: t("column.externalRef"), dataIndex: "externalRef", width: 180, render: (ref: string) => <Typography.Text code>{ref}</Typography.Text> },
              { key: "at", title: t("column.reportedAt"), width: 140, render: (_, row) => (row.reportedAt ? formatDateTime(row.reportedAt) : "—") },
              { key: "title", title: t("column.title"), dataIndex: "title" },
              { key: "category", title: t("column.category"), width: 120, render: (_, row) => row.category?.name ?? "—" },
              { key: "caller", title: t("column.caller"), width: 150, render: (_, row) => [row.callerName, row.callerPhone].filter(Boolean).join(" ") || "—" },
              { key: "grid", title: t("column.grid"), dataIndex: "gridCode", width: 150 },
              { key: "state", title: t("column.state"), width: 100, render: (_, row) => (row.exists ? <Tag>{t("import.exists")}</Tag> : <Tag color="blue">{t("import.new")}</Tag>) },
            ]}
          />
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t("import.badRows")}
          </Typography.Title>
          <ProblemTable problems={preview.problems} />
          <Space orientation="vertical" style={{ marginTop: 12 }}>
            {preview.bad > 0 && (
              <Checkbox checked={goodRowsOnly} onChange={(event) => setGoodRowsOnly(event.target.checked)}>
                {t("import.goodRowsOnly")}
              </Checkbox>
            )}
            {blocked && <Typography.Text type="warning">{t("import.blocked", { bad: preview.bad })}</Typography.Text>}
            <Button type="primary" disabled={blocked || preview.new === 0} loading={run.isPending} onClick={() => run.mutate()}>
              {t("import.run")}
            </Button>
          </Space>
        </div>
      )}
    </Card>
  );
}

function ExportCard({ mappings }: { mappings: HotlineMapping[] }) {
  const { t } = useTranslation("exchange");
  const [mappingId, setMappingId] = useState<string | undefined>();
  const [from, setFrom] = useState(shanghaiDay(-29));
  const [to, setTo] = useState(shanghaiDay());
  const [format, setFormat] = useState<"xlsx" | "csv">("xlsx");
  const chosen = mappingId ?? (mappings.length === 1 ? mappings[0].id : undefined);
  const download = useMutation({ mutationFn: () => downloadResults({ mapping: chosen as string, from, to, format }) });
  return (
    <Card title={t("export.title")}>
      <Space wrap size="middle" align="center">
        <Select
          aria-label={`${t("export.title")} ${t("import.mapping")}`}
          placeholder={t("import.chooseMapping")}
          style={{ width: 240 }}
          value={chosen}
          onChange={setMappingId}
          options={mappings.map((mapping) => ({ value: mapping.id, label: mapping.name }))}
        />
        <span id="export-period">{t("export.period")}</span>
        <Space.Compact role="group" aria-labelledby="export-period">
          <Input type="date" aria-label={`${t("export.period")} ≥`} value={from} max={to} onChange={(event) => setFrom(event.target.value)} />
          <Input type="date" aria-label={`${t("export.period")} ≤`} value={to} min={from} onChange={(event) => setTo(event.target.value)} />
        </Space.Compact>
        <Radio.Group aria-label={t("export.format")} value={format} onChange={(event) => setFormat(event.target.value)} options={[{ value: "xlsx", label: "Excel (.xlsx)" }, { value: "csv", label: "CSV" }]} />
        <Button type="primary" icon={<DownloadOutlined aria-hidden="true" />} disabled={!chosen || !from || !to} loading={download.isPending} onClick={() => download.mutate()}>
          {t("export.download")}
        </Button>
      </Space>
      {download.isError && <Alert className="exchange-alert" type="error" showIcon title={t("export.failed", { message: download.error.message })} />}
    </Card>
  );
}

import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { Alert, Button, Card, Checkbox, Radio, Space, Table, Tag, Typography } from "antd";
import { DownloadOutlined } from "@ant-design/icons";
import { useSearchParams } from "react-router";
import { useTranslation } from "react-i18next";
import type { TFunction } from "i18next";
import { ApiError } from "../../api/client";
import { addMessages } from "../../i18n";
import { useMe } from "../../session";
import messages from "./referenceMessages";
import { TableFileInput } from "./TableFileInput";
import {
  downloadWorkbook, KIND_PERMISSIONS, previewReferenceImport, REFERENCE_KINDS, runReferenceImport,
  type OneTimePassword, type ReferenceChange, type ReferenceKind, type ReferenceProblem, type ReferenceReport,
} from "./referenceApi";
import "./exchange.css";

addMessages("referenceImports", messages);

type ImportsT = TFunction<"referenceImports">;

/** What an API refusal of a file means for the clerk, in the page's language. */
function fileError(t: ImportsT, error: unknown): string {
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

const today = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());

/** /console/exchange/imports: staff, departments, courtyards and buildings from a clerk's spreadsheet. */
export default function ReferenceImportsPage() {
  const { t } = useTranslation("referenceImports");
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const allowed = REFERENCE_KINDS.filter((kind) => me.permissions.includes(KIND_PERMISSIONS[kind]));
  if (allowed.length === 0) return <Alert type="info" showIcon title={t("page.notAllowed")} />;
  const asked = params.get("kind") as ReferenceKind | null;
  const kind = asked && allowed.includes(asked) ? asked : allowed[0];
  return (
    <div className="exchange-page">
      <Typography.Title level={2} style={{ marginTop: 0 }}>
        {t("page.title")}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t("page.intro")}</Typography.Paragraph>
      <Space orientation="vertical" size="large" style={{ width: "100%" }}>
        <Card>
          <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
            <Radio.Group
              aria-label={t("kind.label")}
              optionType="button"
              buttonStyle="solid"
              value={kind}
              onChange={(event) => setParams({ kind: event.target.value as string })}
              options={allowed.map((value) => ({ value, label: t(`kind.${value}`) }))}
            />
            <Typography.Text type="secondary">{t(`kind.${kind}Hint`)}</Typography.Text>
            <FilesRow kind={kind} />
          </Space>
        </Card>
        {/* A new kind starts a fresh import: nothing of the other kind's preview carries over. */}
        <ImportCard key={kind} kind={kind} />
      </Space>
    </div>
  );
}

function FilesRow({ kind }: { kind: ReferenceKind }) {
  const { t } = useTranslation("referenceImports");
  const download = useMutation({
    mutationFn: (what: "template" | "export") => downloadWorkbook(what, kind, what === "template" ? `${kind}-template.xlsx` : `${kind}-${today()}.xlsx`),
  });
  return (
    <>
      <Space wrap>
        <Button icon={<DownloadOutlined aria-hidden="true" />} loading={download.isPending && download.variables === "template"} onClick={() => download.mutate("template")}>
          {t("files.template")}
        </Button>
        <Button icon={<DownloadOutlined aria-hidden="true" />} loading={download.isPending && download.variables === "export"} onClick={() => download.mutate("export")}>
          {t("files.export")}
        </Button>
        <Typography.Text type="secondary">{t("files.exportHint")}</Typography.Text>
      </Space>
      {download.isError && <Alert className="exchange-alert" type="error" showIcon title={t("files.failed", { message: download.error.message })} />}
    </>
  );
}

function ProblemTable({ problems }: { problems: ReferenceProblem[] }) {
  const { t } = useTranslation("referenceImports");
  return (
    <Table<ReferenceProblem>
      rowKey={(problem) => `${problem.row}-${problem.column}-${problem.code}`}
      size="small"
      dataSource={problems}
      pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
      locale={{ emptyText: t("import.noBadRows") }}
      aria-label={t("import.badRows")}
      columns={[
        { key: "row", title: t("column.row"), dataIndex: "row", width: 80 },
        { key: "column", title: t("column.column"), dataIndex: "column", width: 160 },
        { key: "reason", title: t("column.reason"), dataIndex: "reason" },
      ]}
    />
  );
}

function ChangeTable({ kind, changes }: { kind: ReferenceKind; changes: ReferenceChange[] }) {
  const { t } = useTranslation("referenceImports");
  const fieldName = (field: string) => {
    const key = `field.${field}` as const;
    return t(key as never) === key ? field : t(key as never);
  };
  return (
    <Table<ReferenceChange>
      rowKey="row"
      size="small"
      dataSource={changes}
      pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
      locale={{ emptyText: t("import.noChanges") }}
      columns={[
        { key: "row", title: t("column.row"), dataIndex: "row", width: 80 },
        { key: "key", title: kind === "staff" ? t("column.username") : t("column.code"), dataIndex: "key", width: 220, render: (key: string) => <Typography.Text code>{key}</Typography.Text> },
        {
          key: "action",
          title: t("column.action"),
          width: 100,
          render: (_, change) => <Tag color={change.action === "create" ? "blue" : "gold"}>{t(`action.${change.action}`)}</Tag>,
        },
        { key: "fields", title: t("column.fields"), render: (_, change) => change.fields.map(fieldName).join("、") || "—" },
      ]}
    />
  );
}

function PasswordTable({ passwords }: { passwords: OneTimePassword[] }) {
  const { t } = useTranslation("referenceImports");
  return (
    <>
      <Alert className="exchange-alert" type="warning" showIcon title={t("passwords.title")} description={t("passwords.warning")} />
      <Table<OneTimePassword>
        rowKey="username"
        size="small"
        dataSource={passwords}
        pagination={false}
        columns={[
          { key: "row", title: t("column.row"), dataIndex: "row", width: 80 },
          { key: "username", title: t("column.username"), dataIndex: "username", width: 220 },
          { key: "password", title: t("column.password"), dataIndex: "password", render: (password: string) => <Typography.Text code copyable>{password}</Typography.Text> },
        ]}
      />
    </>
  );
}

function ImportCard({ kind }: { kind: ReferenceKind }) {
  const { t } = useTranslation("referenceImports");
  const [file, setFile] = useState<File | null>(null);
  const [goodRowsOnly, setGoodRowsOnly] = useState(false);
  const [preview, setPreview] = useState<ReferenceReport | null>(null);
  const [result, setResult] = useState<ReferenceReport | null>(null);

  const check = useMutation({
    mutationFn: () => previewReferenceImport(kind, file as File),
    onMutate: () => {
      setPreview(null);
      setResult(null);
    },
    onSuccess: setPreview,
  });
  const run = useMutation({
    mutationFn: () => runReferenceImport(kind, file as File, goodRowsOnly),
    onSuccess: (answer) => {
      setResult(answer);
      setPreview(null);
    },
  });
  const refusedRows = run.error instanceof ApiError && run.error.code === "invalid_rows" ? (run.error.details as ReferenceReport) : null;
  const blocked = preview !== null && preview.bad > 0 && !goodRowsOnly;
  const nothingToDo = preview !== null && preview.created + preview.updated === 0;

  return (
    <Card title={t("import.title")}>
      <Typography.Paragraph type="secondary">{t("limits")}</Typography.Paragraph>
      <Space wrap size="middle" align="center">
        <TableFileInput
          id="reference-file"
          label={t("import.file")}
          choose={t("import.chooseFile")}
          file={file}
          onChoose={(chosen) => {
            setFile(chosen);
            setPreview(null);
            setResult(null);
            setGoodRowsOnly(false);
            run.reset();
          }}
        />
        <Button disabled={!file} loading={check.isPending} onClick={() => check.mutate()}>
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
          <Alert className="exchange-alert" type="success" showIcon title={t("import.done", { created: result.created, updated: result.updated, unchanged: result.unchanged, bad: result.bad })} />
          {result.passwords.length > 0 && <PasswordTable passwords={result.passwords} />}
          {result.problems.length > 0 && (
            <>
              <Typography.Title level={5} style={{ marginTop: 16 }}>
                {t("import.badRows")}
              </Typography.Title>
              <ProblemTable problems={result.problems} />
            </>
          )}
        </>
      )}
      {preview && (
        <div className="exchange-preview">
          <Alert
            className="exchange-alert"
            type={preview.bad > 0 ? "warning" : "info"}
            showIcon
            title={t("import.summary", { rows: preview.rows, created: preview.created, updated: preview.updated, unchanged: preview.unchanged, bad: preview.bad })}
          />
          <Typography.Title level={5}>{t("import.changes")}</Typography.Title>
          <ChangeTable kind={kind} changes={preview.changes} />
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
            {nothingToDo && !blocked && <Typography.Text type="secondary">{t("import.nothingToDo")}</Typography.Text>}
            <Button type="primary" disabled={blocked || nothingToDo} loading={run.isPending} onClick={() => run.mutate()}>
              {goodRowsOnly ? t("import.runGood") : t("import.run")}
            </Button>
          </Space>
        </div>
      )}
    </Card>
  );
}

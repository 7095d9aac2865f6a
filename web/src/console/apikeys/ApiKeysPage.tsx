import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Checkbox, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from "antd";
import { PlusOutlined } from "@ant-design/icons";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { addMessages } from "../../i18n";
import { useMe } from "../../session";
import { formatDateTime, relativeTime } from "../queue/format";
import messages from "./messages";
import "./api-keys.css";

addMessages("apiKeys", messages);

type ListedKey = Awaited<ReturnType<typeof listKeys>>[number];
type Scope = ListedKey["scopes"][number];
type Values = { name: string; organisation: string; scopes: Scope[]; requestsPerMinute?: number | null; days: number };

const KEY = ["api-keys"];
const SCOPES: Scope[] = ["read", "report", "exchange"];
const VALIDITY = [0, 30, 90, 180, 365];

async function listKeys() {
  return (await unwrap(api.GET("/api/v1/api-keys"))).apiKeys;
}

/** /console/api-keys: the API keys within the user's reach; create one (shown once), revoke one. */
export default function ApiKeysPage() {
  const { t, i18n } = useTranslation("apiKeys");
  const me = useMe();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const allowed = me.permissions.includes("api_key.write") || me.permissions.includes("api_key.admin");
  const list = useQuery({ queryKey: KEY, queryFn: listKeys, enabled: allowed });
  const failed = (error: Error) => void message.error(t("error.other", { message: error.message }));

  const create = useMutation({
    mutationFn: ({ days, requestsPerMinute, ...values }: Values) =>
      unwrap(
        api.POST("/api/v1/api-keys", {
          body: {
            ...values,
            ...(requestsPerMinute ? { requestsPerMinute } : {}),
            ...(days ? { expiresAt: new Date(Date.now() + days * 86_400_000).toISOString() } : {}),
          },
        }),
      ),
    onSuccess: ({ apiKey }) => {
      setCreating(false);
      form.resetFields();
      setCreated({ name: apiKey.name, key: apiKey.key });
      void client.invalidateQueries({ queryKey: KEY });
    },
    onError: failed,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/v1/api-keys/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      void message.success(t("revoked"));
      void client.invalidateQueries({ queryKey: KEY });
    },
    onError: failed,
  });

  if (!allowed) return <Alert type="info" showIcon title={t("notAllowed")} />;

  const now = Date.now();
  const at = (iso: string | null, none: string) =>
    iso ? (
      <span title={formatDateTime(iso)}>
        {formatDateTime(iso)}
        <Typography.Text type="secondary"> · {relativeTime(iso, now, i18n.language) ?? t("justNow")}</Typography.Text>
      </span>
    ) : (
      <Typography.Text type="secondary">{none}</Typography.Text>
    );
  const stateTag = (row: ListedKey) =>
    row.state === "active" ? <Tag color="green">{t("state.active")}</Tag> : row.state === "expired" ? <Tag color="orange">{t("state.expired")}</Tag> : <Tag>{t("state.revoked")}</Tag>;

  return (
    <Space orientation="vertical" size="middle" className="api-keys-page" style={{ width: "100%" }}>
      <div>
        <h1 className="api-keys-page__title">{t("title")}</h1>
        <Typography.Paragraph type="secondary">{t("subtitle")}</Typography.Paragraph>
        {me.permissions.includes("api_key.write") ? (
          <Button type="primary" icon={<PlusOutlined aria-hidden="true" />} onClick={() => setCreating(true)}>
            {t("create")}
          </Button>
        ) : null}
      </div>
      {list.isError ? (
        <Alert type="error" showIcon title={t("failed")} />
      ) : (
        <Table<ListedKey>
          rowKey="id"
          size="middle"
          loading={list.isPending}
          dataSource={list.data ?? []}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          locale={{ emptyText: t("empty") }}
          columns={[
            { key: "prefix", title: t("column.prefix"), width: 130, render: (_, row) => <Typography.Text code>{row.prefix}…</Typography.Text> },
            { key: "name", title: t("column.name"), dataIndex: "name" },
            { key: "organisation", title: t("column.organisation"), dataIndex: "organisation" },
            { key: "owner", title: t("column.owner"), render: (_, row) => `${row.owner.name}（${row.owner.username}）` },
            { key: "scopes", title: t("column.scopes"), render: (_, row) => row.scopes.map((scope) => <Tag key={scope}>{t(`scope.${scope}`)}</Tag>) },
            { key: "limit", title: t("column.limit"), width: 110, render: (_, row) => t("perMinute", { count: row.requestsPerMinute }) },
            { key: "expires", title: t("column.expires"), render: (_, row) => (row.expiresAt ? formatDateTime(row.expiresAt) : t("noExpiry")) },
            { key: "created", title: t("column.created"), render: (_, row) => formatDateTime(row.createdAt) },
            { key: "used", title: t("column.lastUsed"), render: (_, row) => at(row.lastUsedAt, t("never")) },
            {
              key: "state",
              title: t("column.state"),
              render: (_, row) => (
                <Space orientation="vertical" size={0}>
                  {stateTag(row)}
                  {row.revokedBy ? <Typography.Text type="secondary">{t("revokedBy", { name: row.revokedBy.name })}</Typography.Text> : null}
                </Space>
              ),
            },
            {
              key: "operations",
              title: t("column.operations"),
              width: 90,
              render: (_, row) =>
                row.revokedAt ? null : (
                  <Popconfirm title={t("revokeConfirm", { name: row.name })} okText={t("revoke")} okButtonProps={{ danger: true }} onConfirm={() => revoke.mutate(row.id)}>
                    <Button size="small" danger aria-label={`${t("revoke")} ${row.name}`}>
                      {t("revoke")}
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      )}

      <Modal
        title={t("form.title")}
        open={creating}
        okText={t("form.submit")}
        cancelText={t("form.cancel")}
        confirmLoading={create.isPending}
        onOk={() => form.submit()}
        onCancel={() => setCreating(false)}
        destroyOnHidden
      >
        <Form<Values> form={form} layout="vertical" initialValues={{ scopes: ["read", "report"], days: 365 }} onFinish={(values) => create.mutate(values)}>
          <Form.Item name="name" label={t("form.name")} rules={[{ required: true, whitespace: true, message: t("form.required") }, { max: 100 }]}>
            <Input placeholder={t("form.namePlaceholder")} />
          </Form.Item>
          <Form.Item name="organisation" label={t("form.organisation")} rules={[{ required: true, whitespace: true, message: t("form.required") }, { max: 200 }]}>
            <Input placeholder={t("form.organisationPlaceholder")} />
          </Form.Item>
          <Form.Item name="scopes" label={t("form.scopes")} rules={[{ required: true, type: "array", min: 1, message: t("form.required") }]}>
            <Checkbox.Group
              options={SCOPES.map((scope) => ({ value: scope, label: `${t(`scope.${scope}`)}（${t(`scope.${scope}.help`)}）` }))}
            />
          </Form.Item>
          <Form.Item name="requestsPerMinute" label={t("form.perMinute")} extra={t("form.perMinuteHelp")}>
            <InputNumber min={1} max={60000} precision={0} style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="days" label={t("form.expires")}>
            <Select style={{ width: 200 }} options={VALIDITY.map((days) => ({ value: days, label: days ? t("form.expires.days", { count: days }) : t("form.expires.never") }))} />
          </Form.Item>
        </Form>
      </Modal>

      <Modal
        title={t("created.title")}
        open={created !== null}
        closable={false}
        maskClosable={false}
        keyboard={false}
        // Once closed the key leaves the page: a closed modal otherwise keeps its last content.
        destroyOnHidden
        footer={
          <Button type="primary" onClick={() => setCreated(null)}>
            {t("created.done")}
          </Button>
        }
      >
        <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
          <Alert type="warning" showIcon title={t("created.warning")} />
          <div>
            <Typography.Text strong>
              {t("created.key")}（{created?.name}）
            </Typography.Text>
            <Typography.Paragraph code copyable={{ text: created?.key ?? "", tooltips: [t("created.copy"), t("created.copied")] }} data-testid="new-api-key" className="api-keys-page__key">
              {created?.key}
            </Typography.Paragraph>
          </div>
        </Space>
      </Modal>
    </Space>
  );
}

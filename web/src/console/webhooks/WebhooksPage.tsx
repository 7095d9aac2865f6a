import { useState } from "react";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Checkbox, DatePicker, Drawer, Empty, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from "antd";
import { PlusOutlined } from "@ant-design/icons";
import type { Dayjs } from "dayjs";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { api, ApiError, unwrap } from "../../api/client";
import { divisionChoices, scopeDivisionsQuery } from "../scope-divisions";
import type { paths } from "../../api/schema";
import { addMessages } from "../../i18n";
import { useMe } from "../../session";
import caseMessages from "../cases/messages";
import { useWords } from "../cases/words";
import messages from "./messages";
import "./webhooks.css";
import { formatDateTime } from "../queue/format";

addMessages("webhooks", messages);
addMessages("case", caseMessages);

type Subscription = paths["/api/v1/webhooks"]["get"]["responses"][200]["content"]["application/json"]["subscriptions"][number];
type Kind = NonNullable<Subscription["kinds"]>[number];
type Delivery = paths["/api/v1/webhooks/{id}/deliveries"]["get"]["responses"][200]["content"]["application/json"]["deliveries"][number];

/** The event kinds in the order of the case loop. */
const KINDS = [
  "report", "accept", "register", "reclassify", "reject", "dispatch", "acknowledge", "return", "approve_return", "deny_return", "handle",
  "handle_on_spot", "close_on_spot", "request_extension", "approve_extension", "deny_extension", "suspend", "resume", "verify_pass", "verify_fail",
  "review_pass", "review_fail", "evaluate", "escalate", "urge", "merge", "follow_up", "co_acknowledge", "co_report", "release_co_handler", "reassign",
] as const satisfies readonly Kind[];

const KEY = ["webhooks"];
const when = (at: string | null) => (at ? formatDateTime(at) : null);

type CreateValues = { url: string; description?: string; scopeCode: string; kinds?: Kind[]; personalData?: boolean };

/** /console/webhooks: administrators keep the subscriptions of other systems to their area's case events. */
export default function WebhooksPage() {
  const { t } = useTranslation("webhooks");
  const word = useWords();
  const me = useMe();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [search, setSearch] = useSearchParams();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [editingKinds, setEditingKinds] = useState<Subscription | null>(null);
  const [replaying, setReplaying] = useState<Subscription | null>(null);
  const [createForm] = Form.useForm<CreateValues>();
  const [kindsForm] = Form.useForm<{ kinds?: Kind[] }>();
  const [replayForm] = Form.useForm<{ from: Dayjs }>();
  const allowed = me.permissions.includes("webhook.write");
  const mayGrant = me.permissions.includes("webhook.personal_data");
  const scope = me.scope?.code ?? "";

  const list = useQuery({ queryKey: KEY, queryFn: async () => (await unwrap(api.GET("/api/v1/webhooks"))).subscriptions, enabled: allowed });
  const division = useQuery({ ...scopeDivisionsQuery(me.scope), enabled: allowed && me.scope !== null });
  const scopeOptions = divisionChoices(me.scope, division.data);
  const kindOptions = KINDS.map((kind) => ({ value: kind, label: word("action", kind) }));

  const errorText = (error: unknown) => {
    if (error instanceof ApiError) {
      const key = `error.${error.code}`;
      if (key in messages["zh-CN"]) return t(key as keyof (typeof messages)["zh-CN"]);
      return t("error.other", { message: error.message });
    }
    return t("error.other", { message: String(error) });
  };
  const refresh = () => client.invalidateQueries({ queryKey: KEY });
  const failed = (error: unknown) => void message.error(errorText(error));

  const create = useMutation({
    mutationFn: (values: CreateValues) =>
      unwrap(
        api.POST("/api/v1/webhooks", {
          body: { url: values.url, description: values.description ?? "", scopeCode: values.scopeCode, kinds: values.kinds?.length ? values.kinds : null, personalData: values.personalData ?? false },
        }),
      ),
    onSuccess: (answer) => {
      setCreating(false);
      createForm.resetFields();
      setSecret(answer.secret);
      void refresh();
    },
  });
  const update = useMutation({
    mutationFn: ({ id, body }: { id: string; body: { kinds?: Kind[] | null; enabled?: boolean; rotateSecret?: boolean } }) =>
      unwrap(api.PATCH("/api/v1/webhooks/{id}", { params: { path: { id } }, body })),
    onSuccess: (answer) => {
      setEditingKinds(null);
      if (answer.secret) setSecret(answer.secret);
      void refresh();
    },
    onError: failed,
  });
  const enable = useMutation({
    mutationFn: (id: string) => unwrap(api.POST("/api/v1/webhooks/{id}/enable", { params: { path: { id } } })),
    onSuccess: () => void refresh(),
    onError: failed,
  });
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/v1/webhooks/{id}", { params: { path: { id } } })),
    onSuccess: () => void refresh(),
    onError: failed,
  });
  const replay = useMutation({
    mutationFn: ({ id, from }: { id: string; from: string }) => unwrap(api.POST("/api/v1/webhooks/{id}/replay", { params: { path: { id } }, body: { from } })),
    onSuccess: (answer) => {
      setReplaying(null);
      void message.success(t("replay.done", { count: answer.enqueued }));
      void refresh();
    },
    onError: failed,
  });

  const logId = search.get("log");
  const logOf = list.data?.find((row) => row.id === logId) ?? null;
  const showLog = (id: string | null) =>
    setSearch((params) => {
      if (id) params.set("log", id);
      else params.delete("log");
      return params;
    });

  if (!allowed) return <Alert type="info" showIcon message={t("page.forbidden")} />;

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }} className="webhooks-page">
      <Space style={{ width: "100%", justifyContent: "space-between" }} wrap>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t("page.title")}
        </Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          {t("create.open")}
        </Button>
      </Space>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        {t("page.intro")}
      </Typography.Paragraph>
      {secret ? (
        <Alert
          type="warning"
          showIcon
          message={t("secret.title")}
          description={
            <Space wrap>
              <Typography.Text code copyable={{ text: secret, tooltips: [t("secret.copy"), "✓"] }} data-testid="webhook-secret">
                {secret}
              </Typography.Text>
              <Button size="small" onClick={() => setSecret(null)}>
                {t("secret.done")}
              </Button>
            </Space>
          }
        />
      ) : null}
      {list.isError ? (
        <Alert type="error" showIcon message={t("list.failed")} action={<Button onClick={() => void list.refetch()}>{t("list.retry")}</Button>} />
      ) : (
        <Table<Subscription>
          size="small"
          rowKey="id"
          loading={list.isPending}
          dataSource={list.data ?? []}
          locale={{ emptyText: <Empty description={t("list.empty")} /> }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: true }}
          columns={[
            {
              key: "url",
              title: t("col.url"),
              render: (_, row) => (
                <Space orientation="vertical" size={0}>
                  <Typography.Text code>{row.url}</Typography.Text>
                  {row.description ? <Typography.Text type="secondary">{row.description}</Typography.Text> : null}
                </Space>
              ),
            },
            { key: "scope", title: t("col.scope"), render: (_, row) => row.scope.name },
            {
              key: "kinds",
              title: t("col.kinds"),
              render: (_, row) => (row.kinds ? <Space size={[0, 4]} wrap>{row.kinds.map((kind) => <Tag key={kind}>{word("action", kind)}</Tag>)}</Space> : <Tag color="blue">{t("kinds.all")}</Tag>),
            },
            { key: "personal", title: t("col.personalData"), render: (_, row) => (row.personalData ? <Tag color="orange">{t("yes")}</Tag> : t("no")) },
            {
              key: "state",
              title: t("col.state"),
              render: (_, row) =>
                row.enabled ? (
                  <Tag color="green">{t("state.enabled")}</Tag>
                ) : (
                  <Tag color={row.disabledReason === "failing" ? "red" : "default"}>{t(row.disabledReason === "failing" ? "state.failing" : "state.manual")}</Tag>
                ),
            },
            { key: "pending", title: t("col.pending"), align: "right", render: (_, row) => row.pending },
            { key: "last", title: t("col.lastDelivered"), render: (_, row) => when(row.lastDeliveredAt) ?? t("never") },
            {
              key: "actions",
              title: t("col.actions"),
              render: (_, row) => (
                <Space size={4} wrap>
                  <Button size="small" onClick={() => showLog(row.id)} aria-label={`${t("action.log")} ${row.url}`}>
                    {t("action.log")}
                  </Button>
                  <Button
                    size="small"
                    onClick={() => {
                      kindsForm.setFieldsValue({ kinds: (row.kinds ?? []) as Kind[] });
                      setEditingKinds(row);
                    }}
                  >
                    {t("action.editKinds")}
                  </Button>
                  {row.enabled ? (
                    <Popconfirm title={t("confirm.disable")} okText={t("action.disable")} cancelText={t("cancel")} onConfirm={() => update.mutate({ id: row.id, body: { enabled: false } })}>
                      <Button size="small">{t("action.disable")}</Button>
                    </Popconfirm>
                  ) : (
                    <Button size="small" type="primary" ghost onClick={() => enable.mutate(row.id)}>
                      {t("action.enable")}
                    </Button>
                  )}
                  <Button size="small" onClick={() => setReplaying(row)}>
                    {t("action.replay")}
                  </Button>
                  <Popconfirm title={t("confirm.rotate")} okText={t("action.rotate")} cancelText={t("cancel")} onConfirm={() => update.mutate({ id: row.id, body: { rotateSecret: true } })}>
                    <Button size="small">{t("action.rotate")}</Button>
                  </Popconfirm>
                  <Popconfirm title={t("confirm.delete")} okText={t("action.delete")} cancelText={t("cancel")} onConfirm={() => remove.mutate(row.id)}>
                    <Button size="small" danger>
                      {t("action.delete")}
                    </Button>
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      )}

      <Modal
        open={creating}
        title={t("create.title")}
        okText={t("create.submit")}
        cancelText={t("cancel")}
        confirmLoading={create.isPending}
        onOk={() => createForm.submit()}
        onCancel={() => setCreating(false)}
        destroyOnHidden
      >
        <Form form={createForm} layout="vertical" initialValues={{ scopeCode: scope, personalData: false }} onFinish={(values) => create.mutate(values)}>
          <Form.Item name="url" label={t("field.url")} extra={t("field.urlHelp")} rules={[{ required: true, type: "url" }]}>
            <Input placeholder="https://" />
          </Form.Item>
          <Form.Item name="description" label={t("field.description")} rules={[{ max: 200 }]}>
            <Input placeholder={t("field.descriptionPlaceholder")} />
          </Form.Item>
          <Form.Item name="scopeCode" label={t("field.scope")} rules={[{ required: true }]}>
            <Select options={scopeOptions} />
          </Form.Item>
          <Form.Item name="kinds" label={t("field.kinds")}>
            <Select mode="multiple" allowClear options={kindOptions} placeholder={t("field.kindsPlaceholder")} optionFilterProp="label" />
          </Form.Item>
          <Form.Item name="personalData" valuePropName="checked" extra={mayGrant ? undefined : t("field.personalDataHelp")}>
            <Checkbox disabled={!mayGrant}>{t("field.personalData")}</Checkbox>
          </Form.Item>
          {create.error ? <Alert type="error" showIcon message={errorText(create.error)} /> : null}
        </Form>
      </Modal>

      <Modal
        open={editingKinds !== null}
        title={t("kinds.title")}
        okText={t("save")}
        cancelText={t("cancel")}
        confirmLoading={update.isPending}
        onOk={() => kindsForm.submit()}
        onCancel={() => setEditingKinds(null)}
      >
        <Form
          form={kindsForm}
          layout="vertical"
          onFinish={(values) => editingKinds && update.mutate({ id: editingKinds.id, body: { kinds: values.kinds?.length ? values.kinds : null } })}
        >
          <Form.Item name="kinds" label={t("field.kinds")}>
            <Select mode="multiple" allowClear options={kindOptions} placeholder={t("field.kindsPlaceholder")} optionFilterProp="label" />
          </Form.Item>
        </Form>
      </Modal>

      <Modal
        open={replaying !== null}
        title={t("replay.title")}
        okText={t("replay.submit")}
        cancelText={t("cancel")}
        confirmLoading={replay.isPending}
        onOk={() => replayForm.submit()}
        onCancel={() => setReplaying(null)}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">{t("replay.intro")}</Typography.Paragraph>
        <Form form={replayForm} layout="vertical" onFinish={(values) => replaying && replay.mutate({ id: replaying.id, from: values.from.toISOString() })}>
          <Form.Item name="from" label={t("replay.from")} rules={[{ required: true }]}>
            <DatePicker showTime style={{ width: "100%" }} />
          </Form.Item>
        </Form>
      </Modal>

      <Drawer open={logOf !== null} width={860} title={logOf ? t("log.title", { url: logOf.url }) : ""} onClose={() => showLog(null)} destroyOnHidden>
        {logOf ? <DeliveryLog id={logOf.id} /> : null}
      </Drawer>
    </Space>
  );
}

/** A subscription's attempts, newest first, a page at a time. */
function DeliveryLog({ id }: { id: string }) {
  const { t } = useTranslation("webhooks");
  const word = useWords();
  const log = useInfiniteQuery({
    queryKey: ["webhooks", id, "deliveries"],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => unwrap(api.GET("/api/v1/webhooks/{id}/deliveries", { params: { path: { id }, query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  if (log.isError) return <Alert type="error" showIcon message={t("list.failed")} action={<Button onClick={() => void log.refetch()}>{t("list.retry")}</Button>} />;
  const rows = log.data?.pages.flatMap((page) => page.deliveries) ?? [];
  const colour: Record<Delivery["outcome"], string> = { delivered: "green", retry: "orange", disabled: "red" };
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Table<Delivery>
        size="small"
        rowKey={(row) => `${row.eventId}-${row.attempt}`}
        loading={log.isPending}
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: <Empty description={t("log.empty")} /> }}
        columns={[
          { key: "at", title: t("log.at"), render: (_, row) => when(row.at) },
          { key: "case", title: t("log.case"), render: (_, row) => row.caseNumber },
          { key: "kind", title: t("log.kind"), render: (_, row) => word("action", row.kind) },
          { key: "attempt", title: t("log.attempt"), align: "right", render: (_, row) => row.attempt },
          { key: "outcome", title: t("log.outcome"), render: (_, row) => <Tag color={colour[row.outcome]}>{t(`outcome.${row.outcome}`)}</Tag> },
          { key: "status", title: t("log.status"), render: (_, row) => row.statusCode ?? "—" },
          { key: "latency", title: t("log.latency"), align: "right", render: (_, row) => `${row.latencyMs} ms` },
          { key: "error", title: t("log.error"), render: (_, row) => row.errorCode ?? "" },
        ]}
      />
      {log.hasNextPage ? (
        <Button onClick={() => void log.fetchNextPage()} loading={log.isFetchingNextPage}>
          {t("log.more")}
        </Button>
      ) : null}
    </Space>
  );
}

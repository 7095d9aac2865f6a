import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Form, Input, Modal, Popconfirm, Radio, Select, Space, Table, Tag, Typography } from "antd";
import { PlusOutlined } from "@ant-design/icons";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { addMessages } from "../../i18n";
import { useMe } from "../../session";
import caseMessages from "../cases/messages";
import { useCategories } from "../cases/caseApi";
import { useWords } from "../cases/words";
import messages from "./messages";
import { createTemplate, deleteTemplate, templateKeys, updateTemplate, useAllTemplates, type ResponseTemplate, type TemplateBody } from "./templatesApi";
import "./templates.css";

addMessages("templates", messages);
addMessages("case", caseMessages);

/** The actions whose forms have a note field, in the order of the case loop. */
const ACTIONS = [
  "accept", "register", "reclassify", "reject", "dispatch", "acknowledge", "return", "handle", "request_extension", "approve_extension",
  "deny_extension", "suspend", "resume", "verify_pass", "verify_fail", "evaluate", "escalate", "urge", "merge", "follow_up",
] as const satisfies readonly NonNullable<TemplateBody["action"]>[];

const PLACEHOLDERS = ["caseNumber", "deadline", "department"] as const;

type Values = { title: string; body: string; categoryCode: string | null; action: TemplateBody["action"]; visibility: TemplateBody["visibility"] };

/** /console/admin/templates: a district administrator keeps the district's response templates. */
export default function TemplatesAdminPage() {
  const { t } = useTranslation("templates");
  const word = useWords();
  const me = useMe();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const templates = useAllTemplates();
  const categories = useCategories();
  const [editing, setEditing] = useState<ResponseTemplate | "new" | null>(null);
  const [form] = Form.useForm<Values>();
  const allowed = me.permissions.includes("category.write") && me.scope?.code.length === 6;

  const categoryName = new Map((categories.data ?? []).map((category) => [category.code, category.name]));
  const categoryOptions = [
    { value: "", label: t("any.category") },
    ...(categories.data ?? [])
      .filter((category) => category.active)
      .map((category) => ({ value: category.code, label: category.parentCode ? `${categoryName.get(category.parentCode) ?? ""} / ${category.name}` : category.name })),
  ];
  const actionOptions = [{ value: "", label: t("any.action") }, ...ACTIONS.map((action) => ({ value: action, label: word("action", action) }))];

  const reload = () => queryClient.invalidateQueries({ queryKey: templateKeys.all });
  const failure = (error: unknown) => {
    if (error instanceof ApiError && error.code === "version_mismatch") {
      void message.warning(t("admin.conflict"));
      setEditing(null);
      void reload();
      return;
    }
    if (error instanceof ApiError && error.code === "unknown_placeholder") {
      const names = ((error.details as { placeholders?: string[] } | undefined)?.placeholders ?? []).map((name) => `{${name}}`).join("、");
      form.setFields([{ name: "body", errors: [t("error.unknown_placeholder", { names })] }]);
      return;
    }
    void message.error(t("error.other", { message: error instanceof Error ? error.message : String(error) }));
  };
  const save = useMutation({
    mutationFn: (values: Values) => {
      const body: TemplateBody = { ...values, categoryCode: values.categoryCode || null, action: values.action || null };
      return editing && editing !== "new" ? updateTemplate(editing.id, editing.version, body) : createTemplate(body);
    },
    onSuccess: () => {
      void message.success(t("admin.saved"));
      setEditing(null);
      void reload();
    },
    onError: failure,
  });
  const remove = useMutation({
    mutationFn: deleteTemplate,
    onSuccess: () => {
      void message.success(t("admin.deleted"));
      void reload();
    },
    onError: failure,
  });

  const open = (template: ResponseTemplate | "new") => {
    setEditing(template);
    form.setFieldsValue(
      template === "new"
        ? { title: "", body: "", categoryCode: "", action: "" as never, visibility: "staff" }
        : { title: template.title, body: template.body, categoryCode: template.categoryCode ?? "", action: (template.action ?? "") as never, visibility: template.visibility },
    );
  };

  if (!allowed) return <Alert type="info" showIcon title={t("admin.notAllowed")} />;

  return (
    <div className="templates-admin">
      <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
        <div>
          <Typography.Title level={2} style={{ marginTop: 0 }}>
            {t("admin.title")}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t("admin.subtitle")}</Typography.Paragraph>
          <Typography.Paragraph>
            {t("admin.placeholders")}{" "}
            {PLACEHOLDERS.map((name) => (
              <Tag key={name}>
                <code>{`{${name}}`}</code> {t(`admin.placeholder.${name}`)}
              </Tag>
            ))}
          </Typography.Paragraph>
          <Button type="primary" icon={<PlusOutlined aria-hidden="true" />} onClick={() => open("new")}>
            {t("admin.add")}
          </Button>
        </div>
        {templates.isError ? (
          <Alert type="error" showIcon title={t("admin.failed")} />
        ) : (
          <Table<ResponseTemplate>
            rowKey="id"
            size="middle"
            loading={templates.isPending}
            dataSource={templates.data ?? []}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            locale={{ emptyText: t("admin.empty") }}
            columns={[
              { key: "title", title: t("column.title"), dataIndex: "title", width: 160 },
              { key: "body", title: t("column.body"), dataIndex: "body" },
              {
                key: "category",
                title: t("column.category"),
                width: 180,
                render: (_, row) => (row.categoryCode ? (categoryName.get(row.categoryCode) ?? row.categoryCode) : t("any.category")),
              },
              { key: "action", title: t("column.action"), width: 110, render: (_, row) => (row.action ? word("action", row.action) : t("any.action")) },
              {
                key: "visibility",
                title: t("column.visibility"),
                width: 150,
                render: (_, row) => <Tag color={row.visibility === "public" ? "green" : "default"}>{t(`visibility.${row.visibility}`)}</Tag>,
              },
              {
                key: "operations",
                title: t("column.operations"),
                width: 130,
                render: (_, row) => (
                  <Space size="small">
                    <Button size="small" type="link" onClick={() => open(row)} aria-label={`${t("admin.edit")} ${row.title}`}>
                      {t("admin.edit")}
                    </Button>
                    <Popconfirm title={t("admin.deleteConfirm")} onConfirm={() => remove.mutate(row.id)}>
                      <Button size="small" type="link" danger aria-label={`${t("admin.delete")} ${row.title}`}>
                        {t("admin.delete")}
                      </Button>
                    </Popconfirm>
                  </Space>
                ),
              },
            ]}
          />
        )}
      </Space>
      <Modal
        open={editing !== null}
        title={editing === "new" ? t("admin.add") : t("admin.edit")}
        okText={t("form.save")}
        cancelText={t("form.cancel")}
        confirmLoading={save.isPending}
        onOk={() => form.submit()}
        onCancel={() => setEditing(null)}
        destroyOnHidden
        forceRender
      >
        <Form form={form} layout="vertical" onFinish={(values) => save.mutate(values)}>
          <Form.Item name="title" label={t("form.title")} rules={[{ required: true, whitespace: true, message: t("form.required") }]}>
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="body" label={t("form.body")} rules={[{ required: true, whitespace: true, message: t("form.required") }]}>
            <Input.TextArea rows={4} maxLength={1000} showCount />
          </Form.Item>
          <Form.Item name="categoryCode" label={t("form.category")}>
            <Select showSearch={{ optionFilterProp: "label" }} options={categoryOptions} />
          </Form.Item>
          <Form.Item name="action" label={t("form.action")}>
            <Select options={actionOptions} />
          </Form.Item>
          <Form.Item name="visibility" label={t("form.visibility")}>
            <Radio.Group options={[{ value: "staff", label: t("visibility.staff") }, { value: "public", label: t("visibility.public") }]} />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}

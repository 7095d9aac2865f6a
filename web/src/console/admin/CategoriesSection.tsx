import { useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Checkbox, Drawer, Form, Input, InputNumber, Select, Space, Switch, Table, Tag } from "antd";
import { useTranslation } from "react-i18next";
import { api, ApiError, unwrap } from "../../api/client";
import { answerProblems } from "../questions/questions";
import { adminKeys, createCategory, listDepartments, updateCategory, type Category, type CategoryChange, type NewCategory } from "./adminApi";
import { adminError } from "./errors";

type Question = Category["questions"][number];
type QuestionDraft = Omit<Question, "choices"> & { choicesText?: string };
type Values = Omit<NonNullable<CategoryChange>, "questions"> & {
  questions: QuestionDraft[];
  /** A new category only: where it goes and the last part of its code. */
  parentCode?: string;
  class?: NonNullable<NewCategory["class"]>;
  key?: string;
};

const POLICIES = ["dukao130", "standard", "urgent", "emergency", "consultation"] as const;
const LEVELS = ["community", "street", "district"] as const;
const CLASSES = ["component", "event", "governance", "appeal"] as const;
const KEY = /^[a-z0-9_]{1,40}$/;
const CHOICE_LINE = /^([a-z0-9_]{1,40})\|([^|]{1,50})\|([^|]{1,50})$/;

const toDraft = (question: Question): QuestionDraft => {
  const { choices, ...rest } = question;
  return { ...rest, ...(choices ? { choicesText: choices.map((c) => `${c.value}|${c.zh}|${c.en}`).join("\n") } : {}) };
};
function fromDraft({ choicesText, ...draft }: QuestionDraft): Question {
  const question: Question = { code: draft.code, label: draft.label, type: draft.type, required: !!draft.required, public: !!draft.public };
  if (draft.type === "choice") {
    question.choices = (choicesText ?? "")
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const [, value, zh, en] = CHOICE_LINE.exec(line) ?? [];
        return { value, zh, en };
      });
  }
  if (draft.type === "number") {
    if (typeof draft.min === "number") question.min = draft.min;
    if (typeof draft.max === "number") question.max = draft.max;
  }
  if (draft.type === "text" && typeof draft.maxLength === "number") question.maxLength = draft.maxLength;
  return question;
}

/** The category catalogue: deadlines, photo rule, default department, keywords, emergency flag, extra questions. */
export default function CategoriesSection() {
  const { t } = useTranslation("admin");
  const [filter, setFilter] = useState("");
  /** The category in the drawer: one to edit, "new" for a new one. */
  const [editing, setEditing] = useState<Category | "new" | null>(null);
  const categories = useQuery({ queryKey: adminKeys.categories, queryFn: async () => (await unwrap(api.GET("/api/v1/categories"))).categories });
  const shown = useMemo(
    () => (categories.data ?? []).filter((c) => !filter || c.name.includes(filter) || c.code.includes(filter.toLowerCase())),
    [categories.data, filter],
  );
  return (
    <Card>
      <div className="admin-toolbar">
        <Input.Search allowClear placeholder={t("categories.filter")} aria-label={t("categories.filter")} onChange={(e) => setFilter(e.target.value)} style={{ width: 280 }} />
        <Button type="primary" onClick={() => setEditing("new")}>
          {t("categories.new")}
        </Button>
      </div>
      {categories.isError && <Alert type="error" showIcon title={t("common.loadError")} action={<Button onClick={() => void categories.refetch()}>{t("common.retry")}</Button>} />}
      <Table<Category>
        size="small"
        rowKey="code"
        loading={categories.isPending}
        dataSource={shown}
        locale={{ emptyText: t("common.empty") }}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        columns={[
          { title: t("categories.code"), dataIndex: "code", render: (code: string) => <span className="admin-code">{code}</span> },
          { title: t("categories.name"), dataIndex: "name" },
          { title: t("categories.department"), dataIndex: "departmentCode" },
          { title: t("categories.policy"), dataIndex: "deadlinePolicy" },
          { title: t("categories.photo"), dataIndex: "photoRequired", render: (v: boolean) => (v ? "✓" : "") },
          { title: t("categories.emergency"), dataIndex: "emergency", render: (v: boolean) => (v ? <Tag color="red">{t("categories.emergency")}</Tag> : "") },
          { title: t("categories.open311"), dataIndex: "open311", render: (v: boolean) => (v ? "✓" : "") },
          { title: t("categories.questions"), dataIndex: "questions", render: (q: Question[]) => (q.length ? q.length : "") },
          {
            title: t("common.actions"),
            key: "actions",
            render: (_: unknown, row) => (
              <Button size="small" onClick={() => setEditing(row)} aria-label={`${t("common.edit")} ${row.name}`}>
                {t("common.edit")}
              </Button>
            ),
          },
        ]}
      />
      {editing && <CategoryDrawer category={editing === "new" ? null : editing} mains={(categories.data ?? []).filter((c) => c.parentCode === null)} onClose={() => setEditing(null)} />}
    </Card>
  );
}

/** Edits a category, or (without one) creates one under a main category or as a main category of a class. */
function CategoryDrawer({ category, mains, onClose }: { category: Category | null; mains: Category[]; onClose: () => void }) {
  const { t } = useTranslation("admin");
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<Values>();
  const departments = useQuery({ queryKey: adminKeys.departments, queryFn: listDepartments });
  const parentCode = Form.useWatch("parentCode", form);
  const categoryClass = Form.useWatch("class", form);
  const key = Form.useWatch("key", form);
  const newCode = `${parentCode ?? categoryClass ?? "…"}.${key ?? ""}`;
  const save = useMutation({
    mutationFn: (values: Values) => {
      const questions = (values.questions ?? []).map(fromDraft);
      if (!category) {
        const body: NewCategory = { code: `${values.parentCode ?? values.class}.${values.key}`, name: values.name ?? "", parentCode: values.parentCode ?? null, questions };
        if (!values.parentCode) body.class = values.class;
        if (values.departmentCode) body.departmentCode = values.departmentCode;
        // Left empty, a subcategory takes its main category's rules on the server.
        if (values.closureLevel) body.closureLevel = values.closureLevel;
        if (values.deadlinePolicy) body.deadlinePolicy = values.deadlinePolicy;
        if (values.photoRequired !== undefined) body.photoRequired = values.photoRequired;
        if (values.emergency !== undefined) body.emergency = values.emergency;
        if (values.keywords?.length) body.keywords = values.keywords;
        return createCategory(body).then(({ category: created }) => created);
      }
      return updateCategory(category.code, category.version, {
        name: values.name,
        departmentCode: values.departmentCode ?? null,
        closureLevel: values.closureLevel,
        deadlinePolicy: values.deadlinePolicy,
        photoRequired: values.photoRequired,
        emergency: values.emergency,
        keywords: values.keywords,
        active: values.active,
        open311: values.open311,
        questions,
      }).then(({ category: updated }) => updated);
    },
    onSuccess: (saved) => {
      void message.success(category ? t("common.saved") : t("categories.created", { name: saved.name }));
      void client.invalidateQueries({ queryKey: adminKeys.categories });
      onClose();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 412) void client.invalidateQueries({ queryKey: adminKeys.categories });
    },
  });
  const problems = save.error instanceof ApiError && save.error.code === "questions_invalid" ? answerProblems(save.error.details) : [];
  return (
    <Drawer open size="large" title={category ? t("categories.edit", { name: category.name }) : t("categories.new")} onClose={onClose} destroyOnHidden>
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={category ? { ...category, questions: category.questions.map(toDraft) } : { questions: [], keywords: [] }}
        onFinish={(values) => save.mutate(values)}
      >
        {!category && (
          <Space wrap size={16} align="start">
            <Form.Item name="parentCode" label={t("categories.parent")} extra={t("categories.parentHint")}>
              <Select
                allowClear
                showSearch={{ optionFilterProp: "label" }}
                style={{ width: 240 }}
                options={mains.map((main) => ({ value: main.code, label: `${main.name} (${main.code})` }))}
              />
            </Form.Item>
            {!parentCode && (
              <Form.Item name="class" label={t("categories.class")} rules={[{ required: true, message: t("common.required") }]}>
                <Select style={{ width: 160 }} options={CLASSES.map((value) => ({ value, label: t(`categories.class.${value}`) }))} />
              </Form.Item>
            )}
            <Form.Item
              name="key"
              label={t("categories.key")}
              extra={t("categories.keyHint", { code: newCode })}
              rules={[{ required: true, pattern: KEY, message: t("categories.keyInvalid") }]}
            >
              <Input style={{ width: 200 }} maxLength={40} autoComplete="off" />
            </Form.Item>
          </Space>
        )}
        <Form.Item name="name" label={t("categories.name")} rules={[{ required: true, message: t("common.required") }]}>
          <Input maxLength={50} />
        </Form.Item>
        <Space wrap size={16}>
          <Form.Item name="deadlinePolicy" label={t("categories.policy")} extra={category ? undefined : t("categories.inherited")}>
            <Select allowClear={!category} style={{ width: 160 }} options={POLICIES.map((value) => ({ value, label: value }))} />
          </Form.Item>
          <Form.Item name="closureLevel" label={t("categories.closure")}>
            <Select allowClear={!category} style={{ width: 140 }} options={LEVELS.map((value) => ({ value, label: value }))} />
          </Form.Item>
          <Form.Item name="departmentCode" label={t("categories.department")}>
            <Select
              allowClear
              showSearch={{ optionFilterProp: "label" }}
              style={{ width: 240 }}
              loading={departments.isPending}
              options={(departments.data ?? []).map((d) => ({ value: d.code, label: `${d.name} (${d.code})` }))}
            />
          </Form.Item>
        </Space>
        <Space size={24}>
          <Form.Item name="photoRequired" label={t("categories.photo")} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="emergency" label={t("categories.emergency")} valuePropName="checked">
            <Switch />
          </Form.Item>
          {category && (
            <Form.Item name="active" label={t("categories.active")} valuePropName="checked">
              <Switch />
            </Form.Item>
          )}
          {category && (
            <Form.Item name="open311" label={t("categories.open311")} tooltip={t("categories.open311Hint")} valuePropName="checked">
              <Switch />
            </Form.Item>
          )}
        </Space>
        <Form.Item name="keywords" label={t("categories.keywords")}>
          <Select mode="tags" tokenSeparators={[",", "，"]} />
        </Form.Item>
        <h3>{t("categories.questions")}</h3>
        <Form.List name="questions">
          {(fields, { add, remove, move }) => (
            <>
              {fields.map((field, index) => (
                <div key={field.key} className="admin-question">
                  <Space wrap align="start">
                    <Form.Item
                      name={[field.name, "code"]}
                      label={t("questions.code")}
                      rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{0,39}$/, message: t("questions.codeInvalid") }]}
                    >
                      <Input style={{ width: 150 }} />
                    </Form.Item>
                    <Form.Item name={[field.name, "label", "zh"]} label={t("questions.labelZh")} rules={[{ required: true, message: t("common.required") }]}>
                      <Input style={{ width: 200 }} maxLength={100} />
                    </Form.Item>
                    <Form.Item name={[field.name, "label", "en"]} label={t("questions.labelEn")} rules={[{ required: true, message: t("common.required") }]}>
                      <Input style={{ width: 200 }} maxLength={100} />
                    </Form.Item>
                    <Form.Item name={[field.name, "type"]} label={t("questions.type")} rules={[{ required: true, message: t("common.required") }]}>
                      <Select style={{ width: 110 }} options={(["number", "choice", "text", "yes_no"] as const).map((value) => ({ value, label: t(`questions.type.${value}`) }))} />
                    </Form.Item>
                  </Space>
                  <Form.Item noStyle shouldUpdate>
                    {() => {
                      const type = form.getFieldValue(["questions", field.name, "type"]) as Question["type"] | undefined;
                      if (type === "choice")
                        return (
                          <Form.Item
                            name={[field.name, "choicesText"]}
                            label={t("questions.choices")}
                            rules={[
                              {
                                validator: async (_rule, value: string | undefined) => {
                                  const lines = (value ?? "").split("\n").map((l) => l.trim()).filter(Boolean);
                                  if (lines.length === 0 || !lines.every((line) => CHOICE_LINE.test(line))) throw new Error(t("questions.choicesInvalid"));
                                },
                              },
                            ]}
                          >
                            <Input.TextArea rows={3} placeholder="missing|缺失|Missing" />
                          </Form.Item>
                        );
                      if (type === "number")
                        return (
                          <Space>
                            <Form.Item name={[field.name, "min"]} label={t("questions.min")}>
                              <InputNumber />
                            </Form.Item>
                            <Form.Item name={[field.name, "max"]} label={t("questions.max")}>
                              <InputNumber />
                            </Form.Item>
                          </Space>
                        );
                      if (type === "text")
                        return (
                          <Form.Item name={[field.name, "maxLength"]} label={t("questions.maxLength")}>
                            <InputNumber min={1} max={2000} />
                          </Form.Item>
                        );
                      return null;
                    }}
                  </Form.Item>
                  <Space size={16} wrap>
                    <Form.Item name={[field.name, "required"]} valuePropName="checked">
                      <Checkbox>{t("questions.required")}</Checkbox>
                    </Form.Item>
                    <Form.Item name={[field.name, "public"]} valuePropName="checked">
                      <Checkbox>{t("questions.public")}</Checkbox>
                    </Form.Item>
                    {index > 0 && (
                      <Form.Item>
                        <Button size="small" onClick={() => move(index, index - 1)}>
                          {t("questions.up")}
                        </Button>
                      </Form.Item>
                    )}
                    <Form.Item>
                      <Button size="small" danger onClick={() => remove(field.name)}>
                        {t("questions.remove")}
                      </Button>
                    </Form.Item>
                  </Space>
                </div>
              ))}
              <Button onClick={() => add({ type: "text", required: false, public: true, label: { zh: "", en: "" } })}>{t("questions.add")}</Button>
            </>
          )}
        </Form.List>
        {problems.length > 0 && (
          <Alert type="error" showIcon style={{ marginTop: 12 }} title={t("questions.invalid", { list: problems.map((p) => `${p.code} (${p.problem})`).join(", ") })} />
        )}
        {save.isError && problems.length === 0 && (
          <Alert
            type="error"
            showIcon
            style={{ marginTop: 12 }}
            title={save.error instanceof ApiError && save.error.code === "category_exists" ? t("categories.exists") : adminError(t, save.error)}
          />
        )}
        <Space style={{ marginTop: 16 }}>
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t("common.save")}
          </Button>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
        </Space>
      </Form>
    </Drawer>
  );
}

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Form, Popconfirm, Select, Table } from "antd";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { adminKeys, deleteRoutingRule, listDepartments, listRoutingRules, putRoutingRule, type RoutingRule } from "./adminApi";
import { DivisionName, DivisionSelect, useDivisionNames } from "./divisions";
import { adminError } from "./errors";

type Values = { categoryCode: string; divisionCode: string; departmentCode: string };

/** Which department handles a category in a division: the most specific rule wins. */
export default function RoutingSection() {
  const { t } = useTranslation("admin");
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<Values>();
  const rules = useQuery({ queryKey: adminKeys.routing, queryFn: listRoutingRules });
  const categories = useQuery({ queryKey: adminKeys.categories, queryFn: async () => (await unwrap(api.GET("/api/v1/categories"))).categories });
  const departments = useQuery({ queryKey: adminKeys.departments, queryFn: listDepartments });
  const done = () => void client.invalidateQueries({ queryKey: adminKeys.routing });
  const put = useMutation({
    mutationFn: (values: Values) => putRoutingRule(values.categoryCode, values.divisionCode, values.departmentCode),
    onSuccess: () => {
      void message.success(t("common.saved"));
      done();
    },
    onError: (error) => void message.error(adminError(t, error)),
  });
  const remove = useMutation({
    mutationFn: (rule: RoutingRule) => deleteRoutingRule(rule.categoryCode, rule.divisionCode),
    onSuccess: () => {
      void message.success(t("routing.deleted"));
      done();
    },
    onError: (error) => void message.error(adminError(t, error)),
  });
  const divisionNames = useDivisionNames();
  const categoryName = new Map((categories.data ?? []).map((c) => [c.code, c.name]));
  const departmentName = new Map((departments.data ?? []).map((d) => [d.code, d.name]));
  return (
    <Card>
      <Form<Values> form={form} layout="inline" onFinish={(values) => put.mutate(values)} className="admin-toolbar">
        <Form.Item name="categoryCode" label={t("routing.category")} rules={[{ required: true, message: t("common.required") }]}>
          <Select
            showSearch={{ optionFilterProp: "label" }}
            style={{ width: 240 }}
            options={(categories.data ?? []).filter((c) => c.parentCode !== null).map((c) => ({ value: c.code, label: `${c.name} (${c.code})` }))}
          />
        </Form.Item>
        <Form.Item name="divisionCode" label={t("routing.division")} rules={[{ required: true, pattern: /^[0-9]{6,18}$/, message: t("common.required") }]}>
          <DivisionSelect style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="departmentCode" label={t("routing.department")} rules={[{ required: true, message: t("common.required") }]}>
          <Select showSearch={{ optionFilterProp: "label" }} style={{ width: 220 }} options={(departments.data ?? []).map((d) => ({ value: d.code, label: d.name }))} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={put.isPending}>
          {t("routing.put")}
        </Button>
      </Form>
      {rules.isError && <Alert type="error" showIcon title={t("common.loadError")} action={<Button onClick={() => void rules.refetch()}>{t("common.retry")}</Button>} />}
      <Table<RoutingRule>
        size="small"
        rowKey={(rule) => `${rule.categoryCode}@${rule.divisionCode}`}
        loading={rules.isPending}
        dataSource={rules.data ?? []}
        locale={{ emptyText: t("common.empty") }}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        columns={[
          { title: t("routing.category"), dataIndex: "categoryCode", render: (code: string) => categoryName.get(code) ?? code },
          { title: t("routing.division"), dataIndex: "divisionCode", render: (code: string) => <DivisionName code={code} names={divisionNames} /> },
          { title: t("routing.department"), dataIndex: "departmentCode", render: (code: string) => departmentName.get(code) ?? code },
          {
            title: t("common.actions"),
            key: "actions",
            render: (_: unknown, rule) => (
              <Popconfirm title={t("common.delete")} onConfirm={() => remove.mutate(rule)} okText={t("common.delete")} cancelText={t("common.cancel")}>
                <Button size="small" danger>
                  {t("common.delete")}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
    </Card>
  );
}

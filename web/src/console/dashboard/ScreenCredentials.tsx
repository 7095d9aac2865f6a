import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Form, Input, Popconfirm, Select, Space, Table, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client";
import { divisionChoices, scopeDivisionsQuery } from "../scope-divisions";
import { useMe } from "../../session";
import { formatDateTime } from "../queue/format";

const KEY = ["screen-credentials"];
const when = (at: string | null) => (at ? formatDateTime(at) : null);

/** Lists, issues and revokes the screen credentials of the user's scope. */
export function ScreenCredentials() {
  const { t } = useTranslation("dashboard");
  const me = useMe();
  const scope = me.scope?.code ?? "";
  const client = useQueryClient();
  const [issued, setIssued] = useState<string | null>(null);
  const list = useQuery({ queryKey: KEY, queryFn: async () => (await unwrap(api.GET("/api/v1/screen-credentials"))).credentials });
  const divisions = useQuery(scopeDivisionsQuery(me.scope));
  const options = divisionChoices(me.scope, divisions.data);
  const issue = useMutation({
    mutationFn: (body: { name: string; division: string }) => unwrap(api.POST("/api/v1/screen-credentials", { body })),
    onSuccess: (answer) => {
      setIssued(new URL(answer.url, window.location.origin).toString());
      void client.invalidateQueries({ queryKey: KEY });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/v1/screen-credentials/{id}", { params: { path: { id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: KEY }),
  });

  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }}>
      <Typography.Paragraph type="secondary">{t("screens.intro")}</Typography.Paragraph>
      <Form layout="inline" initialValues={{ division: scope }} onFinish={(values: { name: string; division: string }) => issue.mutate(values)}>
        <Form.Item name="name" label={t("screens.name")} rules={[{ required: true, max: 100 }]}>
          <Input placeholder={t("screens.namePlaceholder")} style={{ width: 220 }} />
        </Form.Item>
        <Form.Item name="division" label={t("screens.division")} rules={[{ required: true }]}>
          <Select options={options} style={{ width: 200 }} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={issue.isPending}>
          {t("screens.issue")}
        </Button>
      </Form>
      {issue.error ? <Alert type="error" showIcon message={issue.error.message} /> : null}
      {issued ? (
        <Alert
          type="success"
          showIcon
          message={t("screens.issued")}
          description={
            <Space wrap>
              <Typography.Text code copyable={{ text: issued, tooltips: [t("screens.copy"), "✓"] }} data-testid="screen-url">
                {issued}
              </Typography.Text>
              <a href={issued} target="_blank" rel="noreferrer">
                {t("screens.open")}
              </a>
            </Space>
          }
        />
      ) : null}
      <Table
        size="small"
        rowKey="id"
        loading={list.isPending}
        dataSource={list.data ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { key: "name", title: t("screens.name"), dataIndex: "name" },
          { key: "division", title: t("screens.division"), render: (_, row) => row.division.name },
          { key: "by", title: t("screens.createdBy"), render: (_, row) => row.createdBy.name },
          { key: "at", title: t("screens.createdAt"), render: (_, row) => when(row.createdAt) },
          { key: "used", title: t("screens.lastUsedAt"), render: (_, row) => when(row.lastUsedAt) ?? t("screens.never") },
          { key: "state", title: t("screens.state"), render: (_, row) => (row.revokedAt ? <Tag>{t("screens.revoked")}</Tag> : <Tag color="green">{t("screens.active")}</Tag>) },
          {
            key: "actions",
            title: "",
            render: (_, row) =>
              row.revokedAt ? null : (
                <Popconfirm title={t("screens.revokeConfirm")} onConfirm={() => revoke.mutate(row.id)}>
                  <Button size="small" danger aria-label={`${t("screens.revoke")} ${row.name}`}>
                    {t("screens.revoke")}
                  </Button>
                </Popconfirm>
              ),
          },
        ]}
      />
    </Space>
  );
}

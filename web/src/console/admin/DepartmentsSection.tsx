import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Form, Input, Modal, Table } from "antd";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { useMe } from "../../session";
import { adminKeys, createDepartment, listDepartments, updateDepartment, type Department } from "./adminApi";
import { DivisionName, DivisionSelect, useDivisionNames } from "./divisions";
import { adminError } from "./errors";

const PHONE = /^[0-9+\- ]{5,20}$/;
type Values = { code: string; name: string; divisionCode: string; dutyPhone?: string };

/** Departments serving the administrator's scope, with their duty phones (masked). */
export default function DepartmentsSection() {
  const { t } = useTranslation("admin");
  const [editing, setEditing] = useState<Department | "new" | null>(null);
  const departments = useQuery({ queryKey: adminKeys.departments, queryFn: listDepartments });
  const divisionNames = useDivisionNames();
  return (
    <Card>
      <div className="admin-toolbar">
        <Button type="primary" onClick={() => setEditing("new")}>
          {t("departments.create")}
        </Button>
      </div>
      {departments.isError && <Alert type="error" showIcon title={t("common.loadError")} action={<Button onClick={() => void departments.refetch()}>{t("common.retry")}</Button>} />}
      <Table<Department>
        size="small"
        rowKey="code"
        loading={departments.isPending}
        dataSource={departments.data ?? []}
        locale={{ emptyText: t("common.empty") }}
        pagination={false}
        columns={[
          { title: t("departments.code"), dataIndex: "code", render: (code: string) => <span className="admin-code">{code}</span> },
          { title: t("departments.name"), dataIndex: "name" },
          { title: t("departments.division"), dataIndex: "divisionCode", render: (code: string) => <DivisionName code={code} names={divisionNames} /> },
          { title: t("departments.dutyPhone"), dataIndex: "dutyPhone" },
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
      {editing && <DepartmentModal department={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
    </Card>
  );
}

function DepartmentModal({ department, onClose }: { department: Department | null; onClose: () => void }) {
  const { t } = useTranslation("admin");
  const { message } = App.useApp();
  const me = useMe();
  const client = useQueryClient();
  const [form] = Form.useForm<Values>();
  const save = useMutation({
    mutationFn: (values: Values) => {
      const dutyPhone = values.dutyPhone?.trim() ? values.dutyPhone.trim() : undefined;
      if (department === null) return createDepartment({ code: values.code, name: values.name, divisionCode: values.divisionCode, ...(dutyPhone ? { dutyPhone } : {}) });
      return updateDepartment(department.code, department.version, { name: values.name, divisionCode: values.divisionCode, ...(dutyPhone ? { dutyPhone } : {}) });
    },
    onSuccess: () => {
      void message.success(t("common.saved"));
      void client.invalidateQueries({ queryKey: adminKeys.departments });
      onClose();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 412) void client.invalidateQueries({ queryKey: adminKeys.departments });
    },
  });
  return (
    <Modal
      open
      title={department ? t("departments.edit") : t("departments.create")}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      confirmLoading={save.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={department ? { code: department.code, name: department.name, divisionCode: department.divisionCode } : { divisionCode: me.scope?.code }}
        onFinish={(values) => save.mutate(values)}
      >
        <Form.Item name="code" label={t("departments.code")} rules={[{ required: true, pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/, message: t("common.required") }]}>
          <Input disabled={department !== null} maxLength={40} />
        </Form.Item>
        <Form.Item name="name" label={t("departments.name")} rules={[{ required: true, whitespace: true, message: t("common.required") }]}>
          <Input maxLength={60} />
        </Form.Item>
        <Form.Item name="divisionCode" label={t("departments.division")} rules={[{ required: true, pattern: /^[0-9]{6,18}$/, message: t("common.required") }]}>
          <DivisionSelect />
        </Form.Item>
        <Form.Item
          name="dutyPhone"
          label={t("departments.dutyPhone")}
          extra={department?.dutyPhone ? `${department.dutyPhone} · ${t("departments.dutyPhoneHint")}` : t("departments.dutyPhoneHint")}
          rules={[{ pattern: PHONE, message: t("departments.phoneInvalid") }]}
        >
          <Input inputMode="tel" maxLength={20} />
        </Form.Item>
      </Form>
      {save.isError && <Alert type="error" showIcon title={adminError(t, save.error)} />}
    </Modal>
  );
}

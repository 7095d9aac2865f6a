import { useMemo, useState } from "react";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag, Typography } from "antd";
import { useTranslation } from "react-i18next";
import type { Me } from "../../api/client";
import { useMe } from "../../session";
import { adminKeys, createUser, initialPassword, listUsers, lockUser, resetPassword, unlockUser, updateUser, type User } from "./adminApi";
import { adminError } from "./errors";
import { DivisionName, DivisionSelect, useDivisionNames } from "./divisions";

const ROLES = ["grid_worker", "volunteer", "building_head", "seat_operator", "dispatcher", "handler", "supervisor", "leader", "resident", "merchant", "admin", "auditor", "security_admin"] as const;
type Role = (typeof ROLES)[number];
const ADMINISTRATORS: readonly Role[] = ["admin", "auditor", "security_admin"];
type State = "active" | "locked" | "disabled";

/** The roles the caller may grant (the API checks again): a security administrator also the system administrator and auditor. */
const grantable = (me: Me): Role[] =>
  ROLES.filter((role) => role !== "security_admin" && (!ADMINISTRATORS.includes(role) || me.roles.includes("security_admin")));

const stateOf = (user: User): State => (user.disabled ? "disabled" : user.locked ? "locked" : "active");

/** Accounts in the administrator's scope: search, filters, create, lock, reset, edit, disable. */
export default function UsersSection() {
  const { t } = useTranslation("admin");
  const { message, modal } = App.useApp();
  const client = useQueryClient();
  const [role, setRole] = useState<Role | undefined>();
  const [search, setSearch] = useState("");
  const [state, setState] = useState<State | undefined>();
  const [editing, setEditing] = useState<User | "new" | null>(null);
  const divisionNames = useDivisionNames();
  const users = useInfiniteQuery({
    queryKey: adminKeys.users(role),
    queryFn: ({ pageParam }) => listUsers(role, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const rows = useMemo(
    () =>
      (users.data?.pages.flatMap((page) => page.users) ?? []).filter(
        (user) => (!search || user.username.includes(search.toLowerCase()) || user.displayName.includes(search)) && (!state || stateOf(user) === state),
      ),
    [users.data, search, state],
  );
  const refresh = () => void client.invalidateQueries({ queryKey: ["admin", "users"] });
  const act = useMutation({
    mutationFn: async ({ user, action }: { user: User; action: "lock" | "unlock" | "disable" | "enable" | "reset" }) => {
      if (action === "lock") return lockUser(user.id);
      if (action === "unlock") return unlockUser(user.id);
      if (action === "reset") {
        const password = initialPassword();
        await resetPassword(user.id, password);
        modal.info({ title: t("users.reset"), content: <Typography.Text copyable>{t("users.resetDone", { password })}</Typography.Text> });
        return;
      }
      return updateUser(user.id, user.version, { disabled: action === "disable" });
    },
    onSuccess: () => {
      void message.success(t("common.saved"));
      refresh();
    },
    onError: (error) => {
      void message.error(adminError(t, error));
      refresh();
    },
  });
  return (
    <Card>
      <div className="admin-toolbar">
        <Input.Search allowClear placeholder={t("users.search")} aria-label={t("users.search")} onChange={(e) => setSearch(e.target.value)} style={{ width: 220 }} />
        <Select
          allowClear
          aria-label={t("users.role")}
          placeholder={t("users.role")}
          style={{ width: 160 }}
          value={role}
          onChange={setRole}
          options={ROLES.map((value) => ({ value, label: t(`role.${value}`) }))}
        />
        <Select
          allowClear
          aria-label={t("users.state")}
          placeholder={t("users.state")}
          style={{ width: 120 }}
          value={state}
          onChange={setState}
          options={(["active", "locked", "disabled"] as const).map((value) => ({ value, label: t(`users.${value}`) }))}
        />
        <Button type="primary" onClick={() => setEditing("new")}>
          {t("users.create")}
        </Button>
      </div>
      {users.isError && <Alert type="error" showIcon title={t("common.loadError")} action={<Button onClick={() => void users.refetch()}>{t("common.retry")}</Button>} />}
      <Table<User>
        size="small"
        rowKey="id"
        loading={users.isPending}
        dataSource={rows}
        locale={{ emptyText: t("common.empty") }}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        columns={[
          { title: t("users.username"), dataIndex: "username", render: (name: string) => <span className="admin-code">{name}</span> },
          { title: t("users.displayName"), dataIndex: "displayName" },
          { title: t("users.role"), dataIndex: "roles", render: (roles: string[]) => roles.map((r) => t(`role.${r}` as "role.admin", { defaultValue: r })).join("、") },
          { title: t("users.scope"), dataIndex: "scopeCode", render: (code: string | null) => <DivisionName code={code} names={divisionNames} /> },
          { title: t("users.phone"), dataIndex: "phone" },
          {
            title: t("users.state"),
            key: "state",
            render: (_: unknown, user) => (
              <Space size={4}>
                <Tag color={{ active: "green", locked: "orange", disabled: "default" }[stateOf(user)]}>{t(`users.${stateOf(user)}`)}</Tag>
                {user.passwordChangeRequired && <Tag>{t("users.mustChange")}</Tag>}
              </Space>
            ),
          },
          {
            title: t("common.actions"),
            key: "actions",
            render: (_: unknown, user) => (
              <Space size={4} wrap>
                <Button size="small" onClick={() => setEditing(user)}>
                  {t("common.edit")}
                </Button>
                <Button size="small" onClick={() => act.mutate({ user, action: user.locked ? "unlock" : "lock" })}>
                  {user.locked ? t("users.unlock") : t("users.lock")}
                </Button>
                <Button size="small" onClick={() => act.mutate({ user, action: "reset" })}>
                  {t("users.reset")}
                </Button>
                <Button size="small" danger={!user.disabled} onClick={() => act.mutate({ user, action: user.disabled ? "enable" : "disable" })}>
                  {user.disabled ? t("users.enable") : t("users.disable")}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      {users.hasNextPage && (
        <Button onClick={() => void users.fetchNextPage()} loading={users.isFetchingNextPage}>
          {t("users.more")}
        </Button>
      )}
      {editing && <UserModal user={editing === "new" ? null : editing} onClose={() => setEditing(null)} onSaved={refresh} />}
    </Card>
  );
}

type Values = { username: string; displayName: string; roles: Role[]; scopeCode: string; phone?: string };

function UserModal({ user, onClose, onSaved }: { user: User | null; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation("admin");
  const { modal, message } = App.useApp();
  const me = useMe();
  const [form] = Form.useForm<Values>();
  const save = useMutation({
    mutationFn: async (values: Values) => {
      const phone = values.phone?.trim() || undefined;
      if (user) return updateUser(user.id, user.version, { displayName: values.displayName, roles: values.roles, scopeCode: values.scopeCode, ...(phone ? { phone } : {}) });
      const password = initialPassword();
      await createUser({ username: values.username, displayName: values.displayName, roles: values.roles, scopeCode: values.scopeCode, password, ...(phone ? { phone } : {}) });
      modal.info({ title: t("users.password"), content: <Typography.Text copyable>{t("users.passwordShown", { password })}</Typography.Text> });
    },
    onSuccess: () => {
      void message.success(t("common.saved"));
      onSaved();
      onClose();
    },
  });
  return (
    <Modal open title={user ? t("users.edit") : t("users.create")} okText={t("common.save")} cancelText={t("common.cancel")} confirmLoading={save.isPending} onOk={() => form.submit()} onCancel={onClose} destroyOnHidden>
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={user ? { username: user.username, displayName: user.displayName, roles: user.roles as Role[], scopeCode: user.scopeCode ?? "" } : { scopeCode: me.scope?.code, roles: [] }}
        onFinish={(values) => save.mutate(values)}
      >
        <Form.Item name="username" label={t("users.username")} rules={[{ required: true, pattern: /^[a-z0-9][a-z0-9._-]{1,63}$/, message: t("users.usernameInvalid") }]}>
          <Input disabled={user !== null} autoComplete="off" />
        </Form.Item>
        <Form.Item name="displayName" label={t("users.displayName")} rules={[{ required: true, whitespace: true, message: t("common.required") }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="roles" label={t("users.role")} rules={[{ required: true, type: "array", min: 1, message: t("common.required") }]}>
          <Select mode="multiple" options={grantable(me).map((value) => ({ value, label: t(`role.${value}`) }))} />
        </Form.Item>
        <Form.Item name="scopeCode" label={t("users.scope")} rules={[{ required: true, pattern: /^[0-9]{6,18}$/, message: t("common.required") }]}>
          <DivisionSelect />
        </Form.Item>
        <Form.Item name="phone" label={t("users.phone")} rules={[{ pattern: /^[0-9+\- ]{5,20}$/, message: t("departments.phoneInvalid") }]}>
          <Input inputMode="tel" maxLength={20} />
        </Form.Item>
      </Form>
      {save.isError && <Alert type="error" showIcon title={adminError(t, save.error)} />}
    </Modal>
  );
}

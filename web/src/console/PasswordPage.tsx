import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Form, Input, Typography } from "antd";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { useNavigate, useSearchParams } from "react-router";
import { api, ApiError, unwrap, type Me } from "../api/client";
import { ME_QUERY_KEY } from "../queryClient";
import { useMe } from "../session";
import { homePath } from "./home";
import "./messages";

/** The policy's minimum length (server/src/modules/auth/password-policy.ts); the server decides, this only helps to type. */
const MIN_LENGTH = 10;

type PasswordForm = { currentPassword: string; newPassword: string; confirm: string };

/** The message for a refused change, in the user's language; the policy's rule is in the error's details. */
export function passwordErrorText(error: Error, t: TFunction<"console">): string {
  if (!(error instanceof ApiError)) return t("password.error.unknown", { message: error.message });
  switch (error.code) {
    case "weak_password": {
      const rule = (error.details as { rule?: string } | undefined)?.rule;
      if (rule === "length") return t("password.error.length", { min: MIN_LENGTH });
      if (rule === "common") return t("password.error.common");
      if (rule === "username") return t("password.error.username");
      if (rule === "unchanged") return t("password.error.unchanged");
      return t("password.error.weak");
    }
    case "wrong_password":
      return t("password.error.wrong_password");
    case "login_throttled": {
      const { retryAt } = (error.details ?? {}) as { retryAt?: string };
      return t("password.error.login_throttled", { time: retryAt ? new Date(retryAt).toLocaleTimeString() : "" });
    }
    case "network_error":
      return t("password.error.network_error");
    default:
      return t("password.error.unknown", { message: error.message || error.code });
  }
}

/** A path inside the console to return to after a forced change; anything else goes home. */
function safeNext(next: string | null): string | null {
  return next && next.startsWith("/console/") && !next.startsWith("/console/password") ? next : null;
}

export default function PasswordPage() {
  const me = useMe();
  const { t } = useTranslation("console");
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [form] = Form.useForm<PasswordForm>();
  const forced = me.passwordChangeRequired;

  const change = useMutation({
    mutationFn: ({ currentPassword, newPassword }: PasswordForm) =>
      unwrap(api.POST("/api/v1/auth/password", { body: { currentPassword, newPassword } })),
    onSuccess: () => {
      const updated: Me = { ...me, passwordChangeRequired: false };
      queryClient.setQueryData(ME_QUERY_KEY, updated);
      form.resetFields();
      void message.success(t("password.done"));
      if (forced) void navigate(safeNext(params.get("next")) ?? homePath(updated), { replace: true });
    },
    onError: () => {
      form.setFieldsValue({ currentPassword: "" });
    },
  });

  return (
    <div className="password-page">
      <section className="panel password-page__card">
        <Typography.Title level={2} className="password-page__title">
          {t("password.title")}
        </Typography.Title>
        {forced ? <Alert className="password-page__alert" type="warning" showIcon title={t("password.forced")} /> : null}
        <Typography.Paragraph type="secondary" id="password-rules">
          {t("password.rules", { min: MIN_LENGTH })}
        </Typography.Paragraph>
        {change.error ? (
          <Alert className="password-page__alert" type="error" showIcon title={passwordErrorText(change.error, t)} />
        ) : null}
        <Form<PasswordForm>
          form={form}
          name="password"
          layout="vertical"
          requiredMark={false}
          disabled={change.isPending}
          onFinish={(values) => change.mutate(values)}
          onValuesChange={() => {
            if (change.error) change.reset();
          }}
        >
          <input type="text" name="username" autoComplete="username" value={me.username} readOnly hidden />
          <Form.Item label={t("password.current")} name="currentPassword" rules={[{ required: true, message: t("password.currentRequired") }]}>
            <Input.Password autoComplete="current-password" autoFocus />
          </Form.Item>
          <Form.Item
            label={t("password.new")}
            name="newPassword"
            rules={[
              { required: true, message: t("password.newRequired") },
              { min: MIN_LENGTH, message: t("password.error.length", { min: MIN_LENGTH }) },
            ]}
          >
            <Input.Password autoComplete="new-password" aria-describedby="password-rules" />
          </Form.Item>
          <Form.Item
            label={t("password.confirm")}
            name="confirm"
            dependencies={["newPassword"]}
            rules={[
              { required: true, message: t("password.confirmRequired") },
              ({ getFieldValue }) => ({
                validator: (_rule, value: string | undefined) =>
                  !value || value === getFieldValue("newPassword") ? Promise.resolve() : Promise.reject(new Error(t("password.mismatch"))),
              }),
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item className="password-page__submit">
            <Button type="primary" htmlType="submit" loading={change.isPending}>
              {t("password.submit")}
            </Button>
          </Form.Item>
        </Form>
      </section>
    </div>
  );
}

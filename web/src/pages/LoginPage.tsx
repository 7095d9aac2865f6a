import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Form, Input, Typography } from "antd";
import { LockOutlined, UserOutlined } from "@ant-design/icons";
import { ApiError, login } from "../api/client";
import { LanguageSwitch } from "../components/LanguageSwitch";
import { useTranslation } from "react-i18next";
import type { TFunction } from "i18next";
import type { MessageKey } from "../i18n";
import { ME_QUERY_KEY } from "../queryClient";

type LoginForm = { username: string; password: string };

const KNOWN_ERRORS: Record<string, MessageKey> = {
  invalid_credentials: "login.error.invalid_credentials",
  login_throttled: "login.error.login_throttled",
  validation_failed: "login.error.validation_failed",
  network_error: "login.error.network_error",
};

function loginErrorText(error: Error, t: TFunction): string {
  const code = error instanceof ApiError ? error.code : "";
  const key = KNOWN_ERRORS[code];
  if (code === "login_throttled" && error instanceof ApiError) {
    const { retryAt } = (error.details ?? {}) as { retryAt?: string };
    return t("login.error.login_throttled", { time: retryAt ? new Date(retryAt).toLocaleTimeString() : "" });
  }
  if (key) return t(key);
  return t("login.error.unknown", { message: error.message || code });
}

export function LoginPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<LoginForm>();

  const signIn = useMutation({
    mutationFn: ({ username, password }: LoginForm) => login(username.trim(), password),
    onSuccess: (user) => {
      queryClient.setQueryData(ME_QUERY_KEY, user);
    },
    onError: () => {
      form.setFieldValue("password", "");
    },
  });

  return (
    <div className="login-page">
      <div className="login-page__language">
        <LanguageSwitch inverted />
      </div>
      <main className="login-page__main">
        <header className="login-page__brand">
          <div className="login-page__logo" aria-hidden="true" />
          <Typography.Title level={1} className="login-page__title">
            {t("app.title")}
          </Typography.Title>
          <div className="login-page__product">gridgov</div>
        </header>
        <section className="panel login-page__card">
          <Typography.Title level={2} className="login-page__heading">
            {t("login.heading")}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{t("login.subtitle")}</Typography.Paragraph>
          {signIn.error ? (
            <Alert className="login-page__error" type="error" showIcon title={loginErrorText(signIn.error, t)} />
          ) : null}
          <Form<LoginForm>
            form={form}
            name="login"
            layout="vertical"
            requiredMark={false}
            disabled={signIn.isPending}
            onFinish={(values) => signIn.mutate(values)}
            onValuesChange={() => {
              if (signIn.error) signIn.reset();
            }}
          >
            <Form.Item
              label={t("login.username")}
              name="username"
              rules={[{ required: true, whitespace: true, message: t("login.usernameRequired") }]}
            >
              <Input size="large" autoComplete="username" prefix={<UserOutlined aria-hidden="true" />} autoFocus />
            </Form.Item>
            <Form.Item
              label={t("login.password")}
              name="password"
              rules={[{ required: true, message: t("login.passwordRequired") }]}
            >
              <Input.Password
                size="large"
                autoComplete="current-password"
                prefix={<LockOutlined aria-hidden="true" />}
              />
            </Form.Item>
            <Form.Item className="login-page__submit">
              <Button type="primary" htmlType="submit" size="large" block loading={signIn.isPending}>
                {t("login.submit")}
              </Button>
            </Form.Item>
          </Form>
        </section>
      </main>
    </div>
  );
}

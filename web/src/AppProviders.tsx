import type { ReactNode } from "react";
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { useLanguage } from "./i18n";
import { ANTD_CONFIG } from "./theme";

// The nonce the server put in this page; Ant Design's <style> elements carry it, so that the
// Content-Security-Policy admits them and no other inline style.
const CSP = { nonce: document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]')?.nonce || undefined };

/** What every page of the console sits in: Ant Design's theme, locale and policy nonce, and the queries. */
export function AppProviders({ queryClient, children }: { queryClient: QueryClient; children: ReactNode }) {
  const language = useLanguage();
  return (
    <ConfigProvider
      csp={CSP}
      locale={language === "en" ? enUS : zhCN}
      button={ANTD_CONFIG.button}
      theme={ANTD_CONFIG.theme}
    >
      <AntApp component={false}>
        <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}

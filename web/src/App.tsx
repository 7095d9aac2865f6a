import { lazy, Suspense, useState } from "react";
import { RouterProvider } from "react-router";
import { QueryClientProvider, useQuery } from "@tanstack/react-query";
import { App as AntApp, Button, ConfigProvider } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import { fetchMe } from "./api/client";
import { FullPageSpin } from "./components/FullPageSpin";
import { useTranslation } from "react-i18next";
import { useLanguage } from "./i18n";
import { LoginPage } from "./pages/LoginPage";
import { createQueryClient, ME_QUERY_KEY } from "./queryClient";
import { createRouter } from "./routes";
import { StatusPanel } from "./components/StatusPanel";
import { overlayHost } from "./overlay-host";

// The nonce the server put in this page; Ant Design's <style> elements carry it, so that the
// Content-Security-Policy admits them and no other inline style.
const CSP = { nonce: document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]')?.nonce || undefined };

// The residents' portal needs no sign-in and carries none of the console: a chunk of its own.
const ResidentApp = lazy(() => import("./resident/ResidentApp"));
const isResidentPath = (path: string) => path === "/resident" || path.startsWith("/resident/");


export function App() {
  const language = useLanguage();
  const [queryClient] = useState(createQueryClient);
  return (
    <ConfigProvider
      csp={CSP}
      getPopupContainer={overlayHost}
      locale={language === "en" ? enUS : zhCN}
      button={{ autoInsertSpace: false }}
      theme={{ token: { colorPrimary: "#1f5fbf", borderRadius: 6 } }}
    >
      <AntApp component={false}>
        <QueryClientProvider client={queryClient}>
          {isResidentPath(window.location.pathname) ? (
            <Suspense fallback={null}>
              <ResidentApp />
            </Suspense>
          ) : (
            <Session />
          )}
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}

/** Shows the sign-in page or, once `/auth/me` answers with a user, the page its URL names. */
function Session() {
  const { t } = useTranslation();
  const me = useQuery({ queryKey: ME_QUERY_KEY, queryFn: fetchMe, retry: 1, staleTime: Infinity });

  if (me.isPending) return <FullPageSpin tip={t("session.checking")} />;
  if (me.isError) {
    return (
      <div className="full-page-center">
        <StatusPanel
          status="warning"
          title={t("session.error")}
          subTitle={me.error.message}
          extra={
            <Button type="primary" onClick={() => void me.refetch()}>
              {t("common.retry")}
            </Button>
          }
        />
      </div>
    );
  }
  if (!me.data) return <LoginPage />;
  return <SignedIn />;
}

/** The routed pages; each loads its own chunk, so sign-in carries none of them. */
function SignedIn() {
  const [router] = useState(createRouter);
  return <RouterProvider router={router} />;
}

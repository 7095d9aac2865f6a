import { lazy, Suspense, useState } from "react";
import { RouterProvider } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { Button } from "antd";
import { useTranslation } from "react-i18next";
import { ApiError } from "./api/client";
import { FullPageSpin } from "./components/FullPageSpin";
import { StatusPanel } from "./components/StatusPanel";
import { ME_QUERY_KEY } from "./queryClient";
import { createRouter } from "./routes";
import { readSession } from "./session-early";

/**
 * The sign-in page is a chunk of its own: a signed-in first load carries none of its form. When
 * its chunk cannot be loaded (the network dropped, or a new release replaced it), the page says so
 * and offers to load again rather than staying blank.
 */
const LoginPage = lazy(() =>
  import("./pages/LoginPage").then(
    (module) => ({ default: module.LoginPage }),
    () => ({ default: SignInUnavailable }),
  ),
);

function SignInUnavailable() {
  const { t } = useTranslation();
  return <SessionProblem subTitle={t("session.errorNetwork")} onRetry={() => window.location.reload()} />;
}

/** The session could not be checked, or the sign-in page not loaded: why, and a way to try again. */
function SessionProblem({ subTitle, onRetry }: { subTitle: string; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="full-page-center">
      <StatusPanel
        status="warning"
        title={t("session.error")}
        subTitle={subTitle}
        extra={
          <Button type="primary" onClick={onRetry}>
            {t("common.retry")}
          </Button>
        }
      />
    </div>
  );
}

/** The console: the sign-in page or, once `/auth/me` answers with a user, the page its URL names. */
export function App() {
  const { t } = useTranslation();
  const me = useQuery({ queryKey: ME_QUERY_KEY, queryFn: readSession, retry: 1, staleTime: Infinity });

  if (me.isPending) return <FullPageSpin tip={t("session.checking")} />;
  if (me.isError) {
    const why = unreachable(me.error) ? t("session.errorNetwork") : t("session.errorServer", { message: me.error.message });
    return <SessionProblem subTitle={why} onRetry={() => void me.refetch()} />;
  }
  if (!me.data) {
    return (
      <Suspense fallback={<FullPageSpin tip={t("page.opening")} />}>
        <LoginPage />
      </Suspense>
    );
  }
  return <SignedIn />;
}

/** The browser did not reach the server at all (rather than the server failing to answer). */
const unreachable = (error: Error) => error instanceof ApiError && error.code === "network_error";

/** The routed pages; each loads its own chunk, so sign-in carries none of them. */
function SignedIn() {
  const [router] = useState(createRouter);
  return <RouterProvider router={router} />;
}

import { Button } from "antd";
import { useTranslation } from "react-i18next";
import { useRouteError } from "react-router";
import { StatusPanel } from "./StatusPanel";

/** What a page that failed to load or render shows: what happened, and a reload (a new version may have been deployed). */
export function RouteError() {
  const { t } = useTranslation();
  const error = useRouteError();
  return (
    <div className="full-page-center">
      <StatusPanel
        status="error"
        title={t("routeError.title")}
        subTitle={
          <>
            {t("routeError.hint")}
            {error instanceof Error ? <span className="route-error__detail">{error.message}</span> : null}
          </>
        }
        extra={
          <Button type="primary" onClick={() => window.location.reload()}>
            {t("routeError.reload")}
          </Button>
        }
      />
    </div>
  );
}

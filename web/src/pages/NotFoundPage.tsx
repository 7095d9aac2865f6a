import { Button } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { StatusPanel } from "../components/StatusPanel";

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <div className="full-page-center">
      <StatusPanel
        status="404"
        title={t("notFound.title")}
        subTitle={t("notFound.hint")}
        extra={
          <Link to="/">
            <Button type="primary">{t("notFound.home")}</Button>
          </Link>
        }
      />
    </div>
  );
}

import { useEffect } from "react";
import { Link } from "react-router";
import { useTranslation } from "react-i18next";
import { CategoryIcon } from "./report/categories";

/** `/resident`: what the portal is for and its three doors — report, follow, my reports. */
export default function HomePage() {
  const { t } = useTranslation("residentPortal");
  useEffect(() => {
    document.title = t("brand");
  }, [t]);
  return (
    <div className="r-home">
      <h1 className="r-page__title">{t("home.title")}</h1>
      <p>{t("home.intro")}</p>
      <div className="r-actions">
        <Link to="/resident/report" className="m-button m-button--primary m-button--block r-home__report">
          <CategoryIcon name="garbage" />
          {t("home.report")}
        </Link>
        <Link to="/resident/track" className="m-button m-button--block">
          {t("home.track")}
        </Link>
        <Link to="/resident/mine" className="m-button m-button--block">
          {t("home.mine")}
        </Link>
      </div>
      <p className="m-notice m-notice--warning">{t("home.emergency")}</p>
      <p>
        <Link to="/resident/privacy">{t("home.privacy")}</Link>
      </p>
    </div>
  );
}

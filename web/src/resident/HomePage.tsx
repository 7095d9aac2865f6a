import { useEffect } from "react";
import { Link } from "react-router";
import { useTranslation } from "react-i18next";

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
          <svg aria-hidden="true" width="30" height="30" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
            <path d="M4 7h3l2-3h6l2 3h3v13H4z" />
            <circle cx="12" cy="13" r="4" />
          </svg>
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

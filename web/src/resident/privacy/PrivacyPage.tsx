import { useEffect } from "react";
import { Link } from "react-router";
import { useTranslation } from "react-i18next";
import { useLanguage } from "../../i18n";
import { POLICY } from "./policy";

/** `/resident/privacy`: the full personal data policy the report page's notice links to. */
export default function PrivacyPage() {
  const { t } = useTranslation("residentPortal");
  const language = useLanguage();
  useEffect(() => {
    document.title = t("privacy.title");
  }, [t]);
  return (
    <article className="r-privacy-page">
      <h1 className="r-page__title">{t("privacy.title")}</h1>
      {POLICY[language].map((section) => (
        <section key={section.heading} className="m-card">
          <h2 className="r-card__heading">{section.heading}</h2>
          {section.paragraphs.map((paragraph) => (
            <p key={paragraph}>{paragraph}</p>
          ))}
        </section>
      ))}
      <Link to="/resident" className="m-button m-button--block">
        {t("privacy.back")}
      </Link>
    </article>
  );
}

import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { setLanguage, useLanguage } from "../i18n";
import { SecureContextNotice } from "./SecureContextNotice";

/** The language switch of the phone apps: one button naming the other language. */
export function MobileLanguageSwitch() {
  const { t } = useTranslation();
  const language = useLanguage();
  const other = language === "en" ? "zh-CN" : "en";
  return (
    <button type="button" className="m-header__language" aria-label={t("lang.label")} onClick={() => setLanguage(other)}>
      {other === "en" ? t("lang.en") : t("lang.zh")}
    </button>
  );
}

/** A phone app's frame: a header with the app's name, its actions and the language switch, then the page. */
export function MobileShell({ title, actions, children }: { title: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <div className="m-shell">
      <header className="m-header">
        <span className="m-header__title">{title}</span>
        <span className="m-header__actions">
          {actions}
          <MobileLanguageSwitch />
        </span>
      </header>
      <main className="m-main">
        <SecureContextNotice />
        {children}
      </main>
    </div>
  );
}

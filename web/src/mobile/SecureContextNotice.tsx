import { useTranslation } from "react-i18next";
import { addMessages } from "../i18n";
import messages from "./messages";

addMessages("mobile", messages);

/**
 * Outside a secure context (plain HTTP, not localhost) browsers refuse the camera, geolocation and
 * service workers: say so, instead of buttons that silently do nothing.
 */
export function SecureContextNotice() {
  const { t } = useTranslation("mobile");
  if (typeof window === "undefined" || window.isSecureContext !== false) return null;
  return (
    <div className="m-notice m-notice--warning" role="note">
      <strong>{t("insecure.title")}</strong>
      <div>{t("insecure.body")}</div>
    </div>
  );
}

import { useTranslation } from "react-i18next";
import { MobileShell } from "../mobile/MobileShell";

/** The grid worker's field app at `/field`. */
export default function FieldApp() {
  const { t } = useTranslation();
  return (
    <MobileShell title={t("app.title")}>
      <p className="m-muted">{t("app.title")}</p>
    </MobileShell>
  );
}

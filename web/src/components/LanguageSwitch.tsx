import { Radio } from "antd";
import { useTranslation } from "react-i18next";
import { setLanguage, useLanguage } from "../i18n";

type Props = {
  /** Light text for a dark background. */
  inverted?: boolean;
};

export function LanguageSwitch({ inverted = false }: Props) {
  const { t } = useTranslation();
  const language = useLanguage();
  return (
    <Radio.Group
      aria-label={t("lang.label")}
      className={inverted ? "language-switch language-switch--inverted" : "language-switch"}
      optionType="button"
      buttonStyle="solid"
      size="small"
      value={language}
      onChange={(event) => setLanguage(event.target.value === "en" ? "en" : "zh-CN")}
      options={[
        { label: t("lang.zh"), value: "zh-CN" },
        { label: t("lang.en"), value: "en" },
      ]}
    />
  );
}

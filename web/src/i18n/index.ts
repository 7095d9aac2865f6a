import i18n, { type TypeOptions } from "i18next";
import { initReactI18next, useTranslation } from "react-i18next";
import common from "./common";
import { DEFAULT_LANGUAGE, isLanguage, LANGUAGES, type Language, type Messages } from "./languages";

// The namespaces and their keys, as `resources.ts` declares them to i18next (read through i18next's
// types, so that the areas' message files, which register through this module, are not imported here).
type Resources = TypeOptions["resources"];

export { DEFAULT_LANGUAGE, LANGUAGES, type Language, type Messages } from "./languages";

const STORAGE_KEY = "gridgov.language";

function readStoredLanguage(): Language {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (isLanguage(stored)) return stored;
  } catch {
    // Storage can be unavailable (privacy mode); fall back to the default.
  }
  return DEFAULT_LANGUAGE;
}

void i18n.use(initReactI18next).init({
  resources: { "zh-CN": { common: common["zh-CN"] }, en: { common: common.en } },
  lng: readStoredLanguage(),
  fallbackLng: DEFAULT_LANGUAGE,
  supportedLngs: LANGUAGES,
  ns: ["common"],
  defaultNS: "common",
  keySeparator: false,
  // Placeholders are written {name}; React escapes what it renders.
  interpolation: { escapeValue: false, prefix: "{", suffix: "}" },
  initAsync: false,
});
document.documentElement.lang = i18n.language;

/** Registers the messages of an area's namespace; called by the area's module when its chunk loads. */
export function addMessages<Namespace extends keyof Resources>(namespace: Namespace, messages: Messages<Resources[Namespace]>): void {
  for (const language of LANGUAGES) i18n.addResourceBundle(language, namespace, messages[language], true, true);
}

export function setLanguage(language: Language): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, language);
  } catch {
    // The choice then lasts for this page only.
  }
  document.documentElement.lang = language;
  void i18n.changeLanguage(language);
}

/** The language the interface is shown in now. */
export function useLanguage(): Language {
  const { i18n: instance } = useTranslation();
  return isLanguage(instance.language) ? instance.language : DEFAULT_LANGUAGE;
}

export { i18n };

/** A key of the common namespace. */
export type MessageKey = keyof Resources["common"];

export const LANGUAGES = ["zh-CN", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = "zh-CN";

/**
 * The messages of one namespace in every language: the Chinese ones define the keys, and the
 * English ones must have every key.
 */
export type Messages<Keys extends Record<string, string>> = { "zh-CN": Keys; en: Record<keyof Keys, string> };

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

import type { TFunction } from "i18next";
import { ApiError } from "../../api/client";
import messages from "./messages";

export type CaseMessageKey = keyof (typeof messages)["zh-CN"];

const isKey = (key: string): key is CaseMessageKey => key in messages["zh-CN"];

/**
 * The glossary word for a value the API sends as a code (a status, an action, a level…); a code
 * this version does not know yet is shown as it is rather than hidden.
 */
export function word(t: TFunction<"case">, group: "status" | "action" | "level" | "urgency" | "source" | "satisfaction", code: string): string {
  const key = `${group}.${code}`;
  return isKey(key) ? t(key) : code;
}

const SHANGHAI = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** An instant as `YYYY-MM-DD HH:mm` in Asia/Shanghai, whatever the browser's time zone. */
export function formatTime(iso: string): string {
  const parts = Object.fromEntries(SHANGHAI.formatToParts(new Date(iso)).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** What went wrong, in words that say what to do next: the API's stable code where it is known. */
export function errorText(t: TFunction<"case">, error: unknown): string {
  if (error instanceof ApiError) {
    const key = `error.${error.code}`;
    if (isKey(key)) return t(key);
    return t("error.other", { message: error.message });
  }
  return t("error.other", { message: error instanceof Error ? error.message : String(error) });
}

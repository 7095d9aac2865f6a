import { useCallback } from "react";
import i18next, { type TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import consoleMessages from "../messages";
import jointMessages from "./jointMessages";
import messages from "./messages";

export type CaseMessageKey = keyof (typeof messages)["zh-CN"];

const isKey = (key: string): key is CaseMessageKey => key in messages["zh-CN"];

type ConsoleKey = keyof (typeof consoleMessages)["zh-CN"];
const isConsoleKey = (key: string): key is ConsoleKey => key in consoleMessages["zh-CN"];

type JointKey = keyof (typeof jointMessages)["zh-CN"];
/** The words of joint handling and returns (their own namespace, registered with the case page). */
const isJointKey = (key: string): key is JointKey => key in jointMessages["zh-CN"];

export type WordGroup = "status" | "action" | "level" | "urgency" | "source" | "satisfaction";

/**
 * The glossary word for a value the API sends as a code. Statuses, levels, urgencies and sources
 * are the console's words, the same in the queues and here; actions and satisfaction are this
 * page's. A code this version does not know yet is shown as it is rather than hidden.
 */
export function useWords(): (group: WordGroup, code: string) => string {
  const { t } = useTranslation("case");
  const { t: tc } = useTranslation("console");
  const { t: tj } = useTranslation("joint");
  return useCallback(
    (group: WordGroup, code: string) => {
      const key = `${group}.${code}`;
      if (isKey(key)) return t(key);
      if (isConsoleKey(key)) return tc(key);
      if (isJointKey(key)) return tj(key);
      return code;
    },
    [t, tc, tj],
  );
}

/** What went wrong, in words that say what to do next: the API's stable code where it is known. */
export function errorText(t: TFunction<"case">, error: unknown): string {
  if (error instanceof ApiError) {
    const key = `error.${error.code}`;
    if (isKey(key)) return t(key);
    if (isJointKey(key)) return i18next.t(key, { ns: "joint" });
    return t("error.other", { message: error.message });
  }
  return t("error.other", { message: error instanceof Error ? error.message : String(error) });
}

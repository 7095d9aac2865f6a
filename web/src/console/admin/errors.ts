import type { TFunction } from "i18next";
import { ApiError } from "../../api/client";

/** A failed call in the administrator's words: a 412 asks to try again on the reloaded data. */
export function adminError(t: TFunction<"admin">, error: unknown): string {
  if (error instanceof ApiError && error.status === 412) return t("common.conflict");
  return t("common.error", { message: error instanceof Error ? error.message : String(error) });
}

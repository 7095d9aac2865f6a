import type { TFunction } from "i18next";
import type { GridProblem } from "./adminApi";
import messages from "./messages";

type AdminKey = keyof (typeof messages)["zh-CN"];
type DetailKey = Extract<AdminKey, `grids.detail.${string}`>;
type FaultKey = Extract<AdminKey, `grids.fault.${string}`>;
const isDetailKey = (key: string): key is DetailKey => key.startsWith("grids.detail.") && key in messages["zh-CN"];
const isFaultKey = (key: string): key is FaultKey => key.startsWith("grids.fault.") && key in messages["zh-CN"];

/**
 * A grid import problem in the reader's language, from its stable code and facts; a code this
 * version does not know yet falls back to the server's English message.
 */
export function gridProblemText(t: TFunction<"admin">, problem: GridProblem): string {
  const key = `grids.detail.${problem.code}`;
  if (!isDetailKey(key)) return problem.message;
  const { details } = problem;
  const grid = details.gridCode && details.gridName ? t("grids.gridNamed", { code: details.gridCode, name: details.gridName }) : (details.gridCode ?? "");
  const faultKey = `grids.fault.${details.fault ?? ""}`;
  const fault = isFaultKey(faultKey) ? t(faultKey, { type: details.geometryType ?? "" }) : "";
  return t(key, {
    grid,
    other: details.otherGridCode ?? "",
    community: details.communityCode ?? "",
    count: details.count ?? 0,
    percent: details.coveredPercent ?? 0,
    fault,
  });
}

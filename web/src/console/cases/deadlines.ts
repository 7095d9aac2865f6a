import type { CaseView } from "./caseApi";

export type StageKey = keyof CaseView["deadlines"];
export const STAGES: readonly StageKey[] = ["acceptBy", "dispatchBy", "feedbackBy", "handleBy"];

/** The light of one stage: green in time, yellow near due, red overdue, grey suspended; done once passed. */
export type StageState =
  | { kind: "done" }
  | { kind: "not_applicable" }
  | { kind: "suspended" }
  | { kind: "on_time" | "near_due" | "overdue"; minutes: number };

// The queues call a case near due within 24 hours of its deadline; the detail page says the same.
const NEAR_DUE_MINUTES = 24 * 60;

/** How far along the loop each status is: a stage's deadline is met once the case got past it. */
const PROGRESS: Record<string, number> = {
  reported: 0,
  accepted: 1,
  registered: 1,
  dispatched: 2,
  in_progress: 2,
  handled: 4,
  closed: 4,
  evaluated: 4,
};
const STAGE_PASSED_AT: Record<StageKey, number> = { acceptBy: 1, dispatchBy: 2, feedbackBy: 4, handleBy: 4 };

export function stageState(view: Pick<CaseView, "status" | "deadlines">, stage: StageKey, now: number): StageState {
  // A rejected or merged case has no more stages to meet.
  const progress = PROGRESS[view.status];
  if (view.status === "suspended") return { kind: "suspended" };
  if (progress === undefined) return { kind: "not_applicable" };
  if (progress >= STAGE_PASSED_AT[stage]) return { kind: "done" };
  const minutes = Math.round((Date.parse(view.deadlines[stage]) - now) / 60_000);
  if (minutes < 0) return { kind: "overdue", minutes: -minutes };
  return { kind: minutes <= NEAR_DUE_MINUTES ? "near_due" : "on_time", minutes };
}

/** A duration split into the largest sensible unit: days above two days, hours above two hours. */
export function durationParts(minutes: number): { unit: "days" | "hours" | "minutes"; count: number } {
  if (minutes >= 48 * 60) return { unit: "days", count: Math.floor(minutes / (24 * 60)) };
  if (minutes >= 120) return { unit: "hours", count: Math.floor(minutes / 60) };
  return { unit: "minutes", count: minutes };
}

import type { CaseView, TimelineEvent } from "./caseApi";

export type StageKey = keyof CaseView["deadlines"];
export const STAGES: readonly StageKey[] = ["acceptBy", "dispatchBy", "feedbackBy", "handleBy"];

/** The light of one stage: green in time, yellow near due, red overdue, grey suspended; done once passed. */
export type StageState =
  | { kind: "done" }
  | { kind: "done_on_time" | "done_late"; at: string }
  | { kind: "not_applicable" }
  | { kind: "suspended" }
  | { kind: "on_time" | "near_due" | "overdue"; minutes: number };

// Near due, as the server counts it: at most four working hours left.
const NEAR_DUE_MINUTES = 4 * 60;

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
/** The event that completes each stage, the first of its kind in the timeline. */
const STAGE_EVENT: Record<StageKey, string> = { acceptBy: "accept", dispatchBy: "dispatch", feedbackBy: "handle", handleBy: "handle" };

/**
 * The state of one stage. Time left comes from the server's working minutes, counted on the region's
 * calendar when the case was read, less the `elapsedMinutes` on the clock since (within one
 * working stretch, as a page stays open, these are working minutes too).
 */
export function stageState(
  view: Pick<CaseView, "status" | "deadlines" | "deadlineWorkingMinutes">,
  stage: StageKey,
  elapsedMinutes = 0,
  timeline: readonly TimelineEvent[] = [],
): StageState {
  // A rejected or merged case has no more stages to meet.
  const progress = PROGRESS[view.status];
  if (view.status === "suspended") return { kind: "suspended" };
  if (progress === undefined) return { kind: "not_applicable" };
  if (progress >= STAGE_PASSED_AT[stage]) {
    const event = timeline.find((candidate) => candidate.action === STAGE_EVENT[stage]);
    if (!event) return { kind: "done" };
    return { kind: Date.parse(event.at) <= Date.parse(view.deadlines[stage]) ? "done_on_time" : "done_late", at: event.at };
  }
  const minutes = view.deadlineWorkingMinutes[stage] - elapsedMinutes;
  if (minutes < 0) return { kind: "overdue", minutes: -minutes };
  return { kind: minutes <= NEAR_DUE_MINUTES ? "near_due" : "on_time", minutes };
}

/** A duration split into the largest sensible unit: days above two days, hours above two hours. */
export function durationParts(minutes: number): { unit: "days" | "hours" | "minutes"; count: number } {
  if (minutes >= 48 * 60) return { unit: "days", count: Math.floor(minutes / (24 * 60)) };
  if (minutes >= 120) return { unit: "hours", count: Math.floor(minutes / 60) };
  return { unit: "minutes", count: minutes };
}

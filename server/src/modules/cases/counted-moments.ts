import type { CaseRow } from "../../db/schema.ts";
import type { WorkingCalendar } from "./calendar.ts";

/** The moments and facts of a case that indicators count by, stamped by the actions that set them. */
export type CountedMoments = Pick<
  CaseRow,
  "registered_at" | "dispatched_at" | "acknowledged_at" | "responded_on_time" | "handled_at" | "handled_by" | "handling_minutes" | "extension_count"
>;

export const NO_MOMENTS: CountedMoments = {
  registered_at: null,
  dispatched_at: null,
  acknowledged_at: null,
  responded_on_time: null,
  handled_at: null,
  handled_by: null,
  handling_minutes: null,
  extension_count: 0,
};

/**
 * What an action taken `at` by `actorId` stamps on a case holding `before`: the first
 * registration, dispatch and acknowledgement (with whether it came within the region's response
 * limit of `responseHours` working hours after the first dispatch), each handling (by whom, and
 * the working minutes since the first dispatch), each extension granted. The workflow's
 * transitions and the case generator both stamp through it.
 */
export function momentsOf(
  before: CountedMoments,
  action: string,
  at: Date,
  actorId: string | null,
  calendar: WorkingCalendar,
  responseHours: number,
): Partial<CountedMoments> {
  switch (action) {
    case "register":
      return before.registered_at ? {} : { registered_at: at };
    case "dispatch":
      return before.dispatched_at ? {} : { dispatched_at: at };
    case "acknowledge": {
      if (before.acknowledged_at) return {};
      const responded = before.dispatched_at !== null && calendar.workingMillisBetween(before.dispatched_at, at) <= responseHours * 3_600_000;
      return { acknowledged_at: at, responded_on_time: responded };
    }
    case "handle":
      return {
        handled_at: at,
        handled_by: actorId,
        handling_minutes: before.dispatched_at ? Math.floor(calendar.workingMillisBetween(before.dispatched_at, at) / 60_000) : null,
      };
    case "approve_extension":
      return { extension_count: before.extension_count + 1 };
    default:
      return {};
  }
}

import { describe, expect, it } from "vitest";
import type { TimelineEvent } from "./caseApi";
import { durationParts, stageState } from "./deadlines";

const deadlines = {
  acceptBy: "2026-12-03T04:00:00.000Z",
  dispatchBy: "2026-12-04T15:59:00.000Z",
  feedbackBy: "2026-12-08T15:59:00.000Z",
  handleBy: "2026-12-10T15:59:00.000Z",
};
// Working minutes left to each deadline, as the server answers them.
const minutesLeft = (acceptBy: number, rest = 5 * 480) => ({ acceptBy, dispatchBy: rest, feedbackBy: rest, handleBy: rest });
const event = (action: string, when: string): TimelineEvent => ({ id: action, at: when, action, from: null, to: "x", level: "community", actor: null, note: null, details: {} });

describe("a stage's deadline light", () => {
  it("counts down an open stage in the server's working minutes, yellow within four working hours, red once past", () => {
    expect(stageState({ status: "reported", deadlines, deadlineWorkingMinutes: minutesLeft(120) }, "acceptBy")).toEqual({ kind: "near_due", minutes: 120 });
    expect(stageState({ status: "reported", deadlines, deadlineWorkingMinutes: minutesLeft(480) }, "acceptBy")).toEqual({ kind: "on_time", minutes: 480 });
    expect(stageState({ status: "reported", deadlines, deadlineWorkingMinutes: minutesLeft(-90) }, "acceptBy")).toEqual({ kind: "overdue", minutes: 90 });
    // Minutes pass on the page after the case was read.
    expect(stageState({ status: "reported", deadlines, deadlineWorkingMinutes: minutesLeft(250) }, "acceptBy", 20)).toEqual({ kind: "near_due", minutes: 230 });
  });

  it("says whether a stage passed was met on time, from the time of its event", () => {
    const timeline = [event("report", "2026-12-03T01:00:00Z"), event("accept", "2026-12-03T03:00:00Z"), event("dispatch", "2026-12-05T01:00:00Z")];
    const view = { status: "in_progress", deadlines, deadlineWorkingMinutes: minutesLeft(-3000) };
    expect(stageState(view, "acceptBy", 0, timeline)).toEqual({ kind: "done_on_time", at: "2026-12-03T03:00:00Z" });
    expect(stageState(view, "dispatchBy", 0, timeline)).toEqual({ kind: "done_late", at: "2026-12-05T01:00:00Z" });
    expect(stageState(view, "handleBy", 0, timeline).kind).toBe("on_time");
    // A stage passed without its own event (an escalated case) is done, neither on time nor late.
    expect(stageState(view, "acceptBy", 0, []).kind).toBe("done");
  });

  it("stops for a suspended case and has nothing to meet for a rejected or merged one", () => {
    expect(stageState({ status: "suspended", deadlines, deadlineWorkingMinutes: minutesLeft(0) }, "handleBy", 0).kind).toBe("suspended");
    expect(stageState({ status: "rejected", deadlines, deadlineWorkingMinutes: minutesLeft(0) }, "handleBy", 0).kind).toBe("not_applicable");
    expect(stageState({ status: "merged", deadlines, deadlineWorkingMinutes: minutesLeft(0) }, "acceptBy", 0).kind).toBe("not_applicable");
  });
});

describe("a duration in words", () => {
  it("takes days above two days, hours above two hours, else minutes", () => {
    expect(durationParts(3 * 24 * 60 + 5)).toEqual({ unit: "days", count: 3 });
    expect(durationParts(47 * 60)).toEqual({ unit: "hours", count: 47 });
    expect(durationParts(119)).toEqual({ unit: "minutes", count: 119 });
  });
});

import { describe, expect, it } from "vitest";
import type { TimelineEvent } from "./caseApi";
import { durationParts, stageState } from "./deadlines";

const deadlines = {
  acceptBy: "2026-12-03T04:00:00.000Z",
  dispatchBy: "2026-12-04T15:59:00.000Z",
  feedbackBy: "2026-12-08T15:59:00.000Z",
  handleBy: "2026-12-10T15:59:00.000Z",
};
const at = (iso: string) => Date.parse(iso);
const event = (action: string, when: string): TimelineEvent => ({ id: action, at: when, action, from: null, to: "x", level: "community", actor: null, note: null, details: {} });

describe("a stage's deadline light", () => {
  it("counts down an open stage, yellow within four hours, red once past", () => {
    expect(stageState({ status: "reported", deadlines }, "acceptBy", at("2026-12-03T02:00:00Z"))).toEqual({ kind: "near_due", minutes: 120 });
    expect(stageState({ status: "reported", deadlines }, "acceptBy", at("2026-12-02T20:00:00Z"))).toEqual({ kind: "on_time", minutes: 480 });
    expect(stageState({ status: "reported", deadlines }, "acceptBy", at("2026-12-03T05:30:00Z"))).toEqual({ kind: "overdue", minutes: 90 });
  });

  it("says whether a stage passed was met on time, from the time of its event", () => {
    const timeline = [event("report", "2026-12-03T01:00:00Z"), event("accept", "2026-12-03T03:00:00Z"), event("dispatch", "2026-12-05T01:00:00Z")];
    const view = { status: "in_progress", deadlines };
    expect(stageState(view, "acceptBy", at("2026-12-06T00:00:00Z"), timeline)).toEqual({ kind: "done_on_time", at: "2026-12-03T03:00:00Z" });
    expect(stageState(view, "dispatchBy", at("2026-12-06T00:00:00Z"), timeline)).toEqual({ kind: "done_late", at: "2026-12-05T01:00:00Z" });
    expect(stageState(view, "handleBy", at("2026-12-06T00:00:00Z"), timeline).kind).toBe("on_time");
    // A stage passed without its own event (an escalated case) is done, neither on time nor late.
    expect(stageState(view, "acceptBy", at("2026-12-06T00:00:00Z"), []).kind).toBe("done");
  });

  it("stops for a suspended case and has nothing to meet for a rejected or merged one", () => {
    expect(stageState({ status: "suspended", deadlines }, "handleBy", at("2026-12-20T00:00:00Z")).kind).toBe("suspended");
    expect(stageState({ status: "rejected", deadlines }, "handleBy", at("2026-12-20T00:00:00Z")).kind).toBe("not_applicable");
    expect(stageState({ status: "merged", deadlines }, "acceptBy", at("2026-12-20T00:00:00Z")).kind).toBe("not_applicable");
  });
});

describe("a duration in words", () => {
  it("takes days above two days, hours above two hours, else minutes", () => {
    expect(durationParts(3 * 24 * 60 + 5)).toEqual({ unit: "days", count: 3 });
    expect(durationParts(47 * 60)).toEqual({ unit: "hours", count: 47 });
    expect(durationParts(119)).toEqual({ unit: "minutes", count: 119 });
  });
});

import { describe, expect, it } from "vitest";
import { closedOnSpot, onSpotRefusal } from "./on-the-spot.ts";
import { applyCommand, availableActions, reportedState, WorkflowError, type WorkflowActor } from "./workflow.ts";

const place = { level: "street" as const, communityCode: "530103001001", streetCode: "530103001", districtCode: "530103" };
const worker: WorkflowActor = { userId: "worker", roles: ["grid_worker"], scopeCode: "530103001001", departmentId: null };
const supervisor: WorkflowActor = { userId: "supervisor", roles: ["supervisor"], scopeCode: "530103001", departmentId: null };
const otherSupervisor: WorkflowActor = { userId: "other", roles: ["supervisor"], scopeCode: "530103002", departmentId: null };
const dispatcher: WorkflowActor = { userId: "dispatcher", roles: ["dispatcher"], scopeCode: "530103", departmentId: null };

describe("onSpotRefusal", () => {
  it("lets a grid worker close a problem on the spot in their own community only", () => {
    expect(onSpotRefusal(worker, "530103001001")).toBeNull();
    expect(onSpotRefusal(worker, "530103001002")?.code).toBe("on_spot_outside_community");
    expect(onSpotRefusal({ ...worker, scopeCode: null }, "530103001001")?.code).toBe("on_spot_outside_community");
  });

  it("refuses every other role, supervisors and volunteers included", () => {
    for (const roles of [["volunteer"], ["building_head"], ["supervisor"], ["handler"], ["dispatcher"], []]) {
      expect(onSpotRefusal({ ...worker, roles }, "530103001001")?.code, roles.join()).toBe("on_spot_not_allowed");
    }
  });
});

describe("a case closed on the spot", () => {
  const closed = closedOnSpot(reportedState(place), worker.userId);

  it("is closed at community level with its finder as assignee, waiting for a review", () => {
    expect(closed).toMatchObject({ status: "closed", level: "community", assignment: { kind: "user", userId: "worker" }, handledOnSpot: true, spotReview: null });
  });

  it("offers the review to supervisors covering its community, and to nobody else", () => {
    expect(availableActions(closed, supervisor)).toEqual(expect.arrayContaining(["review_pass", "review_fail"]));
    for (const actor of [worker, otherSupervisor, dispatcher]) {
      expect(availableActions(closed, actor), actor.userId).not.toContain("review_pass");
      expect(() => applyCommand(closed, actor, { action: "review_pass" })).toThrow(WorkflowError);
    }
  });

  it("keeps its closure when the review passes, and offers no second review", () => {
    const passed = applyCommand(closed, supervisor, { action: "review_pass", note: "属实" });
    expect(passed.state).toMatchObject({ status: "closed", spotReview: "passed", reworkCount: 0 });
    expect(passed.details).toEqual({ review: "passed" });
    expect(availableActions(passed.state, supervisor)).not.toContain("review_fail");
  });

  it("goes back to its finder for rework when the review fails, who handles it again for verification", () => {
    const failed = applyCommand(closed, supervisor, { action: "review_fail", note: "未处理干净" });
    expect(failed.state).toMatchObject({ status: "in_progress", spotReview: "failed", reworkCount: 1, assignment: { kind: "user", userId: "worker" } });
    expect(failed.to).toBe("in_progress");
    expect(availableActions(failed.state, worker)).toEqual(expect.arrayContaining(["handle", "request_extension", "return"]));
    const handled = applyCommand(failed.state, worker, { action: "handle", note: "已清理" });
    const verified = applyCommand(handled.state, supervisor, { action: "verify_pass" });
    expect(verified.state).toMatchObject({ status: "closed", spotReview: "failed" });
    expect(availableActions(verified.state, supervisor)).not.toContain("review_pass");
  });

  it("is never reviewed when it was not handled on the spot", () => {
    const ordinary = { ...closed, handledOnSpot: false };
    expect(availableActions(ordinary, supervisor)).not.toContain("review_pass");
    expect(() => applyCommand(ordinary, supervisor, { action: "review_pass" })).toThrow(/not allowed/);
  });
});

describe("a grid worker as assignee", () => {
  const dispatched = (to: { kind: "user"; userId: string } | { kind: "division"; divisionCode: string }) => ({
    ...reportedState({ ...place, level: "community" as const }),
    status: "dispatched" as const,
    assignment: to,
  });

  it("works a case dispatched to them or to their community, not to another worker or community", () => {
    expect(availableActions(dispatched({ kind: "user", userId: "worker" }), worker)).toEqual(expect.arrayContaining(["acknowledge", "return"]));
    expect(availableActions(dispatched({ kind: "division", divisionCode: "530103001001" }), worker)).toContain("acknowledge");
    expect(availableActions(dispatched({ kind: "user", userId: "someone" }), worker)).not.toContain("acknowledge");
    expect(availableActions(dispatched({ kind: "division", divisionCode: "530103001" }), worker)).not.toContain("acknowledge");
  });
});

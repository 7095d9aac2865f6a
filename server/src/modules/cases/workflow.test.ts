import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ACTIONS,
  applyCommand,
  pendingCoHandlers,
  availableActions,
  centreLevel,
  isFinal,
  LEVELS,
  mayRedactPhotos,
  reportedState,
  SATISFACTION,
  STATUSES,
  WorkflowError,
  type CaseAction,
  type CaseState,
  type Command,
  type WorkflowActor,
} from "./workflow.ts";

const COMMUNITY = "530103001001";
const STREET = "530103001";
const DISTRICT = "530103";

const fresh = (): CaseState => reportedState({ level: "community", communityCode: COMMUNITY, streetCode: STREET, districtCode: DISTRICT });

const actor = (userId: string, roles: string[], scopeCode: string | null, departmentId: string | null = null): WorkflowActor => ({
  userId,
  roles,
  scopeCode,
  departmentId,
});

const ACTORS = {
  communityCentre: actor("c", ["dispatcher", "handler"], COMMUNITY),
  streetDispatcher: actor("s", ["dispatcher"], STREET),
  districtDispatcher: actor("d", ["dispatcher"], DISTRICT),
  otherStreetDispatcher: actor("o", ["dispatcher"], "530103002"),
  departmentHandler: actor("h", ["handler"], DISTRICT, "dept-cgj"),
  otherDepartmentHandler: actor("h2", ["handler"], DISTRICT, "dept-swj"),
  streetCadre: actor("k", ["handler"], STREET),
  supervisor: actor("v", ["supervisor"], STREET),
  seatOperator: actor("t", ["seat_operator"], DISTRICT),
  leader: actor("l", ["leader"], DISTRICT),
  gridWorker: actor("g", ["grid_worker"], COMMUNITY),
};
const actorNames = Object.keys(ACTORS) as (keyof typeof ACTORS)[];

const commandArb: fc.Arbitrary<Command> = fc.constantFrom(...ACTIONS).chain((action: CaseAction): fc.Arbitrary<Command> => {
  switch (action) {
    case "dispatch":
      return fc
        .constantFrom(
          { kind: "department" as const, departmentId: "dept-cgj" },
          { kind: "user" as const, userId: "k" },
          { kind: "division" as const, divisionCode: COMMUNITY },
          { kind: "division" as const, divisionCode: STREET },
        )
        .chain((to) => fc.constantFrom<string[]>([], ["dept-swj"], ["dept-swj", "dept-cgj"]).map((coHandlers) => ({ action, to, coHandlers })));
    case "reassign":
      return fc
        .constantFrom({ kind: "department" as const, departmentId: "dept-swj" }, { kind: "user" as const, userId: "k" }, { kind: "division" as const, divisionCode: COMMUNITY })
        .map((to) => ({ action, to, note: "派错单位" }));
    case "request_extension":
      return fc.integer({ min: 0, max: 40 }).map((days) => ({ action, days, note: "需要采购材料" }));
    case "evaluate":
      return fc.constantFrom(...SATISFACTION).map((satisfaction) => ({ action, satisfaction }));
    case "merge":
      return fc.constant({ action, into: "0190b2f4-0000-7000-8000-000000000009" });
    case "register":
    case "reclassify":
      return fc.option(fc.constantFrom(...LEVELS), { nil: undefined }).map((level) => ({ action, level }));
    case "reject":
    case "return":
      return fc.constant({ action, reasonCode: "not_our_duty", note: "说明" });
    case "release_co_handler":
      return fc.constantFrom("dept-swj", "dept-cgj").map((departmentId) => ({ action, departmentId, note: "主办可独立完成" }));
    case "suspend":
    case "verify_fail":
    case "handle":
    case "follow_up":
    case "deny_return":
    case "co_report":
      return fc.constant({ action, note: "说明" });
    default:
      return fc.constant({ action } as Command);
  }
});

type Event = { action: CaseAction; from: string; to: string; level: string };

describe("the case workflow", () => {
  it("walks the whole loop: report, accept, register, dispatch, acknowledge, handle, verify, evaluate", () => {
    let state = fresh();
    const step = (who: keyof typeof ACTORS, command: Command) => (state = applyCommand(state, ACTORS[who], command).state);
    step("communityCentre", { action: "accept" });
    step("communityCentre", { action: "register" });
    step("communityCentre", { action: "dispatch", to: { kind: "division", divisionCode: COMMUNITY } });
    step("communityCentre", { action: "acknowledge" });
    step("communityCentre", { action: "handle", note: "已清理" });
    step("supervisor", { action: "verify_fail", note: "仍有垃圾" });
    expect(state).toMatchObject({ status: "in_progress", reworkCount: 1 });
    step("communityCentre", { action: "handle", note: "已彻底清理" });
    step("supervisor", { action: "verify_pass" });
    step("seatOperator", { action: "evaluate", satisfaction: "satisfied" });
    expect(state.status).toBe("evaluated");
  });

  it("escalates a community case to the street, whose sub-centre then owns it", () => {
    let state = applyCommand(fresh(), ACTORS.communityCentre, { action: "accept" }).state;
    expect(availableActions(state, ACTORS.streetDispatcher)).toContain("escalate");
    state = applyCommand(state, ACTORS.communityCentre, { action: "escalate" }).state;
    expect(state.level).toBe("street");
    expect(availableActions(state, ACTORS.communityCentre)).not.toContain("register");
    expect(availableActions(state, ACTORS.streetDispatcher)).toContain("register");
  });

  it("registers at the centre's level or lower, and refuses a higher one as an escalation", () => {
    const accepted: CaseState = { ...fresh(), level: "street", status: "accepted" };
    const lowered = applyCommand(accepted, ACTORS.streetDispatcher, { action: "register", level: "community" });
    expect(lowered.state).toMatchObject({ status: "registered", level: "community" });
    expect(lowered.details.level).toEqual({ from: "street", to: "community" });
    expect(() => applyCommand(accepted, ACTORS.streetDispatcher, { action: "register", level: "district" })).toThrow(
      expect.objectContaining({ code: "escalation_required" }),
    );
    // The district centre may take the case on at its own level.
    expect(applyCommand(accepted, ACTORS.districtDispatcher, { action: "register", level: "district" }).state.level).toBe("district");
    expect(applyCommand(accepted, ACTORS.streetDispatcher, { action: "register" }).details).toEqual({});
  });

  it("offers reclassify to the owning centre's dispatchers while the case is open, and to nobody after", () => {
    const registered: CaseState = { ...fresh(), status: "registered" };
    expect(availableActions(registered, ACTORS.communityCentre)).toContain("reclassify");
    expect(availableActions(registered, ACTORS.streetDispatcher)).toContain("reclassify");
    expect(availableActions(registered, ACTORS.otherStreetDispatcher)).not.toContain("reclassify");
    expect(availableActions(registered, ACTORS.seatOperator)).not.toContain("reclassify");
    expect(availableActions(registered, ACTORS.departmentHandler)).not.toContain("reclassify");
    for (const status of ["closed", "evaluated", "rejected", "merged"] as const) {
      expect(availableActions({ ...registered, status, mergedInto: status === "merged" ? "x" : null }, ACTORS.districtDispatcher)).not.toContain("reclassify");
    }
    const dispatched: CaseState = { ...registered, status: "dispatched", assignment: { kind: "department", departmentId: "dept-cgj" } };
    const result = applyCommand(dispatched, ACTORS.streetDispatcher, { action: "reclassify", level: "street" });
    expect(result.state).toMatchObject({ status: "dispatched", level: "street", assignment: dispatched.assignment });
    expect(() => applyCommand(dispatched, ACTORS.communityCentre, { action: "reclassify", level: "street" })).toThrow(
      expect.objectContaining({ code: "escalation_required" }),
    );
  });

  it("tells apart a wrong state from a wrong actor", () => {
    expect(() => applyCommand(fresh(), ACTORS.communityCentre, { action: "handle", note: "x" })).toThrow(
      expect.objectContaining({ code: "transition_not_allowed" }),
    );
    expect(() => applyCommand(fresh(), ACTORS.otherStreetDispatcher, { action: "accept" })).toThrow(
      expect.objectContaining({ code: "forbidden_action" }),
    );
  });

  it("lets someone other than the requester approve an extension, and offers the requester no approval", () => {
    // A community centre both dispatches and handles: it may ask for an extension of its own work.
    const centre = ACTORS.communityCentre;
    let state: CaseState = { ...fresh(), status: "registered" };
    state = applyCommand(state, centre, { action: "dispatch", to: { kind: "division", divisionCode: COMMUNITY } }).state;
    state = applyCommand(state, centre, { action: "acknowledge" }).state;
    state = applyCommand(state, centre, { action: "request_extension", days: 2, note: "等材料" }).state;
    expect(state.extensionRequestedBy).toBe(centre.userId);
    expect(availableActions(state, centre)).not.toContain("approve_extension");
    expect(availableActions(state, centre)).toContain("deny_extension");
    expect(() => applyCommand(state, centre, { action: "approve_extension" })).toThrow(expect.objectContaining({ code: "self_approval" }));
    const approved = applyCommand(state, ACTORS.streetDispatcher, { action: "approve_extension" }).state;
    expect(approved).toMatchObject({ pendingExtensionDays: null, extensionRequestedBy: null });
  });

  it("reopens a case once on a dissatisfied evaluation, then closes the evaluation for good", () => {
    const closed: CaseState = { ...fresh(), status: "closed" };
    const reopened = applyCommand(closed, ACTORS.seatOperator, { action: "evaluate", satisfaction: "dissatisfied" }).state;
    expect(reopened).toMatchObject({ status: "registered", reopenCount: 1 });
    const again = applyCommand({ ...reopened, status: "closed" }, ACTORS.seatOperator, { action: "evaluate", satisfaction: "dissatisfied" });
    expect(again.state.status).toBe("evaluated");
  });

  it("completes the lead's handling only when every co-handler has reported or was released", () => {
    const lead = ACTORS.departmentHandler;
    const co = ACTORS.otherDepartmentHandler;
    const dispatcher = ACTORS.streetDispatcher;
    let state: CaseState = { ...fresh(), status: "registered" };
    const dispatched = applyCommand(state, dispatcher, { action: "dispatch", to: { kind: "department", departmentId: "dept-cgj" }, coHandlers: ["dept-swj"] });
    expect(dispatched.details).toMatchObject({ coHandlers: ["dept-swj"] });
    state = dispatched.state;
    expect(state.coHandlers).toEqual([{ departmentId: "dept-swj", state: "dispatched" }]);
    // The co-handler acts on its part only; the lead does not act for it.
    expect(availableActions(state, co)).toEqual(["co_acknowledge"]);
    expect(availableActions(state, lead)).not.toContain("co_acknowledge");
    state = applyCommand(state, lead, { action: "acknowledge" }).state;
    expect(availableActions(state, lead)).toContain("handle");
    let refused: unknown;
    try {
      applyCommand(state, lead, { action: "handle", note: "已处理" });
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ code: "co_handling_pending", details: { pending: ["dept-swj"] } });
    expect(() => applyCommand(state, co, { action: "co_report", note: "x" })).toThrow(expect.objectContaining({ code: "transition_not_allowed" }));
    state = applyCommand(state, co, { action: "co_acknowledge" }).state;
    expect(availableActions(state, co)).toEqual(["co_report"]);
    const reported = applyCommand(state, co, { action: "co_report", note: "协办部分已完成" });
    expect(reported.details).toEqual({ coHandler: { departmentId: "dept-swj", from: "acknowledged", to: "reported" } });
    expect(reported.to).toBe("in_progress");
    expect(applyCommand(reported.state, lead, { action: "handle", note: "已处理" }).state.status).toBe("handled");

    // Or the dispatcher releases the co-handler, with a reason; only a pending one.
    const released = applyCommand(dispatched.state, dispatcher, { action: "release_co_handler", departmentId: "dept-swj", note: "主办可独立完成" }).state;
    expect(released.coHandlers).toEqual([{ departmentId: "dept-swj", state: "released" }]);
    expect(availableActions(released, dispatcher)).not.toContain("release_co_handler");
    expect(() => applyCommand(dispatched.state, dispatcher, { action: "release_co_handler", departmentId: "dept-cgj", note: "x" })).toThrow(
      expect.objectContaining({ code: "invalid_transition_input" }),
    );
    expect(() => applyCommand({ ...fresh(), status: "registered" }, dispatcher, { action: "dispatch", to: { kind: "department", departmentId: "dept-cgj" }, coHandlers: ["dept-cgj"] })).toThrow(
      expect.objectContaining({ code: "invalid_transition_input" }),
    );
  });

  it("reassigns a dispatched case to another assignee, recording both, only while no return or extension waits", () => {
    const dispatcher = ACTORS.streetDispatcher;
    const handler = ACTORS.departmentHandler;
    const dispatched: CaseState = {
      ...fresh(),
      status: "dispatched",
      assignment: { kind: "department", departmentId: "dept-cgj" },
      coHandlers: [{ departmentId: "dept-swj", state: "acknowledged" }],
    };
    const working = applyCommand(dispatched, handler, { action: "acknowledge" }).state;
    expect(availableActions(working, dispatcher)).toContain("reassign");
    expect(availableActions(working, handler)).not.toContain("reassign");
    expect(availableActions(working, ACTORS.otherStreetDispatcher)).not.toContain("reassign");
    const to = { kind: "department" as const, departmentId: "dept-swj" };
    const moved = applyCommand(working, dispatcher, { action: "reassign", to, note: "派错单位" });
    expect(moved).toMatchObject({ from: "in_progress", to: "dispatched" });
    expect(moved.state).toMatchObject({ assignment: to, coHandlers: [] });
    expect(moved.details).toEqual({ previousAssignment: dispatched.assignment, assignment: to });
    // The old department no longer acts on it; the new one acknowledges it.
    expect(availableActions(moved.state, handler)).toEqual([]);
    expect(availableActions(moved.state, ACTORS.otherDepartmentHandler)).toContain("acknowledge");
    // With co-handlers named afresh, and never to whom it already is.
    const withCo = applyCommand(working, dispatcher, { action: "reassign", to: { kind: "user", userId: "k" }, coHandlers: ["dept-cgj"], note: "x" });
    expect(withCo.state.coHandlers).toEqual([{ departmentId: "dept-cgj", state: "dispatched" }]);
    expect(() => applyCommand(working, dispatcher, { action: "reassign", to: { kind: "department", departmentId: "dept-cgj" }, note: "x" })).toThrow(
      expect.objectContaining({ code: "invalid_transition_input" }),
    );
    // A pending return or extension is decided first.
    const asked = applyCommand(working, handler, { action: "return", reasonCode: "not_our_duty" }).state;
    expect(availableActions(asked, dispatcher)).not.toContain("reassign");
    const extension = applyCommand(working, handler, { action: "request_extension", days: 3, note: "材料" }).state;
    expect(() => applyCommand(extension, dispatcher, { action: "reassign", to, note: "x" })).toThrow(expect.objectContaining({ code: "transition_not_allowed" }));
    expect(availableActions({ ...fresh(), status: "registered" }, dispatcher)).not.toContain("reassign");
  });

  it("holds a return until the owning centre approves it, and leaves the case with the department when it denies it", () => {
    const handler = ACTORS.departmentHandler;
    const dispatcher = ACTORS.streetDispatcher;
    const dispatched: CaseState = {
      ...fresh(),
      status: "dispatched",
      assignment: { kind: "department", departmentId: "dept-cgj" },
      coHandlers: [{ departmentId: "dept-swj", state: "dispatched" }],
    };
    const asked = applyCommand(dispatched, handler, { action: "return", reasonCode: "not_our_duty", note: "属地街道职责" });
    expect(asked.to).toBe("dispatched");
    expect(asked.state.returnRequest).toEqual({ requestedBy: handler.userId, reasonCode: "not_our_duty" });
    expect(asked.details).toMatchObject({ reason: "not_our_duty" });
    // While it waits, the department neither works the case nor asks again.
    for (const action of ["acknowledge", "return", "handle"] as const) expect(availableActions(asked.state, handler)).not.toContain(action);
    expect(availableActions(asked.state, dispatcher)).toEqual(expect.arrayContaining(["approve_return", "deny_return"]));
    expect(availableActions(asked.state, ACTORS.otherStreetDispatcher)).not.toContain("approve_return");

    const approved = applyCommand(asked.state, dispatcher, { action: "approve_return" });
    expect(approved.to).toBe("registered");
    expect(approved.state).toMatchObject({ assignment: null, coHandlers: [], returnRequest: null });
    const denied = applyCommand(asked.state, dispatcher, { action: "deny_return", note: "属本单位职责" });
    expect(denied.to).toBe("dispatched");
    expect(denied.state).toMatchObject({ assignment: dispatched.assignment, returnRequest: null });
    expect(availableActions(denied.state, handler)).toContain("acknowledge");

    // A community centre that handles its own dispatch does not approve its own return.
    const centre = ACTORS.communityCentre;
    const own: CaseState = { ...fresh(), status: "in_progress", assignment: { kind: "division", divisionCode: COMMUNITY } };
    const ownAsk = applyCommand(own, centre, { action: "return", reasonCode: "wrong_location" }).state;
    expect(() => applyCommand(ownAsk, centre, { action: "approve_return" })).toThrow(expect.objectContaining({ code: "self_approval" }));
    expect(applyCommand(ownAsk, dispatcher, { action: "approve_return" }).state.status).toBe("registered");
  });

  it("rejects with a reason on the dispatcher's own decision, which a seat operator cannot take", () => {
    const accepted: CaseState = { ...fresh(), status: "accepted" };
    const rejected = applyCommand(accepted, ACTORS.streetDispatcher, { action: "reject", reasonCode: "duplicate" });
    expect(rejected).toMatchObject({ to: "rejected", details: { reason: "duplicate" } });
    expect(availableActions(accepted, ACTORS.seatOperator)).not.toContain("reject");
  });

  it("keeps every invariant under random sequences of actions by random actors", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...actorNames), commandArb), { maxLength: 80 }), (steps) => {
        let state = fresh();
        const timeline: Event[] = [];
        for (const [name, command] of steps) {
          const who = ACTORS[name];
          const offered = availableActions(state, who).includes(command.action);
          try {
            const result = applyCommand(state, who, command);
            expect(offered, `${name} ${command.action} from ${state.status}`).toBe(true);
            expect(isFinal(state.status)).toBe(false);
            // Only escalate raises the level; register and reclassify set it no higher than the actor's centre.
            if (command.action === "register" || command.action === "reclassify") {
              expect(LEVELS.indexOf(result.state.level)).toBeLessThanOrEqual(Math.max(LEVELS.indexOf(state.level), LEVELS.indexOf(centreLevel(who))));
            } else expect(LEVELS.indexOf(result.state.level)).toBeGreaterThanOrEqual(LEVELS.indexOf(state.level));
            timeline.push({ action: command.action, from: result.from, to: result.to, level: result.level });
            state = result.state;
          } catch (error) {
            expect(error).toBeInstanceOf(WorkflowError);
            // Refused for a bad input only; otherwise the action was not on offer.
            if (!["invalid_transition_input", "escalation_required", "co_handling_pending"].includes((error as WorkflowError).code)) expect(offered).toBe(false);
          }
          expect(STATUSES).toContain(state.status);
          expect(state.status === "suspended").toBe(state.suspendedFrom !== null);
          expect(state.status === "merged").toBe(state.mergedInto !== null);
          if (state.status === "dispatched" || state.status === "in_progress" || state.status === "handled") {
            expect(state.assignment).not.toBeNull();
          }
          // A return waits only while the department holds the case; a case handled had every co-handler's part in.
          if (state.returnRequest !== null) expect(["dispatched", "in_progress"]).toContain(state.status);
          if (state.status === "handled" && command.action === "handle") expect(pendingCoHandlers(state)).toEqual([]);
        }
        // The timeline explains the state: each event starts where the last one ended.
        let status = "reported";
        for (const event of timeline) {
          expect(event.from).toBe(status);
          status = event.to;
          // Every closed case passed verification.
          if (event.to === "closed") expect(event.action).toBe("verify_pass");
        }
        expect(state.status).toBe(status);
      }),
      { numRuns: 500 },
    );
  });
});

describe("mayRedactPhotos", () => {
  it("lets the dispatchers and supervisors covering the case and its assignee redact, in any status", () => {
    const dispatched: CaseState = { ...fresh(), status: "closed", assignment: { kind: "department", departmentId: "dept-cgj" } };
    const allowed = actorNames.filter((name) => mayRedactPhotos(ACTORS[name], dispatched));
    expect(allowed.sort()).toEqual(["communityCentre", "departmentHandler", "districtDispatcher", "streetDispatcher", "supervisor"]);
    expect(mayRedactPhotos(ACTORS.departmentHandler, fresh())).toBe(false);
  });
});

/**
 * The case loop (六步闭环) as a pure state machine: which actions exist, who may take them in which
 * state, and what each one changes. No I/O: the service loads a case, asks this module, and writes
 * the result and its event in one transaction.
 */

export const STATUSES = [
  "reported", // 信息采集上报: waiting to be accepted
  "accepted", // 受理: waiting for the register/reject decision
  "registered", // 立案: waiting to be dispatched at its level
  "rejected", // 不予立案 (final)
  "dispatched", // 派遣: waiting for the assignee to acknowledge
  "in_progress", // 签收 → 处置中
  "suspended", // 缓办: the clock stops
  "handled", // 处理反馈: waiting for on-site verification
  "closed", // 核查通过 → 结案归档
  "evaluated", // 考核评价 done (final)
  "merged", // 合并 into another case (final)
] as const;
export type CaseStatus = (typeof STATUSES)[number];

export const LEVELS = ["community", "street", "district"] as const;
export type ClosureLevel = (typeof LEVELS)[number];

export const ACTIONS = [
  "accept",
  "register",
  "reclassify",
  "reject",
  "dispatch",
  "acknowledge",
  "return",
  "handle",
  "request_extension",
  "approve_extension",
  "deny_extension",
  "suspend",
  "resume",
  "verify_pass",
  "verify_fail",
  "review_pass",
  "review_fail",
  "evaluate",
  "escalate",
  "urge",
  "merge",
  "follow_up",
  "co_acknowledge",
  "co_report",
  "release_co_handler",
  "approve_return",
  "deny_return",
] as const;
export type CaseAction = (typeof ACTIONS)[number];

export const SATISFACTION = ["satisfied", "basically_satisfied", "dissatisfied"] as const;
export type Satisfaction = (typeof SATISFACTION)[number];

export type Assignment =
  | { kind: "department"; departmentId: string }
  | { kind: "user"; userId: string }
  | { kind: "division"; divisionCode: string };

/**
 * Where a co-handling department (协办单位) stands: dispatched with the case, acknowledged, its part
 * reported, or released by the dispatcher. The lead's handling waits for the first two.
 */
export const CO_HANDLER_STATES = ["dispatched", "acknowledged", "reported", "released"] as const;
export type CoHandlerState = (typeof CO_HANDLER_STATES)[number];
export type CoHandler = { departmentId: string; state: CoHandlerState };

/** A return (退回) the assignee asked for, waiting for the owning centre's decision. */
export type ReturnRequest = { requestedBy: string; reasonCode: string };

/** What the workflow knows of a case. */
export type CaseState = {
  status: CaseStatus;
  level: ClosureLevel;
  communityCode: string;
  streetCode: string;
  districtCode: string;
  assignment: Assignment | null;
  suspendedFrom: CaseStatus | null;
  pendingExtensionDays: number | null;
  /** Who asked for the pending extension: someone else approves it. */
  extensionRequestedBy: string | null;
  reworkCount: number;
  reopenCount: number;
  satisfaction: Satisfaction | null;
  mergedInto: string | null;
  /** The co-handling departments of the current dispatch, besides the lead (the assignment). */
  coHandlers: CoHandler[];
  returnRequest: ReturnRequest | null;
  /** Handled on the spot (就地处置) by its finder, who is then its assignee (docs/decisions/0030). */
  handledOnSpot?: boolean;
  /** The sample review (抽查) of a case handled on the spot, once made. */
  spotReview?: "passed" | "failed" | null;
};

/** A case as it is reported, before any action: where it is and at which level. */
export function reportedState(place: Pick<CaseState, "level" | "communityCode" | "streetCode" | "districtCode">): CaseState {
  return {
    status: "reported",
    ...place,
    assignment: null,
    suspendedFrom: null,
    pendingExtensionDays: null,
    extensionRequestedBy: null,
    reworkCount: 0,
    reopenCount: 0,
    satisfaction: null,
    mergedInto: null,
    coHandlers: [],
    returnRequest: null,
  };
}

/** Who acts: the fields of the request's Actor that the workflow needs. */
export type WorkflowActor = {
  userId: string;
  roles: readonly string[];
  scopeCode: string | null;
  departmentId: string | null;
};

export type Command =
  /** The sample review (抽查) of a case handled on the spot: a failure sends it back to its finder. */
  | { action: "review_pass"; note?: string }
  | { action: "review_fail"; note: string }
  /** Register (立案) and reclassify may set the closure level too: the acting centre's or a lower one. */
  | { action: "register" | "reclassify"; level?: ClosureLevel; note?: string }
  | { action: "accept" | "acknowledge" | "resume" | "verify_pass" | "urge" | "escalate" | "deny_extension"; note?: string }
  | { action: "suspend" | "verify_fail"; note: string }
  /** A reason from the configured list of its kind; the note says more. */
  | { action: "reject" | "return"; reasonCode: string; note?: string }
  | { action: "approve_return"; note?: string }
  | { action: "deny_return"; note: string }
  | { action: "co_acknowledge"; note?: string }
  | { action: "co_report"; note: string }
  | { action: "release_co_handler"; departmentId: string; note: string }
  | { action: "handle"; note: string }
  /** Another caller about the same open case (来电补充): recorded on its timeline, the state unchanged. */
  | { action: "follow_up"; note: string }
  /** The lead is `to`; `coHandlers` are the departments that do their part alongside it. */
  | { action: "dispatch"; to: Assignment; coHandlers?: string[]; note?: string }
  | { action: "request_extension"; days: number; note: string }
  | { action: "approve_extension"; note?: string }
  | { action: "evaluate"; satisfaction: Satisfaction; note?: string }
  | { action: "merge"; into: string; note?: string };

export class WorkflowError extends Error {
  constructor(
    readonly code: "transition_not_allowed" | "forbidden_action" | "self_approval" | "invalid_transition_input" | "escalation_required" | "co_handling_pending",
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Whether a dissatisfied evaluation reopens the case (policy; the default reopens once). */
export type ReopenPolicy = { maxReopens: number };
export const DEFAULT_REOPEN_POLICY: ReopenPolicy = { maxReopens: 1 };

const FINAL: readonly CaseStatus[] = ["rejected", "evaluated", "merged"];
/** Statuses of a case still being worked on: reclassifying it still changes what happens next. */
const OPEN: readonly CaseStatus[] = ["reported", "accepted", "registered", "dispatched", "in_progress", "suspended", "handled"];
const OPEN_BEFORE_HANDLING: readonly CaseStatus[] = ["reported", "accepted", "registered", "dispatched", "in_progress"];

/** The statuses each action may start from. */
const FROM: Record<CaseAction, readonly CaseStatus[]> = {
  accept: ["reported"],
  register: ["accepted"],
  reclassify: OPEN,
  reject: ["accepted"],
  dispatch: ["registered"],
  acknowledge: ["dispatched"],
  return: ["dispatched", "in_progress"],
  handle: ["in_progress"],
  request_extension: ["in_progress"],
  approve_extension: ["in_progress"],
  deny_extension: ["in_progress"],
  suspend: ["registered", "dispatched", "in_progress"],
  resume: ["suspended"],
  verify_pass: ["handled"],
  verify_fail: ["handled"],
  review_pass: ["closed"],
  review_fail: ["closed"],
  evaluate: ["closed"],
  escalate: ["reported", "accepted", "registered", "dispatched", "in_progress"],
  urge: ["reported", "accepted", "registered", "dispatched", "in_progress", "suspended", "handled"],
  merge: OPEN_BEFORE_HANDLING,
  follow_up: OPEN,
  co_acknowledge: ["dispatched", "in_progress"],
  co_report: ["dispatched", "in_progress"],
  release_co_handler: ["dispatched", "in_progress"],
  approve_return: ["dispatched", "in_progress"],
  deny_return: ["dispatched", "in_progress"],
};

/** The division whose centre owns a case at its level (community, street sub-centre, district centre). */
export function ownerDivision(state: CaseState): string {
  switch (state.level) {
    case "community":
      return state.communityCode;
    case "street":
      return state.streetCode;
    case "district":
      return state.districtCode;
  }
}

const has = (actor: WorkflowActor, role: string) => actor.roles.includes(role);
const covers = (actor: WorkflowActor, code: string) => actor.scopeCode !== null && code.startsWith(actor.scopeCode);

/** A dispatcher of the owning centre, or of a centre above it (the district may step in). */
function isOwningDispatcher(actor: WorkflowActor, state: CaseState): boolean {
  return has(actor, "dispatcher") && covers(actor, ownerDivision(state));
}

/** The person, department or division the case is dispatched to. */
function isAssignee(actor: WorkflowActor, state: CaseState): boolean {
  const assignment = state.assignment;
  // A grid worker works what is dispatched to them, or to their community (its 自循环).
  if (assignment?.kind === "user" && has(actor, "grid_worker") && assignment.userId === actor.userId) return true;
  if (assignment?.kind === "division" && has(actor, "grid_worker") && actor.scopeCode === assignment.divisionCode) return true;
  if (!assignment || !has(actor, "handler")) return false;
  switch (assignment.kind) {
    case "user":
      return assignment.userId === actor.userId;
    case "department":
      return assignment.departmentId === actor.departmentId;
    case "division":
      return actor.scopeCode === assignment.divisionCode;
  }
}

/**
 * Who may blur areas of a case's photos before the public sees them: the dispatchers and
 * supervisors whose scope covers its community, and whoever it is dispatched to (who took the
 * after-photos). It does not depend on the status: a closed case's photos are still shown.
 */
export function mayRedactPhotos(actor: WorkflowActor, state: CaseState): boolean {
  return ((has(actor, "dispatcher") || has(actor, "supervisor")) && covers(actor, state.communityCode)) || isAssignee(actor, state);
}

/**
 * The level of the centre an actor works in, from the length of their scope: a district (or wider)
 * centre, a street sub-centre, or a community.
 */
export function centreLevel(actor: Pick<WorkflowActor, "scopeCode">): ClosureLevel {
  const length = actor.scopeCode?.length ?? 0;
  if (length <= 6) return "district";
  if (length <= 9) return "street";
  return "community";
}

/** The co-handling departments whose part is still open: the lead's handling waits for them. */
export function pendingCoHandlers(state: Pick<CaseState, "coHandlers">): string[] {
  return state.coHandlers.filter((co) => co.state === "dispatched" || co.state === "acknowledged").map((co) => co.departmentId);
}

/** The actor's department among the co-handlers, if it is one and a handler works for it. */
function ownCoHandler(actor: WorkflowActor, state: CaseState): CoHandler | undefined {
  if (!has(actor, "handler") || actor.departmentId === null) return undefined;
  return state.coHandlers.find((co) => co.departmentId === actor.departmentId);
}

const isExtensionRequester = (actor: WorkflowActor, state: CaseState) => state.extensionRequestedBy === actor.userId;

function mayTake(action: CaseAction, actor: WorkflowActor, state: CaseState): boolean {
  switch (action) {
    case "accept":
      return isOwningDispatcher(actor, state) || (has(actor, "seat_operator") && covers(actor, state.communityCode));
    case "approve_extension":
      // Four eyes: the handler who asked (a community centre may be both) cannot grant it.
      return isOwningDispatcher(actor, state) && !isExtensionRequester(actor, state);
    case "approve_return":
      // The same four eyes for a return: a community centre that asked for it does not grant it.
      return isOwningDispatcher(actor, state) && state.returnRequest?.requestedBy !== actor.userId;
    case "register":
    case "reclassify":
    case "reject":
    case "dispatch":
    case "release_co_handler":
    case "deny_return":
    case "deny_extension":
    case "suspend":
    case "resume":
    case "escalate":
    case "merge":
      return isOwningDispatcher(actor, state);
    case "acknowledge":
    case "return":
    case "handle":
    case "request_extension":
      return isAssignee(actor, state);
    case "co_acknowledge":
      return ownCoHandler(actor, state)?.state === "dispatched";
    case "co_report":
      return ownCoHandler(actor, state)?.state === "acknowledged";
    case "review_pass":
    case "review_fail":
    case "verify_pass":
    case "verify_fail":
      return has(actor, "supervisor") && covers(actor, state.communityCode);
    case "evaluate":
      // "reporter" is given only by the public tracking path, after the case's secret token matched.
      return has(actor, "reporter") || ((has(actor, "seat_operator") || has(actor, "dispatcher")) && covers(actor, state.communityCode));
    case "urge":
      return (has(actor, "leader") || has(actor, "dispatcher")) && covers(actor, state.communityCode);
    case "follow_up":
      return (has(actor, "seat_operator") || has(actor, "dispatcher")) && covers(actor, state.communityCode);
  }
}

function allowedNow(action: CaseAction, state: CaseState): boolean {
  if (!FROM[action].includes(state.status)) return false;
  if (action === "review_pass" || action === "review_fail") return state.handledOnSpot === true && !state.spotReview;
  if (action === "escalate") return state.level !== "district";
  if (action === "approve_extension" || action === "deny_extension") return state.pendingExtensionDays !== null;
  if (action === "request_extension") return state.pendingExtensionDays === null && state.returnRequest === null;
  // While a return waits for the centre, the department holds the case but does not work it.
  if (action === "approve_return" || action === "deny_return") return state.returnRequest !== null;
  if (action === "return" || action === "acknowledge" || action === "handle") return state.returnRequest === null;
  if (action === "co_acknowledge") return state.coHandlers.some((co) => co.state === "dispatched");
  if (action === "co_report") return state.coHandlers.some((co) => co.state === "acknowledged");
  if (action === "release_co_handler") return pendingCoHandlers(state).length > 0;
  return true;
}

/** The actions this actor may take on the case now: what the UI offers as buttons. */
export function availableActions(state: CaseState, actor: WorkflowActor): CaseAction[] {
  return ACTIONS.filter((action) => allowedNow(action, state) && mayTake(action, actor, state));
}

export type Transition = {
  state: CaseState;
  from: CaseStatus;
  to: CaseStatus;
  /** The level the case was at when the action was taken (indicators count by it). */
  level: ClosureLevel;
  /** Facts of the event beyond from/to: assignment, extension days, satisfaction, merge target. */
  details: Record<string, unknown>;
};

/**
 * Applies one command by one actor. Refuses an action that is not allowed in this state
 * (`transition_not_allowed`) or not for this actor (`forbidden_action`); never returns an
 * invalid state.
 */
export function applyCommand(state: CaseState, actor: WorkflowActor, command: Command, policy = DEFAULT_REOPEN_POLICY): Transition {
  const { action } = command;
  if (!allowedNow(action, state)) {
    throw new WorkflowError("transition_not_allowed", `The action ${action} is not allowed while the case is ${state.status}`);
  }
  if (action === "approve_extension" && isExtensionRequester(actor, state)) {
    throw new WorkflowError("self_approval", "An extension is approved by someone other than who asked for it");
  }
  if (action === "approve_return" && state.returnRequest?.requestedBy === actor.userId) {
    throw new WorkflowError("self_approval", "A return is approved by someone other than who asked for it");
  }
  if (!mayTake(action, actor, state)) {
    throw new WorkflowError("forbidden_action", `You may not ${action} this case`);
  }
  const pending = pendingCoHandlers(state);
  if (action === "handle" && pending.length > 0) {
    // 主办 completes only when every 协办's part is in, or the dispatcher released it.
    throw new WorkflowError("co_handling_pending", "The co-handling departments have not all reported their part", { pending });
  }
  const next: CaseState = { ...state };
  const details: Record<string, unknown> = {};
  if ((command.action === "register" || command.action === "reclassify") && command.level !== undefined && command.level !== state.level) {
    // A centre hands a case to its own level or below; sending it above is an escalation, with its own event and rules.
    if (LEVELS.indexOf(command.level) > LEVELS.indexOf(centreLevel(actor))) {
      throw new WorkflowError("escalation_required", `A ${centreLevel(actor)} centre sets the level ${centreLevel(actor)} or lower; escalate to raise it`);
    }
    next.level = command.level;
    details.level = { from: state.level, to: command.level };
  }
  switch (command.action) {
    case "accept":
      next.status = "accepted";
      break;
    case "register":
      next.status = "registered";
      break;
    case "reclassify":
      break;
    case "reject":
      next.status = "rejected";
      details.reason = command.reasonCode;
      break;
    case "dispatch": {
      const coHandlers = command.coHandlers ?? [];
      const lead = command.to.kind === "department" ? command.to.departmentId : null;
      if (new Set(coHandlers).size !== coHandlers.length || (lead !== null && coHandlers.includes(lead))) {
        throw new WorkflowError("invalid_transition_input", "Each co-handling department is named once, and not the lead's");
      }
      next.status = "dispatched";
      next.assignment = command.to;
      next.coHandlers = coHandlers.map((departmentId) => ({ departmentId, state: "dispatched" }));
      details.assignment = command.to;
      if (coHandlers.length > 0) details.coHandlers = coHandlers;
      break;
    }
    case "acknowledge":
      next.status = "in_progress";
      break;
    case "return":
      // A request: the case moves only when the owning centre approves it.
      next.returnRequest = { requestedBy: actor.userId, reasonCode: command.reasonCode };
      details.reason = command.reasonCode;
      break;
    case "approve_return":
      next.status = "registered";
      next.assignment = null;
      next.coHandlers = [];
      next.pendingExtensionDays = null;
      next.returnRequest = null;
      details.reason = state.returnRequest?.reasonCode;
      break;
    case "deny_return":
      next.returnRequest = null;
      details.reason = state.returnRequest?.reasonCode;
      break;
    case "co_acknowledge":
    case "co_report":
    case "release_co_handler": {
      const departmentId = command.action === "release_co_handler" ? command.departmentId : (actor.departmentId ?? "");
      const co = state.coHandlers.find((entry) => entry.departmentId === departmentId);
      if (command.action === "release_co_handler" && (!co || !pending.includes(departmentId))) {
        throw new WorkflowError("invalid_transition_input", "Only a co-handling department whose part is still open is released");
      }
      const to: CoHandlerState = command.action === "co_acknowledge" ? "acknowledged" : command.action === "co_report" ? "reported" : "released";
      next.coHandlers = state.coHandlers.map((entry) => (entry.departmentId === departmentId ? { ...entry, state: to } : entry));
      details.coHandler = { departmentId, from: co?.state, to };
      break;
    }
    case "handle":
      next.status = "handled";
      next.pendingExtensionDays = null;
      break;
    case "request_extension":
      if (!Number.isInteger(command.days) || command.days < 1 || command.days > 30) {
        throw new WorkflowError("invalid_transition_input", "An extension is 1 to 30 working days");
      }
      next.pendingExtensionDays = command.days;
      next.extensionRequestedBy = actor.userId;
      details.days = command.days;
      break;
    case "approve_extension":
    case "deny_extension":
      // The service moves the deadline on approval; here both settle the pending request.
      details.days = state.pendingExtensionDays;
      next.pendingExtensionDays = null;
      break;
    case "suspend":
      next.status = "suspended";
      next.suspendedFrom = state.status;
      break;
    case "resume":
      next.status = state.suspendedFrom ?? "registered";
      next.suspendedFrom = null;
      break;
    case "review_pass":
      next.spotReview = "passed";
      details.review = "passed";
      break;
    case "review_fail":
      // The rework path of a failed verification: back to the finder, who is still the assignee.
      next.status = "in_progress";
      next.reworkCount = state.reworkCount + 1;
      next.spotReview = "failed";
      details.review = "failed";
      break;
    case "verify_pass":
      next.status = "closed";
      break;
    case "verify_fail":
      next.status = "in_progress";
      next.reworkCount = state.reworkCount + 1;
      break;
    case "evaluate":
      next.satisfaction = command.satisfaction;
      details.satisfaction = command.satisfaction;
      if (command.satisfaction === "dissatisfied" && state.reopenCount < policy.maxReopens) {
        next.status = "registered";
        next.assignment = null;
        next.coHandlers = [];
        next.reopenCount = state.reopenCount + 1;
        details.reopened = true;
      } else next.status = "evaluated";
      break;
    case "escalate":
      next.level = state.level === "community" ? "street" : "district";
      // The upper centre decides again; what was dispatched below is withdrawn.
      if (!["reported", "accepted"].includes(state.status)) next.status = "registered";
      next.assignment = null;
      next.coHandlers = [];
      next.pendingExtensionDays = null;
      details.toLevel = next.level;
      break;
    case "urge":
    case "follow_up":
      break;
    case "merge":
      next.status = "merged";
      next.mergedInto = command.into;
      details.into = command.into;
      break;
  }
  // Whatever settles or withdraws the request forgets who asked.
  if (next.pendingExtensionDays === null) next.extensionRequestedBy = null;
  // A case that leaves its assignee (escalated, suspended, merged) takes no pending return with it.
  if (next.assignment === null || !["dispatched", "in_progress"].includes(next.status)) next.returnRequest = null;
  return { state: next, from: state.status, to: next.status, level: state.level, details };
}

export function isFinal(status: CaseStatus): boolean {
  return FINAL.includes(status);
}

/**
 * Which case events make notifications and outbound messages, and for whom: pure, so that the
 * follower (notification-follower.ts) only reads and writes. The people behind a target (a
 * department's handlers, a centre's dispatchers) are looked up by the repository.
 */
import type { NotificationKind } from "../../db/schema.ts";

export type AssignmentTarget =
  | { kind: "department"; departmentId: string }
  | { kind: "user"; userId: string }
  | { kind: "division"; divisionCode: string };

/** Who receives a notification: whoever the case is dispatched to, or the dispatchers of a centre. */
export type Recipients = { kind: "assignee"; assignment: AssignmentTarget } | { kind: "centre"; divisionCode: string };

/** What the rules read of an event and its case. */
export type EventFacts = {
  action: string;
  /** The case's status after the event. */
  status: string;
  /** The level the case was at when the action was taken. */
  level: "community" | "street" | "district";
  regionCode: string;
  streetCode: string;
  communityCode: string;
  details: Record<string, unknown>;
  /** The case's assignment as it is now (the event's own for a dispatch). */
  assignment: AssignmentTarget | null;
  urgency: string;
  categoryEmergency: boolean;
  hasReporterPhone: boolean;
};

export type NotificationPlan = { kind: NotificationKind; to: Recipients };

const LEVEL_LENGTH = { district: 6, street: 9, community: 12 } as const;

/** The division whose centre owns a case at a level. */
export function centreAt(level: EventFacts["level"], facts: Pick<EventFacts, "communityCode">): string {
  return facts.communityCode.slice(0, LEVEL_LENGTH[level]);
}

export function asAssignment(value: unknown): AssignmentTarget | null {
  if (typeof value !== "object" || value === null) return null;
  const record = value as Record<string, unknown>;
  if (record.kind === "department" && typeof record.departmentId === "string") return { kind: "department", departmentId: record.departmentId };
  if (record.kind === "user" && typeof record.userId === "string") return { kind: "user", userId: record.userId };
  if (record.kind === "division" && typeof record.divisionCode === "string") return { kind: "division", divisionCode: record.divisionCode };
  return null;
}

/** Whoever works on the case now, else the centre that owns it. */
function workerOrCentre(facts: EventFacts): Recipients {
  if (facts.assignment && ["dispatched", "in_progress", "suspended", "handled"].includes(facts.status)) {
    return { kind: "assignee", assignment: facts.assignment };
  }
  return { kind: "centre", divisionCode: centreAt(facts.level, facts) };
}

/** The notification an event makes, or null when it is none of the bell's business. */
export function notificationFor(facts: EventFacts): NotificationPlan | null {
  switch (facts.action) {
    case "dispatch": {
      const assignment = asAssignment(facts.details.assignment) ?? facts.assignment;
      return assignment ? { kind: "task", to: { kind: "assignee", assignment } } : null;
    }
    case "escalate": {
      const toLevel = facts.details.toLevel;
      if (toLevel !== "street" && toLevel !== "district") return null;
      return { kind: "escalated", to: { kind: "centre", divisionCode: centreAt(toLevel, facts) } };
    }
    case "urge": {
      // The deadline sweep's urges carry `automatic` and the deadline state they mark.
      const kind: NotificationKind =
        facts.details.automatic === true ? (facts.details.deadline === "overdue" ? "overdue" : "near_due") : "urged";
      return { kind, to: workerOrCentre(facts) };
    }
    case "return":
      return { kind: "returned", to: { kind: "centre", divisionCode: centreAt(facts.level, facts) } };
    case "review_fail":
    case "verify_fail":
      return facts.assignment ? { kind: "rework", to: { kind: "assignee", assignment: facts.assignment } } : null;
    default:
      return null;
  }
}

export type OutboundPlan =
  | { recipient: "department_duty"; departmentId: string; text: string }
  | { recipient: "reporter"; text: string };

/** Urgencies that reach a department's duty phone when dispatched. */
const URGENT = ["urgent", "emergency"];

/**
 * The message an event sends to someone not at a screen: an urgent dispatch to the department's
 * duty phone, a closed case to the reporter who left a phone. The text holds the case number and a
 * short public status, never the reporter's name, address or description.
 */
export function outboundFor(facts: EventFacts, number: string): OutboundPlan | null {
  if (facts.action === "dispatch") {
    const assignment = asAssignment(facts.details.assignment) ?? facts.assignment;
    if (assignment?.kind !== "department") return null;
    if (!facts.categoryEmergency && !URGENT.includes(facts.urgency)) return null;
    const label = facts.categoryEmergency || facts.urgency === "emergency" ? "突发" : "紧急";
    return { recipient: "department_duty", departmentId: assignment.departmentId, text: `【网格化指挥中心】${label}案件 ${number} 已派遣至贵单位，请立即登录处置。` };
  }
  if (facts.action === "verify_pass" && facts.status === "closed" && facts.hasReporterPhone) {
    return { recipient: "reporter", text: `【网格化指挥中心】您反映的问题（编号 ${number}）已办结，感谢您的参与。可凭编号查询办理结果并评价。` };
  }
  return null;
}

/** Titles are cut to this many characters: the bell shows a line, not the description. */
export const TITLE_LENGTH = 30;

export function shortTitle(title: string): string {
  const chars = [...title];
  return chars.length <= TITLE_LENGTH ? title : `${chars.slice(0, TITLE_LENGTH - 1).join("")}…`;
}

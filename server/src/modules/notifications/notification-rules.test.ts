import { describe, expect, it } from "vitest";
import { notificationFor, outboundFor, shortTitle, type EventFacts } from "./notification-rules.ts";
import { retryDelayMs } from "./outbound-messages.ts";

const base: EventFacts = {
  action: "dispatch",
  status: "dispatched",
  level: "street",
  regionCode: "530103",
  streetCode: "530103001",
  communityCode: "530103001001",
  details: { assignment: { kind: "department", departmentId: "d1" } },
  assignment: { kind: "department", departmentId: "d1" },
  urgency: "normal",
  categoryEmergency: false,
  hasReporterPhone: true,
};

describe("notification rules", () => {
  it("makes a dispatch a task for the assignee, an escalation news for the centre above", () => {
    expect(notificationFor(base)).toEqual({ kind: "task", to: { kind: "assignee", assignment: { kind: "department", departmentId: "d1" } } });
    const reassigned = { ...base, action: "reassign", details: { previousAssignment: base.assignment, assignment: { kind: "user", userId: "u2" } } };
    expect(notificationFor(reassigned)).toEqual({ kind: "task", to: { kind: "assignee", assignment: { kind: "user", userId: "u2" } } });
    expect(notificationFor({ ...base, action: "escalate", status: "registered", details: { toLevel: "district" } })).toEqual({
      kind: "escalated",
      to: { kind: "centre", divisionCode: "530103" },
    });
  });

  it("sends urgings and the sweep's warnings to whoever works on the case, else to its centre", () => {
    expect(notificationFor({ ...base, action: "urge", status: "in_progress", details: {} })?.kind).toBe("urged");
    expect(notificationFor({ ...base, action: "urge", status: "in_progress", details: { automatic: true, deadline: "overdue" } })?.kind).toBe("overdue");
    const nearDue = notificationFor({ ...base, action: "urge", status: "registered", assignment: null, details: { automatic: true, deadline: "near_due" } });
    expect(nearDue).toEqual({ kind: "near_due", to: { kind: "centre", divisionCode: "530103001" } });
  });

  it("sends returns to the owning centre and rework to the assignee; ignores the rest", () => {
    expect(notificationFor({ ...base, action: "return", status: "registered", level: "community" })?.to).toEqual({ kind: "centre", divisionCode: "530103001001" });
    expect(notificationFor({ ...base, action: "verify_fail", status: "in_progress" })?.kind).toBe("rework");
    expect(notificationFor({ ...base, action: "acknowledge", status: "in_progress" })).toBeNull();
  });

  it("texts a department's duty phone only for an urgent or emergency dispatch, and the reporter at closure", () => {
    expect(outboundFor(base, "530103-20261203-00001")).toBeNull();
    const urgent = outboundFor({ ...base, urgency: "urgent" }, "530103-20261203-00001");
    expect(urgent).toMatchObject({ recipient: "department_duty", departmentId: "d1" });
    expect(urgent?.text).toContain("530103-20261203-00001");
    expect(outboundFor({ ...base, categoryEmergency: true }, "n")?.text).toContain("突发");
    expect(outboundFor({ ...base, action: "verify_pass", status: "closed" }, "n")?.recipient).toBe("reporter");
    expect(outboundFor({ ...base, action: "verify_pass", status: "closed", hasReporterPhone: false }, "n")).toBeNull();
  });

  it("cuts titles to 30 characters", () => {
    expect(shortTitle("井盖缺失")).toBe("井盖缺失");
    const cut = shortTitle("很".repeat(40));
    expect([...cut]).toHaveLength(30);
    expect(cut.endsWith("…")).toBe(true);
  });

  it("waits longer after each failed attempt, at most an hour", () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(retryDelayMs(20)).toBe(3_600_000);
  });
});

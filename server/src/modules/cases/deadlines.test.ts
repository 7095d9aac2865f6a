import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUNDLED_CALENDAR, WorkingCalendar, type CalendarData } from "./calendar.ts";
import { computeDeadlines, deadlineStatus, nearDueLimit, policyFor, POLICIES, type DeadlinePolicy } from "./deadlines.ts";

const calendar = new WorkingCalendar(JSON.parse(readFileSync(BUNDLED_CALENDAR, "utf8")) as CalendarData);

/** An instant given as a Shanghai wall time, "2026-03-06T10:00". */
const sh = (local: string): Date => new Date(`${local}+08:00`);
const endOf = (date: string): Date => sh(`${date}T23:59:59.999`);
const handleIn = (handleDays: number): DeadlinePolicy => ({ ...POLICIES.dukao130, name: "test", handleDays });

describe("computeDeadlines", () => {
  it("applies 督考130 to a case reported on an ordinary Monday", () => {
    expect(computeDeadlines(POLICIES.dukao130, sh("2026-03-09T10:00"), calendar)).toEqual({
      acceptBy: sh("2026-03-09T12:00"),
      dispatchBy: endOf("2026-03-10"),
      feedbackBy: endOf("2026-03-12"),
      handleBy: endOf("2026-03-16"),
    });
  });

  it("applies 督考130 to a case reported during the Spring Festival holiday", () => {
    // Off 02-15..02-23; Saturday 02-28 is a make-up working day.
    expect(computeDeadlines(POLICIES.dukao130, sh("2026-02-17T10:00"), calendar)).toEqual({
      acceptBy: sh("2026-02-24T02:00"),
      dispatchBy: endOf("2026-02-24"),
      feedbackBy: endOf("2026-02-26"),
      handleBy: endOf("2026-02-28"),
    });
  });

  it("counts fractional days as working hours", () => {
    const urgent = computeDeadlines(POLICIES.urgent, sh("2026-03-09T10:00"), calendar);
    expect(urgent.acceptBy).toEqual(sh("2026-03-09T11:00"));
    expect(urgent.dispatchBy).toEqual(sh("2026-03-09T22:00"));
    expect(computeDeadlines(handleIn(1.5), sh("2026-03-09T10:00"), calendar).handleBy).toEqual(sh("2026-03-11T11:59:59.999"));
  });

  it("runs the emergency clock over a weekend", () => {
    expect(computeDeadlines(POLICIES.emergency, sh("2026-03-06T23:30"), calendar)).toEqual({
      acceptBy: sh("2026-03-07T00:00"),
      dispatchBy: sh("2026-03-09T00:30"),
      feedbackBy: endOf("2026-03-09"),
      handleBy: endOf("2026-03-09"),
    });
  });

  it("never gives an earlier deadline for a longer limit", () => {
    const instants = fc.date({ min: new Date("2025-01-01T00:00:00Z"), max: new Date("2027-12-31T00:00:00Z"), noInvalidDate: true });
    const limit = fc.double({ min: 0, max: 20, noNaN: true });
    fc.assert(
      fc.property(instants, limit, limit, (reportedAt, a, b) => {
        const [shorter, longer] = a <= b ? [a, b] : [b, a];
        const early = computeDeadlines(handleIn(shorter), reportedAt, calendar).handleBy;
        const late = computeDeadlines(handleIn(longer), reportedAt, calendar).handleBy;
        return early.getTime() <= late.getTime();
      }),
      { numRuns: 500 },
    );
  });

  it("keeps the stages of every built-in policy in order", () => {
    for (const policy of Object.values(POLICIES)) {
      expect(policy.studyDays, policy.name).toBeLessThanOrEqual(policy.feedbackDays);
      expect(policy.feedbackDays, policy.name).toBeLessThanOrEqual(policy.handleDays);
    }
  });
});

describe("policyFor", () => {
  it("keeps the category's policy for normal cases", () => {
    expect(policyFor("standard", "normal")).toBe(POLICIES.standard);
  });

  it("takes the stricter policy for urgent cases", () => {
    expect(policyFor("dukao130", "urgent")).toBe(POLICIES.urgent);
    expect(policyFor("consultation", "urgent")).toEqual({
      name: "urgent+consultation",
      acceptHours: 1,
      studyDays: 0.5,
      feedbackDays: 1,
      handleDays: 1,
    });
  });

  it("applies the emergency policy to emergencies", () => {
    for (const category of Object.keys(POLICIES)) {
      expect(policyFor(category, "emergency"), category).toBe(POLICIES.emergency);
    }
  });

  it("rejects unknown policies", () => {
    expect(() => policyFor("nonexistent", "normal")).toThrow(RangeError);
    expect(() => policyFor("toString", "normal")).toThrow(RangeError);
  });
});

describe("deadlineStatus", () => {
  const deadline = sh("2026-03-09T12:00");

  it("is near due within 4 working hours and overdue only after the deadline", () => {
    expect(deadlineStatus(deadline, sh("2026-03-09T07:59:59.999"), calendar)).toBe("on_time");
    expect(deadlineStatus(deadline, sh("2026-03-09T08:00"), calendar)).toBe("near_due");
    expect(deadlineStatus(deadline, deadline, calendar)).toBe("near_due");
    expect(deadlineStatus(deadline, sh("2026-03-09T12:00:00.001"), calendar)).toBe("overdue");
  });

  it("counts only working hours toward the threshold", () => {
    const mondayEarly = sh("2026-03-09T02:00");
    // Friday 23:00: one working hour on Friday, two on Monday.
    expect(deadlineStatus(mondayEarly, sh("2026-03-06T23:00"), calendar)).toBe("near_due");
    expect(deadlineStatus(mondayEarly, sh("2026-03-06T21:00"), calendar)).toBe("on_time");
  });

  it("takes another threshold", () => {
    expect(deadlineStatus(deadline, sh("2026-03-09T08:00"), calendar, 2)).toBe("on_time");
    expect(deadlineStatus(deadline, sh("2026-03-09T10:00"), calendar, 2)).toBe("near_due");
  });
});

describe("nearDueLimit", () => {
  it("bounds exactly the deadlines deadlineStatus calls near due or overdue", () => {
    const instants = fc.date({ min: new Date("2025-01-01T00:00:00Z"), max: new Date("2027-12-01T00:00:00Z"), noInvalidDate: true });
    // Deadlines up to ten days on, and some on the limit itself or a millisecond either side.
    const ahead = fc.oneof(fc.integer({ min: 0, max: 10 * 86_400_000 }), fc.constantFrom(-1, 0, 1));
    fc.assert(
      fc.property(instants, ahead, fc.constantFrom(0, 2, 4, 8), fc.boolean(), (now, offset, hours, fromLimit) => {
        const limit = nearDueLimit(now, calendar, hours);
        const deadline = new Date((fromLimit ? limit.getTime() : now.getTime()) + offset);
        const status = deadlineStatus(deadline, now, calendar, hours);
        expect(status === "on_time", `${deadline.toISOString()} against limit ${limit.toISOString()}`).toBe(deadline.getTime() > limit.getTime());
      }),
      { numRuns: 2000 },
    );
  });

  it("reaches over a weekend and a holiday to when the clock starts again", () => {
    // Friday 20:00: four working hours end at Saturday 00:00, and a deadline at any time up to
    // Monday 00:00 has no more working time left than that.
    expect(nearDueLimit(sh("2026-03-06T20:00"), calendar)).toEqual(sh("2026-03-09T00:00"));
    expect(nearDueLimit(sh("2026-03-06T22:00"), calendar)).toEqual(sh("2026-03-09T02:00"));
    expect(nearDueLimit(sh("2026-03-09T10:00"), calendar)).toEqual(sh("2026-03-09T14:00"));
    // National Day 2026: three hours of Wednesday 30 September, then the first of Thursday 8 October.
    expect(nearDueLimit(sh("2026-09-30T21:00"), calendar)).toEqual(sh("2026-10-08T01:00"));
  });
});

/**
 * Stage deadlines of a case, counted on the working calendar from the moment it was reported.
 */
import type { WorkingCalendar } from "./calendar.ts";

const HOURS_PER_WORKING_DAY = 24;
const HOUR_MS = 3_600_000;

/**
 * How long each stage may take, counted from the report: accepted (受理) within `acceptHours`
 * working hours; studied and dispatched (研究/派遣) within `studyDays`, first feedback to the
 * reporter within `feedbackDays`, handled (处置完成) within `handleDays` working days.
 *
 * A day field may be fractional. The whole days end at the end of the Nth working day after the
 * day of the report (the day of the report does not count); a fraction is then counted as working
 * time at 24 working hours a day, so 0.5 is 12 working hours and 1/24 is one working hour. Below
 * one day, the fraction counts from the report itself. A larger number never gives an earlier
 * deadline, which is what lets `policyFor` take the stricter of two policies field by field.
 */
export type DeadlinePolicy = {
  name: string;
  acceptHours: number;
  studyDays: number;
  feedbackDays: number;
  handleDays: number;
};

const policy = (p: DeadlinePolicy): DeadlinePolicy => Object.freeze(p);

/** The built-in policies, by name. */
export const POLICIES: Record<string, DeadlinePolicy> = Object.freeze({
  /** 督考130: studied within 1 working day, feedback within 3, handled within 5. */
  dukao130: policy({ name: "dukao130", acceptHours: 2, studyDays: 1, feedbackDays: 3, handleDays: 5 }),
  /** Urgent cases: studied within half a working day (12 working hours). */
  urgent: policy({ name: "urgent", acceptHours: 1, studyDays: 0.5, feedbackDays: 1, handleDays: 3 }),
  /** 突发事件: dispatched within one working hour, handled within a working day. */
  emergency: policy({ name: "emergency", acceptHours: 0.5, studyDays: 1 / 24, feedbackDays: 1, handleDays: 1 }),
  standard: policy({ name: "standard", acceptHours: 4, studyDays: 1, feedbackDays: 5, handleDays: 10 }),
  /** 咨询: answered, and closed, within one working day. */
  consultation: policy({ name: "consultation", acceptHours: 2, studyDays: 1, feedbackDays: 1, handleDays: 1 }),
});

/** The policy for categories that name none. */
export const DEFAULT_POLICY = "dukao130";

/** How pressing a case is; anything above "normal" tightens its category's deadlines. */
export type Urgency = "normal" | "urgent" | "emergency";

/** The deadline of each stage of a case. */
export type StageDeadlines = { acceptBy: Date; dispatchBy: Date; feedbackBy: Date; handleBy: Date };

/**
 * A deadline is near due when at most this much working time remains before it (the sweep, each
 * listed case's `deadline` and the near_due queue all use it): half a working morning, enough to
 * act on a warning the same day.
 */
export const NEAR_DUE_WORKING_HOURS = 4;

/** Where a case stands against a deadline. */
export type DeadlineStatus = "on_time" | "near_due" | "overdue";

const LIMITS = ["acceptHours", "studyDays", "feedbackDays", "handleDays"] as const;

function policyNamed(name: string): DeadlinePolicy {
  // hasOwn keeps "toString" and other inherited names out.
  if (!Object.hasOwn(POLICIES, name)) throw new RangeError(`Unknown deadline policy ${name}`);
  return POLICIES[name];
}

/** The stricter of two policies: one of them if it is at least as strict everywhere, else a field-by-field mix. */
function stricter(a: DeadlinePolicy, b: DeadlinePolicy): DeadlinePolicy {
  if (LIMITS.every((limit) => a[limit] <= b[limit])) return a;
  if (LIMITS.every((limit) => b[limit] <= a[limit])) return b;
  return policy({
    name: `${a.name}+${b.name}`,
    acceptHours: Math.min(a.acceptHours, b.acceptHours),
    studyDays: Math.min(a.studyDays, b.studyDays),
    feedbackDays: Math.min(a.feedbackDays, b.feedbackDays),
    handleDays: Math.min(a.handleDays, b.handleDays),
  });
}

/**
 * The policy for a case: its category's policy, tightened by its urgency (urgent: the stricter of
 * the category's and "urgent"; emergency: the stricter of the category's and "emergency").
 * Throws a RangeError for an unknown policy name.
 */
export function policyFor(categoryPolicy: string, urgency: Urgency): DeadlinePolicy {
  const base = policyNamed(categoryPolicy);
  switch (urgency) {
    case "normal":
      return base;
    case "urgent":
    case "emergency":
      return stricter(policyNamed(urgency), base);
    default:
      throw new RangeError(`Unknown urgency ${String(urgency)}`);
  }
}

function addDays(calendar: WorkingCalendar, from: Date, days: number): Date {
  if (!Number.isFinite(days) || days < 0) throw new RangeError(`Stage days must be a finite number >= 0, got ${days}`);
  const whole = Math.floor(days);
  const fractionHours = (days - whole) * HOURS_PER_WORKING_DAY;
  const start = whole === 0 ? from : calendar.addWorkingDays(from, whole);
  if (fractionHours === 0) return start;
  // From a non-working day, 24 working hours end 1 ms after the next whole day's deadline.
  const byHours = calendar.addWorkingHours(start, fractionHours);
  const nextWhole = calendar.addWorkingDays(from, whole + 1);
  return byHours.getTime() < nextWhole.getTime() ? byHours : nextWhole;
}

/** The stage deadlines of a case reported at `reportedAt` under `policy`. */
export function computeDeadlines(policy: DeadlinePolicy, reportedAt: Date, calendar: WorkingCalendar): StageDeadlines {
  return {
    acceptBy: calendar.addWorkingHours(reportedAt, policy.acceptHours),
    dispatchBy: addDays(calendar, reportedAt, policy.studyDays),
    feedbackBy: addDays(calendar, reportedAt, policy.feedbackDays),
    handleBy: addDays(calendar, reportedAt, policy.handleDays),
  };
}

/**
 * Where a case stands at `now` against `deadline`: overdue once the deadline has passed, near_due
 * when at most `nearDueWorkingHours` of working time remain, on_time otherwise.
 */
export function deadlineStatus(
  deadline: Date,
  now: Date,
  calendar: WorkingCalendar,
  nearDueWorkingHours = NEAR_DUE_WORKING_HOURS,
): DeadlineStatus {
  if (!Number.isFinite(nearDueWorkingHours) || nearDueWorkingHours < 0) {
    throw new RangeError(`nearDueWorkingHours must be a finite number >= 0, got ${nearDueWorkingHours}`);
  }
  if (now.getTime() > deadline.getTime()) return "overdue";
  return calendar.workingMillisBetween(now, deadline) <= nearDueWorkingHours * HOUR_MS ? "near_due" : "on_time";
}

/**
 * The working minutes from `now` to `deadline` on the calendar; negative, by the working minutes
 * since, once it has passed. Screens show countdowns from this, so that no browser counts working time.
 */
export function workingMinutesUntil(deadline: Date, now: Date, calendar: WorkingCalendar): number {
  if (now.getTime() > deadline.getTime()) return -Math.floor(calendar.workingMillisBetween(deadline, now) / 60_000);
  return Math.floor(calendar.workingMillisBetween(now, deadline) / 60_000);
}

/**
 * The latest deadline that is near due (or overdue) at `now`: `deadlineStatus` is on_time exactly
 * for deadlines after it, so a queue can be a range on the deadline column. Working time counted
 * up to `nearDueWorkingHours` may end at midnight before a weekend; a deadline anywhere in that
 * weekend still has no more working time left, hence the move to when the clock starts again.
 */
export function nearDueLimit(now: Date, calendar: WorkingCalendar, nearDueWorkingHours = NEAR_DUE_WORKING_HOURS): Date {
  return calendar.workingInstantFrom(calendar.addWorkingHours(now, nearDueWorkingHours));
}

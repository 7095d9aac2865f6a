import { describe, expect, it } from "vitest";
import { afterFailure, nextAttemptAt, throttled, type ThrottleState } from "./login-throttle.ts";

const limits = { maxFailures: 5, lockoutMinutes: 15 };
const start = new Date("2026-12-03T08:00:00Z");
const later = (ms: number) => new Date(start.getTime() + ms);

/** The state after `n` failures, each made as soon as it was allowed. */
function failures(n: number): { state: ThrottleState; at: Date } {
  let state: ThrottleState | undefined;
  let at = start;
  for (let i = 0; i < n; i++) {
    at = nextAttemptAt(state, at, limits) ?? at;
    state = afterFailure(state, at, limits);
  }
  if (!state) throw new Error("no failures");
  return { state, at };
}

describe("sign-in throttle", () => {
  it("lets a first mistake pass, then makes the source wait 1, 2, 4 s", () => {
    expect(nextAttemptAt(failures(1).state, later(0), limits)).toBeNull();
    for (const [n, seconds] of [[2, 1], [3, 2], [4, 4]]) {
      const { state, at } = failures(n);
      expect(nextAttemptAt(state, at, limits), `after ${n}`).toEqual(new Date(at.getTime() + seconds * 1000));
    }
  });

  it("blocks the source for LOGIN_LOCKOUT_MINUTES at the fifth failure, twice as long at the tenth", () => {
    const fifth = failures(5);
    expect(fifth.state.blockedUntil).toEqual(new Date(fifth.at.getTime() + 15 * 60_000));
    expect(nextAttemptAt(fifth.state, new Date(fifth.at.getTime() + 14 * 60_000), limits)).toEqual(fifth.state.blockedUntil);
    expect(nextAttemptAt(fifth.state, new Date(fifth.at.getTime() + 15 * 60_000 + 1), limits)).toBeNull();
    const tenth = failures(10);
    expect(tenth.state.blockedUntil).toEqual(new Date(tenth.at.getTime() + 30 * 60_000));
  });

  it("forgets a source quiet for a day", () => {
    const { state, at } = failures(4);
    const dayLater = new Date(at.getTime() + 24 * 3600_000 + 1);
    expect(nextAttemptAt(state, dayLater, limits)).toBeNull();
    expect(afterFailure(state, dayLater, limits).failures).toBe(1);
  });

  it("tells when to try again, in seconds and as a time", () => {
    const error = throttled(later(15 * 60_000), start);
    expect(error.statusCode).toBe(429);
    expect(error.code).toBe("login_throttled");
    expect(error.details).toEqual({ retryAfter: 900, retryAt: "2026-12-03T08:15:00.000Z" });
    expect(error.message).toContain("15 min");
  });
});

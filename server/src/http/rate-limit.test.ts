import { describe, expect, it } from "vitest";
import { RateLimiter } from "./rate-limit.ts";

describe("RateLimiter", () => {
  it("lets each address through its limit per minute, then answers the seconds to wait", () => {
    const limiter = new RateLimiter(3);
    const start = 60_000 * 1000 + 15_000; // 15 s into a minute
    expect([1, 2, 3].map(() => limiter.hit("10.0.0.1", start))).toEqual([0, 0, 0]);
    expect(limiter.hit("10.0.0.1", start)).toBe(45);
    expect(limiter.hit("10.0.0.2", start)).toBe(0);
    expect(limiter.hit("10.0.0.1", start + 45_000)).toBe(0); // the next minute starts afresh
  });
});

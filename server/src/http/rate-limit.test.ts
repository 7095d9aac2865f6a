import { describe, expect, it } from "vitest";
import { addressBucket, MemoryRateLimiter } from "./rate-limit.ts";

describe("addressBucket", () => {
  it("counts an IPv4 address as itself, also when it comes IPv4-mapped", () => {
    expect(addressBucket("203.0.113.7")).toBe("203.0.113.7");
    expect(addressBucket("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("counts every IPv6 address of one /64 as one client, however it is written", () => {
    const bucket = addressBucket("2001:db8:1:2::1");
    expect(bucket).toBe("2001:db8:1:2::/64");
    expect(addressBucket("2001:0db8:0001:0002:ffff:1234:5678:9abc")).toBe(bucket);
    expect(addressBucket("2001:DB8:1:2:0:0:0:2%eth0")).toBe(bucket);
    expect(addressBucket("2001:db8:1:3::1")).not.toBe(bucket);
    expect(addressBucket("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressBucket("::1")).toBe("0:0:0:0::/64");
  });
});

describe("MemoryRateLimiter", () => {
  const start = Date.parse("2026-12-01T08:00:00Z");

  it("answers the seconds left in the window once a bucket is over its limit, and counts afresh in the next window", async () => {
    const limiter = new MemoryRateLimiter();
    const hits = [];
    for (let k = 0; k < 4; k++) hits.push(await limiter.hit("address:192.0.2.1", 3, start + k * 10_000));
    expect(hits).toEqual([0, 0, 0, 30]);
    expect(await limiter.hit("address:192.0.2.1", 3, start + 59_500)).toBe(1);
    expect(await limiter.hit("address:192.0.2.2", 3, start + 59_500)).toBe(0);
    expect(await limiter.hit("address:192.0.2.1", 3, start + 60_000)).toBe(0);
  });

  it("forgets the windows that have passed as it counts, so memory follows the callers of the last minute", async () => {
    const limiter = new MemoryRateLimiter();
    for (let k = 0; k < 1_000; k++) await limiter.hit(`address:10.0.${k >> 8}.${k & 255}`, 3, start + k);
    expect(limiter.size).toBe(1_000);
    await limiter.hit("address:192.0.2.1", 3, start + 60_500);
    expect(limiter.size).toBe(500);
    expect(await limiter.buckets(start + 60_500)).toHaveLength(500);
    await limiter.hit("address:192.0.2.1", 3, start + 120_000);
    expect(await limiter.buckets(start + 120_000)).toEqual(["address:192.0.2.1"]);
  });
});

import { describe, expect, it } from "vitest";
import { addressBucket } from "./rate-limit.ts";

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

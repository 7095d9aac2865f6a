import { describe, expect, it } from "vitest";
import { fitWithin } from "./compress-photo";
import { newIdempotencyKey } from "./idempotency-key";

describe("a photo made smaller on the phone", () => {
  it("keeps its proportions with the long side at most the limit, and is never enlarged", () => {
    expect(fitWithin(4000, 3000, 1600)).toEqual({ width: 1600, height: 1200 });
    expect(fitWithin(3000, 4000, 1600)).toEqual({ width: 1200, height: 1600 });
    expect(fitWithin(800, 600, 1600)).toEqual({ width: 800, height: 600 });
    expect(fitWithin(10000, 10, 1600)).toEqual({ width: 1600, height: 2 });
  });
});

describe("an Idempotency-Key", () => {
  it("is 22 base64url characters, what the API asks of a caller without a session, and fresh each time", () => {
    const keys = new Set(Array.from({ length: 100 }, newIdempotencyKey));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

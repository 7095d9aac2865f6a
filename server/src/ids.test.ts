import { describe, expect, it } from "vitest";
import { uuidv7 } from "./ids.ts";

const FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const millisecondsOf = (id: string) => Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16);

describe("uuidv7", () => {
  it("is a version 7 UUID of RFC 9562 whose first 48 bits are the milliseconds it was made at, or the last id's when the clock went back", () => {
    // The process's last id may be ahead of the clock (a test that set the clock forward, a clock
    // set back): ids never go back, so a new one then takes that id's millisecond.
    const previous = millisecondsOf(uuidv7());
    const before = Date.now();
    const id = uuidv7();
    const after = Date.now();
    expect(id).toMatch(FORMAT);
    expect(millisecondsOf(id)).toBeGreaterThanOrEqual(before);
    expect(millisecondsOf(id)).toBeLessThanOrEqual(Math.max(after, previous));
  });

  it("makes ids that differ and sort in the order they were made, many in each millisecond", () => {
    const ids = Array.from({ length: 100_000 }, () => uuidv7());
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => FORMAT.test(id))).toBe(true);
    const sorted = [...ids].sort();
    expect(sorted).toEqual(ids);
    // Far fewer milliseconds than ids: the order held within a millisecond too.
    expect(new Set(ids.map((id) => id.slice(0, 13))).size).toBeLessThan(ids.length / 10);
  });

  it("draws the random bits afresh: ids of one millisecond share no random tail", () => {
    const tails = Array.from({ length: 2_000 }, () => uuidv7().slice(-10));
    expect(new Set(tails).size).toBe(tails.length);
  });
});

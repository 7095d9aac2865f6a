import { describe, expect, it } from "vitest";
import { TimeSlices } from "./time-slices.ts";

describe("time slices", () => {
  it("lets what was queued meanwhile run before the loop goes on, and starts a new slice", async () => {
    const slices = new TimeSlices(0);
    let ran = false;
    setImmediate(() => (ran = true));
    expect(slices.due()).toBe(true);
    await slices.next();
    expect(ran).toBe(true);
  });

  it("is not due within its slice", () => {
    expect(new TimeSlices(60_000).due()).toBe(false);
  });
});

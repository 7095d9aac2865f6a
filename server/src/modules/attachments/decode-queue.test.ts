import { describe, expect, it } from "vitest";
import { DecodeQueue, QueueFullError } from "./decode-queue.ts";

function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe("DecodeQueue", () => {
  it("runs at most `slots` jobs at once, in arrival order, and refuses beyond `maxWaiting` with a Retry-After", async () => {
    const queue = new DecodeQueue(2, 2);
    const order: number[] = [];
    const gates = [gate(), gate(), gate(), gate()];
    const jobs = gates.map((g, i) =>
      queue.run(async () => {
        order.push(i);
        await g.opened;
        return i;
      }),
    );
    await Promise.resolve();
    expect(order).toEqual([0, 1]);
    expect(queue.load).toEqual({ running: 2, waiting: 2 });

    const refused = await queue.run(async () => 99).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(QueueFullError);
    expect((refused as QueueFullError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((refused as QueueFullError).retryAfterSeconds).toBeLessThanOrEqual(60);

    gates[1].open();
    await jobs[1];
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([0, 1, 2]);
    expect(queue.load).toEqual({ running: 2, waiting: 1 });
    for (const g of gates) g.open();
    expect(await Promise.all(jobs)).toEqual([0, 1, 2, 3]);
    expect(queue.load).toEqual({ running: 0, waiting: 0 });
  });

  it("frees the slot of a job that fails", async () => {
    const queue = new DecodeQueue(1, 0);
    await expect(queue.run(async () => Promise.reject(new Error("bad image")))).rejects.toThrow("bad image");
    expect(await queue.run(async () => "next")).toBe("next");
    expect(queue.load).toEqual({ running: 0, waiting: 0 });
  });
});

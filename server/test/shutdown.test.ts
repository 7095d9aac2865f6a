import { afterEach, describe, expect, it, vi } from "vitest";
import { NotificationFollower } from "../src/modules/notifications/notification-follower.ts";
import { startLeasedJob } from "../src/modules/system/scheduler.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

/** A promise and the function that settles it. */
function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}

const settled = async (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(() => (done = true));
  // Long enough for anything not waiting on the test to settle.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return done;
};

// A server stopping closes its database once its background work has stopped: a run cut off by
// the close fails and logs an error at every shutdown that comes during one.
describe("stopping background work before the database closes", () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it("a leased job's stop settles only once its run in progress has finished, and runs are never two at once", async () => {
    t = await createTestApp("empty");
    const log = { info: vi.fn(), error: vi.fn() };
    const release = deferred();
    const started = deferred();
    let runs = 0;
    const stop = startLeasedJob(t.ctx.db, log, {
      name: "test-stop",
      // The shortest period a lease allows (a second is kept off its length): a period passes during the run.
      intervalMs: 1_100,
      run: async () => {
        runs++;
        started.resolve();
        await release.promise;
        return { done: 1 };
      },
    });
    await started.promise;
    // A period comes and goes while the run holds: it starts no second run beside it.
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    const stopping = stop();
    expect(await settled(stopping)).toBe(false);
    release.resolve();
    await stopping;
    expect(runs).toBe(1);
    expect(log.info).toHaveBeenCalledWith({ done: 1 }, "test-stop");
    expect(log.error).not.toHaveBeenCalled();
  });

  it("the notification follower's stop waits for its pass, and a wake after it starts none", async () => {
    t = await createTestApp("demo");
    // The app's own follower stops first, so that the events below are left for this one: a pass of some length.
    await t.ctx.notifications.stop();
    const cookie = await t.login("dispatcher");
    const grids = (await t.app.inject({ method: "GET", url: "/api/v1/grids?division=530103", headers: { cookie } })).json();
    for (let k = 0; k < 20; k++) {
      const gridCode = grids.features[k % grids.features.length].properties.code;
      const created = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: { description: `停止前上报的案件 ${k}`, gridCode }, headers: { cookie } });
      expect(created.statusCode, created.body).toBe(201);
    }
    const follower = new NotificationFollower(t.ctx.db);
    const warn = vi.fn();
    follower.log = { warn };
    // A pass starts at once (its first read is under way when wake returns); the database closes right after the stop.
    follower.wake();
    await follower.stop();
    await t.close();
    t = undefined;
    // A wake after the stop starts nothing on the closed database.
    follower.wake();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(warn).not.toHaveBeenCalled();
  });
});

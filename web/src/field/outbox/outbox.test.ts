import { describe, expect, it } from "vitest";
import { memoryStore } from "./memory-store";
import { backoffMs, Outbox } from "./outbox";
import { SendError, type ReportBody, type Sender, type TransitionBody } from "./types";

const USER = "u-1";
const report = (description: string): ReportBody => ({ description, location: { lat: 25.05, lng: 102.72 }, source: "grid_worker" });
const photo = (name: string) => new Blob([name], { type: "image/jpeg" });

type Call = { op: string; arg: string; key?: string; photoIds?: string[]; etag?: string };

/** A server at the network edge: records calls, answers by a script of failures, keeps idempotency. */
function fakeServer() {
  const calls: Call[] = [];
  const failures: { op: string; error: SendError }[] = [];
  const created = new Map<string, { id: string; number: string }>();
  const createdBodies: unknown[] = [];
  const acted = new Set<string>();
  let uploads = 0;
  let caseVersion = 1;
  let offered = ["acknowledge", "handle"];
  const failNext = (op: string) => {
    const index = failures.findIndex((failure) => failure.op === op);
    if (index >= 0) throw failures.splice(index, 1)[0].error;
  };
  const sender: Sender = {
    async uploadPhoto(blob) {
      calls.push({ op: "upload", arg: await blob.text() });
      failNext("upload");
      return `photo-${++uploads}`;
    },
    async createCase(body, key) {
      calls.push({ op: "create", arg: body.description, key, photoIds: body.photoIds });
      failNext("create");
      const first = created.get(key);
      if (first) return first;
      createdBodies.push(body);
      const answer = { id: `case-${created.size + 1}`, number: `N${created.size + 1}` };
      created.set(key, answer);
      return answer;
    },
    async createPatrol(body, key) {
      calls.push({ op: "patrol", arg: String(body.points.length), key });
      failNext("patrol");
      return { id: "patrol-1" };
    },
    async readCase() {
      calls.push({ op: "read", arg: "" });
      return { etag: `"${caseVersion}"`, actions: offered };
    },
    async transition(caseId, etag, body, key) {
      calls.push({ op: "transition", arg: `${caseId}:${body.action}`, key, etag, photoIds: body.photoIds });
      failNext("transition");
      if (etag !== `"${caseVersion}"`) throw new SendError(412, "version_conflict", "The case changed");
      acted.add(key);
    },
  };
  return {
    sender,
    calls,
    created,
    createdBodies,
    acted,
    /** The next calls of `op` fail with these errors, one each. */
    fail: (op: string, ...errors: SendError[]) => failures.push(...errors.map((error) => ({ op, error }))),
    bump: () => (caseVersion += 1),
    offer: (actions: string[]) => (offered = actions),
  };
}

/** A clock and timers the test moves by hand. */
function fakeTime() {
  let now = 1_000_000;
  const timers: { at: number; run: () => void }[] = [];
  return {
    now: () => now,
    schedule: (run: () => void, ms: number) => {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return () => void timers.splice(timers.indexOf(timer), 1);
    },
    pending: () => timers.map((timer) => timer.at - now),
    /** Moves the clock on and fires the timers that fall due. */
    advance(ms: number) {
      now += ms;
      for (const timer of timers.filter((candidate) => candidate.at <= now)) {
        timers.splice(timers.indexOf(timer), 1);
        timer.run();
      }
    },
  };
}

function setup() {
  const server = fakeServer();
  const time = fakeTime();
  const store = memoryStore();
  let ids = 0;
  const sent: string[] = [];
  const outbox = new Outbox({
    store,
    sender: server.sender,
    now: time.now,
    schedule: time.schedule,
    newId: () => `id-${++ids}`,
    onSent: ({ caseNumber, item }) => sent.push(`${item.kind}:${caseNumber}`),
  });
  return { server, time, store, outbox, sent };
}

const handle: TransitionBody = { action: "handle", note: "清理完毕" };
const target = { caseId: "case-9", caseNumber: "N9", etag: '"1"' };

describe("Outbox", () => {
  it("keeps what is taken while signed out, then sends photos first and each report once, in order", async () => {
    const { server, outbox, store, sent } = setup();
    outbox.setUser(null);
    await outbox.addReport(USER, report("first"), [photo("a"), photo("b")]);
    await outbox.addReport(USER, report("second"), []);
    await outbox.addTransition(USER, target, handle, [photo("after")]);
    expect(server.calls).toEqual([]);
    expect(await store.list()).toHaveLength(3);

    outbox.setUser(USER);
    await outbox.run();
    expect(server.calls.map((call) => `${call.op}:${call.arg}`)).toEqual([
      "upload:a",
      "upload:b",
      "create:first",
      "create:second",
      "upload:after",
      "transition:case-9:handle",
    ]);
    expect(server.calls[2].photoIds).toEqual(["photo-1", "photo-2"]);
    expect(server.calls[5].photoIds).toEqual(["photo-3"]);
    expect(sent).toEqual(["report:N1", "report:N2", "transition:N9"]);
    expect(await store.list()).toEqual([]);
    expect(outbox.state().items).toEqual([]);
  });

  it("stops at a network error keeping the order, backs off, and never uploads a photo twice", async () => {
    const { server, outbox, time, store } = setup();
    outbox.setUser(null);
    await outbox.addReport(USER, report("first"), [photo("a"), photo("b")]);
    await outbox.addReport(USER, report("second"), []);
    server.fail("upload", new SendError(0, "network_error", "offline"));
    outbox.setUser(USER);
    await outbox.run();
    expect(outbox.state().pause).toMatchObject({ reason: "retry" });
    expect(time.pending()).toEqual([backoffMs(1)]);
    expect(server.calls.map((call) => call.op)).toEqual(["upload"]);

    // b uploads, then the report's answer is lost: the photos stay on the device, uploaded.
    server.fail("create", new SendError(503, "busy", "busy"));
    time.advance(backoffMs(1) - 1);
    expect(server.calls).toHaveLength(1);
    time.advance(1);
    await outbox.run();
    expect(time.pending()).toEqual([backoffMs(2)]);
    const [kept] = await store.list();
    expect(kept.photos.map((p) => p.uploadedId)).toEqual(["photo-1", "photo-2"]);
    expect(kept.lastError).toMatchObject({ status: 503 });

    time.advance(backoffMs(2));
    await outbox.run();
    const creates = server.calls.filter((call) => call.op === "create");
    expect(server.calls.filter((call) => call.op === "upload").map((call) => call.arg)).toEqual(["a", "a", "b"]);
    expect(creates.map((call) => call.arg)).toEqual(["first", "first", "second"]);
    // The resend carries the key made when the report was taken: the server answers the first case.
    expect(creates[0].key).toBe(creates[1].key);
    expect(server.created.size).toBe(2);
    expect(await store.list()).toEqual([]);
  });

  it("grows the backoff with each failure and tries at once when nudged", async () => {
    const { server, outbox, time } = setup();
    outbox.setUser(USER);
    server.fail("create", ...Array.from({ length: 3 }, () => new SendError(500, "internal", "boom")));
    await outbox.addReport(USER, report("first"), []);
    await outbox.run();
    expect(time.pending()).toEqual([2_000]);
    time.advance(2_000);
    await outbox.run();
    expect(time.pending()).toEqual([4_000]);
    outbox.nudge();
    await outbox.run();
    expect(time.pending()).toEqual([8_000]);
    outbox.nudge();
    await outbox.run();
    expect(time.pending()).toEqual([]);
    expect(server.created.size).toBe(1);
    expect(backoffMs(30)).toBe(120_000);
  });

  it("waits for Retry-After on a 429", async () => {
    const { server, outbox, time } = setup();
    outbox.setUser(USER);
    server.fail("create", new SendError(429, "rate_limited", "slow down", 7));
    await outbox.addReport(USER, report("first"), []);
    await outbox.run();
    expect(outbox.state().pause).toMatchObject({ reason: "rate_limited" });
    expect(time.pending()).toEqual([7_000]);
    time.advance(7_000);
    await outbox.run();
    expect(server.created.size).toBe(1);
    expect(outbox.state().pause).toBeNull();
  });

  it("pauses on a 401 until the same user signs in again", async () => {
    const { server, outbox, time } = setup();
    outbox.setUser(USER);
    server.fail("create", new SendError(401, "unauthenticated", "Sign in"));
    await outbox.addReport(USER, report("first"), []);
    await outbox.run();
    expect(outbox.state().pause).toEqual({ reason: "signed_out" });
    expect(time.pending()).toEqual([]);
    outbox.nudge();
    await outbox.run();
    expect(server.created.size).toBe(0);

    // Another user on this phone sends nothing of the first one's.
    outbox.setUser("u-2");
    await outbox.run();
    expect(server.created.size).toBe(0);
    outbox.setUser(USER);
    await outbox.run();
    expect(server.created.size).toBe(1);
  });

  it("keeps a refusal with its reason, goes on with later items, and holds later actions on the same case", async () => {
    const { server, outbox, store } = setup();
    outbox.setUser(null);
    await outbox.addReport(USER, report("outside"), [photo("a")]);
    await outbox.addTransition(USER, target, { action: "acknowledge" }, []);
    await outbox.addTransition(USER, target, handle, []);
    await outbox.addReport(USER, report("inside"), []);
    server.fail("create", new SendError(422, "outside_district", "The point is outside the district"));
    outbox.setUser(USER);
    await outbox.run();
    expect(server.calls.map((call) => `${call.op}:${call.arg}`)).toEqual([
      "upload:a",
      "create:outside",
      "transition:case-9:acknowledge",
      "transition:case-9:handle",
      "create:inside",
    ]);
    const left = await store.list();
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ state: "refused", refusal: { status: 422, code: "outside_district" } });
    // The photo stays on the device with the refused report.
    expect(left[0].photos[0].blob).toBeInstanceOf(Blob);
  });

  it("holds the actions after a refused one on the same case", async () => {
    const { server, outbox, store } = setup();
    outbox.setUser(null);
    await outbox.addTransition(USER, target, { action: "acknowledge" }, []);
    await outbox.addTransition(USER, target, handle, []);
    await outbox.addTransition(USER, { ...target, caseId: "case-8", caseNumber: "N8" }, handle, []);
    server.fail("transition", new SendError(403, "forbidden", "Not yours"));
    outbox.setUser(USER);
    await outbox.run();
    expect(server.calls.map((call) => call.arg)).toEqual(["case-9:acknowledge", "case-8:handle"]);
    expect((await store.list()).map((item) => item.state).sort()).toEqual(["refused", "waiting"]);

    // Discarding the refused one lets the next on that case go.
    const refused = outbox.state().items.find((item) => item.state === "refused");
    await outbox.discard(refused!.id);
    await outbox.run();
    expect(server.calls.map((call) => call.arg).at(-1)).toBe("case-9:handle");
    expect(await store.list()).toEqual([]);
  });

  it("re-reads the case on a 412 and resends only while the action is still offered", async () => {
    const { server, outbox, store } = setup();
    outbox.setUser(USER);
    server.bump(); // someone else changed the case after the worker read it
    await outbox.addTransition(USER, target, handle, []);
    await outbox.run();
    expect(server.calls.map((call) => `${call.op}:${call.etag ?? ""}`)).toEqual(['transition:"1"', "read:", 'transition:"2"']);
    expect(server.acted.size).toBe(1);

    server.bump();
    server.offer(["acknowledge"]);
    await outbox.addTransition(USER, target, handle, []);
    await outbox.run();
    const [kept] = await store.list();
    expect(kept).toMatchObject({ state: "refused", refusal: { code: "action_not_offered" } });
    expect(server.acted.size).toBe(1);
  });

  it("sends a retried refusal with a fresh key and the edit", async () => {
    const { server, outbox, store } = setup();
    outbox.setUser(USER);
    server.fail("create", new SendError(422, "outside_district", "outside"));
    const item = await outbox.addReport(USER, report("outside"), []);
    await outbox.run();
    await outbox.retry(item.id, { report: { location: { lat: 25.04, lng: 102.71 } } });
    await outbox.run();
    const creates = server.calls.filter((call) => call.op === "create");
    expect(creates).toHaveLength(2);
    expect(creates[0].key).not.toBe(creates[1].key);
    expect(await store.list()).toEqual([]);
  });

  it("runs once at a time: a report added during a run is sent once", async () => {
    const { server, outbox } = setup();
    outbox.setUser(USER);
    const first = outbox.addReport(USER, report("first"), [photo("a")]);
    const second = outbox.addReport(USER, report("second"), []);
    await Promise.all([first, second, outbox.run(), outbox.run()]);
    await outbox.run();
    expect(server.calls.filter((call) => call.op === "create").map((call) => call.arg)).toEqual(["first", "second"]);
  });

  it("sends the after-photos of a report handled on the spot apart from the before-photos", async () => {
    const { server, outbox } = setup();
    outbox.setUser(USER);
    await outbox.addReport(USER, { ...report("fixed"), handledOnSpot: true }, [photo("before")], [photo("after")]);
    await outbox.run();
    const create = server.calls.find((call) => call.op === "create");
    expect(server.calls.filter((call) => call.op === "upload").map((call) => call.arg)).toEqual(["before", "after"]);
    expect(create?.photoIds).toEqual(["photo-1"]);
    expect(server.createdBodies[0]).toMatchObject({ handledOnSpot: true, photoIds: ["photo-1"], afterPhotoIds: ["photo-2"] });
  });

  it("sends a patrol's track in its turn, with its own key", async () => {
    const { server, outbox, store, sent } = setup();
    outbox.setUser(null);
    await outbox.addReport(USER, report("first"), []);
    await outbox.addPatrol(USER, { startedAt: "2026-12-03T01:00:00Z", endedAt: "2026-12-03T02:00:00Z", points: [{ lng: 102.7, lat: 25, t: 1, accuracy: 5 }] });
    server.fail("patrol", new SendError(0, "network_error", "offline"));
    outbox.setUser(USER);
    await outbox.run();
    outbox.nudge();
    await outbox.run();
    const patrols = server.calls.filter((call) => call.op === "patrol");
    expect(patrols).toHaveLength(2);
    expect(patrols[0].key).toBe(patrols[1].key);
    expect(sent).toEqual(["report:N1", "patrol:null"]);
    expect(await store.list()).toEqual([]);
  });

  it("clears everything on sign-out", async () => {
    const { outbox, store, time, server } = setup();
    outbox.setUser(USER);
    server.fail("create", new SendError(0, "network_error", "offline"));
    await outbox.addReport(USER, report("first"), []);
    await outbox.run();
    await outbox.clear();
    outbox.setUser(null);
    expect(await store.list()).toEqual([]);
    expect(time.pending()).toEqual([]);
  });
});

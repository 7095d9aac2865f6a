import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { LightMyRequestResponse } from "fastify";
import { sql } from "kysely";
import { buildApp } from "../src/app.ts";
import { createContext } from "../src/create-context.ts";
import { DatabaseRateLimiter, rateLimiterFor, type MemoryRateLimiter } from "../src/http/rate-limit.ts";
import { DEMO_PASSWORD, usePostgres } from "./databases.ts";
import { cookieOf, createTestApp, type TestApp } from "./test-app.ts";

const REPORT = { description: "路灯不亮了", gridCode: "530103001001001" };
const statuses = (answers: LightMyRequestResponse[]) => answers.map((answer) => answer.statusCode);

async function inSequence(count: number, send: (i: number) => Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse[]> {
  const answers: LightMyRequestResponse[] = [];
  for (let i = 0; i < count; i++) answers.push(await send(i));
  return answers;
}

function expectRateLimited(answer: LightMyRequestResponse): void {
  expect([answer.statusCode, answer.json().error.code]).toEqual([429, "rate_limited"]);
  const wait = Number(answer.headers["retry-after"]);
  expect(wait).toBeGreaterThan(0);
  expect(wait).toBeLessThanOrEqual(60);
}

describe("rate limits", () => {
  let t: TestApp;
  /** Another server process on the same database, with its own memory. */
  const anotherServer = async () => {
    const ctx = createContext(t.ctx.db, t.ctx.config);
    await ctx.grids.load(ctx.db);
    return buildApp(ctx);
  };
  // Each test signs in from an address of its own and counts under users of its own.
  let address = 0;
  const nextAddress = () => `198.51.100.${++address}`;
  const signIn = async (username: string) => {
    const answer = await t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username, password: DEMO_PASSWORD }, remoteAddress: nextAddress() });
    expect(answer.statusCode, answer.body).toBe(200);
    return cookieOf(answer);
  };

  beforeAll(async () => {
    t = await createTestApp("demo", {
      PUBLIC_REQUESTS_PER_MINUTE: "3",
      RESIDENT_REQUESTS_PER_MINUTE: "4",
      STAFF_REQUESTS_PER_MINUTE: "6",
      API_KEY_REQUESTS_PER_MINUTE: "5",
    });
  });
  afterAll(() => t.close());

  it("counts every sign-in per address, also from a caller with a session", async () => {
    const cookie = await signIn("resident");
    const from = nextAddress();
    // A new name each time, so that the throttle of one account and address does not answer first.
    const attempt = (i: number) =>
      t.app.inject({ method: "POST", url: "/api/v1/auth/login", headers: { cookie }, payload: { username: `no-such-user-${i}`, password: "guess" }, remoteAddress: from });
    const answers = await inSequence(4, attempt);
    expect(statuses(answers)).toEqual([401, 401, 401, 429]);
    expectRateLimited(answers[3]);
  });

  it("limits a signed-in resident's reports and uploads together per user, whatever the address", async () => {
    const cookie = await signIn("resident");
    const answers = await inSequence(5, (i) =>
      i % 2 === 0
        ? t.app.inject({ method: "POST", url: "/api/v1/cases", headers: { cookie }, payload: REPORT, remoteAddress: nextAddress() })
        : t.app.inject({ method: "POST", url: "/api/v1/attachments", headers: { cookie, "content-type": "image/png" }, payload: Buffer.from("not a png"), remoteAddress: nextAddress() }),
    );
    expect(statuses(answers)).toEqual([201, 400, 201, 400, 429]);
    expectRateLimited(answers[4]);
    const refused = await t.app.inject({ method: "POST", url: "/api/v1/attachments", headers: { cookie, "content-type": "image/png" }, payload: Buffer.from("x"), remoteAddress: nextAddress() });
    expectRateLimited(refused);
  });

  it("gives staff a higher limit than residents, and never none", async () => {
    const cookie = await signIn("leader");
    const answers = await inSequence(7, () => t.app.inject({ method: "POST", url: "/api/v1/cases", headers: { cookie }, payload: REPORT }));
    expect(statuses(answers)).toEqual([201, 201, 201, 201, 201, 201, 429]);
    expectRateLimited(answers[6]);
  });

  it("limits each API key on its own count, apart from its user's sessions", async () => {
    const cookie = await signIn("admin");
    const created = await t.app.inject({ method: "POST", url: "/api/v1/api-keys", headers: { cookie }, payload: { name: "hotline gateway", organisation: "市民热线" } });
    const authorization = `Bearer ${created.json().apiKey.key}`;
    const answers = await inSequence(6, () => t.app.inject({ method: "POST", url: "/api/v1/cases", headers: { authorization }, payload: REPORT }));
    expect(statuses(answers)).toEqual([201, 201, 201, 201, 201, 429]);
    expectRateLimited(answers[5]);
    // The same user's session is counted apart from the machine's.
    expect((await t.app.inject({ method: "POST", url: "/api/v1/cases", headers: { cookie }, payload: REPORT })).statusCode).toBe(201);
  });

  it("counts every IPv6 address of one /64 as one caller", async () => {
    const answers = await inSequence(4, (i) =>
      t.app.inject({ method: "GET", url: "/api/v1/public/cases/530103-20260101-00001?token=abcdefghijkl", remoteAddress: `2001:db8:7:7::${i + 1}` }),
    );
    expect(statuses(answers)).toEqual([404, 404, 404, 429]);
  });

  it("starts a new window once the last has passed", async () => {
    const from = nextAddress();
    const track = () => t.app.inject({ method: "GET", url: "/api/v1/public/cases/530103-20260101-00001?token=abcdefghijkl", remoteAddress: from });
    expect(statuses(await inSequence(4, track))).toEqual([404, 404, 404, 429]);
    if (usePostgres()) {
      await t.ctx.db.updateTable("rate_limits").set({ window_ends: sql<Date>`now() - interval '1 second'` }).where("bucket", "=", `address:${from}`).execute();
    } else {
      // The embedded database's count is in memory, on the process's clock.
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 61_000 });
    }
    try {
      expect(statuses(await inSequence(4, track))).toEqual([404, 404, 404, 429]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("shares one count between two servers on the same database", async () => {
    const second = await anotherServer();
    try {
      const from = nextAddress();
      const send = (i: number) => (i % 2 === 0 ? t.app : second).inject({ method: "POST", url: "/api/v1/cases", payload: REPORT, remoteAddress: from });
      const answers = await inSequence(6, send);
      expect(statuses(answers)).toEqual([201, 201, 201, 429, 429, 429]);

      const cookie = await signIn("merchant");
      const signedIn = await inSequence(6, (i) => (i % 2 === 0 ? second : t.app).inject({ method: "POST", url: "/api/v1/cases", headers: { cookie }, payload: REPORT }));
      expect(statuses(signedIn)).toEqual([201, 201, 201, 201, 429, 429]);
    } finally {
      await second.close();
    }
  });

  it("deletes the rows of windows that have passed as it counts", async () => {
    if (!usePostgres()) {
      // The embedded database counts in memory, which forgets the windows that have passed.
      const limiter = rateLimiterFor(t.ctx.db, true) as MemoryRateLimiter;
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 61_000 });
      try {
        expect((await limiter.buckets()).length).toBeLessThan(limiter.size);
        expect((await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: REPORT, remoteAddress: nextAddress() })).statusCode).toBe(201);
        // Only windows that still run are held.
        expect(limiter.size).toBe((await limiter.buckets()).length);
      } finally {
        vi.useRealTimers();
      }
      return;
    }
    await t.ctx.db
      .insertInto("rate_limits")
      .values([
        { bucket: "address:192.0.2.1", window_ends: new Date(Date.now() - 60_000), hits: 9 },
        { bucket: "address:192.0.2.2", window_ends: new Date(Date.now() + 60_000), hits: 1 },
      ])
      .execute();
    // The limiter of a server process that has just started sweeps at its first counted request.
    expect(await new DatabaseRateLimiter(t.ctx.db).hit(`address:${nextAddress()}`, 3)).toBe(0);
    const left = await t.ctx.db.selectFrom("rate_limits").select("bucket").where("bucket", "in", ["address:192.0.2.1", "address:192.0.2.2"]).execute();
    expect(left.map((row) => row.bucket)).toEqual(["address:192.0.2.2"]);
  });
});

describe("TRUST_PROXY", () => {
  /** The buckets that the requests started counting in. */
  const bucketsAfter = async (t: TestApp, requests: { remoteAddress: string; forwardedFor?: string }[]) => {
    const limiter = rateLimiterFor(t.ctx.db, !usePostgres());
    const before = new Set(await limiter.buckets());
    for (const { remoteAddress, forwardedFor } of requests) {
      const headers = forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor };
      await t.app.inject({ method: "GET", url: "/api/v1/public/cases/530103-20260101-00001?token=abcdefghijkl", headers, remoteAddress });
    }
    return (await limiter.buckets()).filter((bucket) => !before.has(bucket));
  };

  describe("as a list of proxy addresses and ranges", () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp("demo", { TRUST_PROXY: "10.0.0.0/8, 192.0.2.10" });
    });
    afterAll(() => t.close());

    it("takes the right-most address that no trusted proxy added, whatever the client wrote left of it", async () => {
      expect(
        await bucketsAfter(t, [
          { remoteAddress: "10.0.0.1", forwardedFor: "6.6.6.6, 203.0.113.5" },
          { remoteAddress: "10.0.0.1", forwardedFor: "7.7.7.7, 203.0.113.5, 10.1.2.3" },
          { remoteAddress: "192.0.2.10", forwardedFor: "203.0.113.5" },
        ]),
      ).toEqual(["address:203.0.113.5"]);
    });

    it("ignores X-Forwarded-For from a client that is not a trusted proxy", async () => {
      expect(await bucketsAfter(t, [{ remoteAddress: "198.51.100.77", forwardedFor: "203.0.113.5" }])).toEqual(["address:198.51.100.77"]);
    });
  });

  describe("as a number of proxies", () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp("demo", { TRUST_PROXY: "2" });
    });
    afterAll(() => t.close());

    it("takes the address that many hops in from the connection", async () => {
      expect(
        await bucketsAfter(t, [
          { remoteAddress: "10.0.0.1", forwardedFor: "6.6.6.6, 203.0.113.9, 10.0.0.2" },
          { remoteAddress: "10.0.0.1", forwardedFor: "203.0.113.9, 10.0.0.2" },
        ]),
      ).toEqual(["address:203.0.113.9"]);
    });
  });
});

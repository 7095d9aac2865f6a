import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bringSomeNearDue, generateCases } from "../src/modules/demo/case-seed.ts";
import { startServer } from "./cli.ts";
import { createTestApp } from "./test-app.ts";

const DEMO_PASSWORD = "demo-start-123";
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-demo-start-"));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** `npm start` (serve --demo) on a fresh data directory: a district at work, not empty screens. */
describe("a demo start", () => {
  // Two starts of a real server, the first seeding a district: minutes on a busy machine.
  it("seeds generated cases beside the demo district once, in several statuses and at every level", { timeout: 300_000 }, async () => {
    // PGlite, whatever DATABASE_URL says: the fresh data directory is what is under test.
    const env = { DATA_DIR: dataDir, DATABASE_URL: "", DEMO_CASES: "60", GRIDGOV_DEMO_PASSWORD: DEMO_PASSWORD };
    const listed = async (url: string) => {
      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "dispatcher", password: DEMO_PASSWORD }),
      });
      const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
      const response = await fetch(`${url}/api/v1/cases?limit=200`, { headers: { cookie } });
      expect(response.status).toBe(200);
      return (await response.json()).cases as { number: string; status: string; level: string; createdAt: string }[];
    };
    const first = await startServer(env, ["--demo"]);
    let cases;
    try {
      cases = await listed(first.url);
    } finally {
      await first.stop();
    }
    expect(cases).toHaveLength(60);
    expect(new Set(cases.map((c) => c.status)).size).toBeGreaterThan(3);
    expect(new Set(cases.map((c) => c.level)).size).toBe(3);
    const oldest = Math.min(...cases.map((c) => new Date(c.createdAt).getTime()));
    expect(Date.now() - oldest).toBeLessThan(91 * 24 * 3600_000);

    // A second start finds the district and adds nothing.
    const second = await startServer(env, ["--demo"]);
    try {
      expect((await listed(second.url)).map((c) => c.number)).toEqual(cases.map((c) => c.number));
    } finally {
      await second.stop();
    }
  });
});

describe("the demo's near-due work", () => {
  it("moves the deadlines of a few cases being handled into the next working hours, so the near-due queue has work", async () => {
    const t = await createTestApp("demo");
    try {
      await generateCases(t.database, { cases: 300, days: 10, seed: 11 });
      const moved = await bringSomeNearDue(t.ctx.db, 3);
      expect(moved).toBe(3);
      const cookie = await t.login("dispatcher");
      const queue = (await t.app.inject({ method: "GET", url: "/api/v1/cases?queue=near_due&limit=200", headers: { cookie } })).json().cases;
      expect(queue.length).toBeGreaterThanOrEqual(3);
      expect(queue.every((c: { deadline: string }) => c.deadline === "near_due")).toBe(true);
    } finally {
      await t.close();
    }
  });
});

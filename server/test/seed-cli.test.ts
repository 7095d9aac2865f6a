import { afterAll, describe, expect, it } from "vitest";
import { gridgov, startServer } from "./cli.ts";
import { copyTemplate, DEMO_PASSWORD, usePostgres } from "./databases.ts";

const disposers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const dispose of disposers) await dispose();
});

describe("gridgov seed --cases", () => {
  it("generates cases while the server runs, which serves them at once, and prints its progress and rate", async () => {
    const source = await copyTemplate("demo");
    disposers.push(source.dispose);
    const server = await startServer(source.env);
    try {
      const result = await gridgov(["seed", "--cases", "1500", "--seed", "42", "--years", "2"], source.env);
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout);
      // On PGlite the server holding the data directory generated them; PostgreSQL is written directly.
      expect(summary).toMatchObject({ cases: 1500, seed: 42, via: usePostgres() ? "direct" : "server", demoSeeded: false });
      expect(summary.casesPerSecond).toBeGreaterThan(0);
      // Not a terminal: plain progress lines, then the rate achieved.
      expect(result.stderr).toMatch(/seed: 1,500\/1,500 cases, [\d,]+ cases\/s/);
      expect(result.stderr).toMatch(/seed: 1,500 cases in [\d.]+ s: [\d,]+ cases\/s/);

      const login = await fetch(`${server.url}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "dispatcher", password: DEMO_PASSWORD }),
      });
      const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
      const stats = await fetch(`${server.url}/api/v1/cases?limit=1`, { headers: { cookie } });
      expect(stats.status).toBe(200);
      const [newest] = (await stats.json()).cases;
      expect(newest.number).toBe(summary.to);
      // Over the two years asked: the first number is of a day more than a year ago.
      const firstDay = summary.from.split("-")[1];
      const yearAgo = new Date(Date.now() - 370 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll("-", "");
      expect(firstDay < yearAgo).toBe(true);

      const again = await gridgov(["seed", "--cases", "1500", "--seed", "42", "--years", "2"], source.env);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain("already_seeded");
    } finally {
      await server.stop();
    }
    expect(server.child.exitCode).toBe(0);
  }, 300_000);

  it("seeds the demo district first into an empty database, and refuses a count that is not a whole number", async () => {
    const target = await copyTemplate("empty");
    disposers.push(target.dispose);
    const result = await gridgov(["seed", "--cases", "200", "--seed", "1"], target.env);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ cases: 200, via: "direct", demoSeeded: true });
    const verified = await gridgov(["audit", "verify"], target.env);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toContain("intact");

    const refused = await gridgov(["seed", "--cases", "1e3"], target.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--cases is a whole number");
    const tooLong = await gridgov(["seed", "--cases", "10", "--years", "11"], target.env);
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toContain("--years is a whole number from 1 to 10");
    const nothing = await gridgov(["seed"], target.env);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain("seed_what");
  }, 300_000);
});

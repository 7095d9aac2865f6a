import { afterAll, describe, expect, it } from "vitest";
import { copyTemplate, DEMO_PASSWORD, usePostgres } from "./databases.ts";
import { exited, gridgov, startServer } from "./cli.ts";

const disposers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const dispose of disposers) await dispose();
});

async function signIn(url: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: DEMO_PASSWORD }),
  });
  expect(response.status).toBe(200);
  return (response.headers.get("set-cookie") ?? "").split(";")[0];
}

describe("crash safety", () => {
  it("keeps every acknowledged write through kill -9, and the next start clears the stale lock", async () => {
    const copy = await copyTemplate("demo");
    disposers.push(copy.dispose);
    const acknowledged: string[] = [];
    for (let round = 0; round < 3; round++) {
      const server = await startServer(copy.env);
      const cookie = await signIn(server.url);
      // Writes keep flowing while the process is killed; only answered ones count.
      let serial = 0;
      const writer = (async () => {
        for (;;) {
          const username = `crash-${round}-${serial++}`;
          const response = await fetch(`${server.url}/api/v1/users`, {
            method: "POST",
            headers: { "content-type": "application/json", cookie },
            body: JSON.stringify({ username, displayName: "崩溃测试", password: "long-enough-1", roles: ["volunteer"], scopeCode: "530103001001" }),
          }).catch(() => undefined);
          if (!response) return;
          if (response.status === 201) acknowledged.push(username);
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 400 + Math.random() * 800));
      server.child.kill("SIGKILL");
      await exited(server.child);
      await writer;
    }
    expect(acknowledged.length).toBeGreaterThan(10);
    const listed = await gridgov(["users", "list", "--json"], copy.env);
    expect(listed.code, listed.stderr).toBe(0);
    const stored = new Set((JSON.parse(listed.stdout) as { username: string }[]).map((user) => user.username));
    expect(acknowledged.filter((username) => !stored.has(username))).toEqual([]);
  });

  it("refuses a second live process on the same data directory, while servers share PostgreSQL", async () => {
    const copy = await copyTemplate("demo");
    disposers.push(copy.dispose);
    const server = await startServer(copy.env);
    try {
      if (usePostgres()) {
        // Several app servers on one PostgreSQL database is the way to scale out.
        const second = await startServer(copy.env);
        expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
        await second.stop();
      } else {
        const second = await gridgov(["users", "list", "--json"], copy.env);
        expect(second.code).toBe(1);
        expect(second.stderr).toContain(`is in use by another gridgov process (pid ${server.child.pid})`);
      }
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      server.child.kill("SIGTERM");
      expect(await exited(server.child)).toBe(0);
    }
  });
});

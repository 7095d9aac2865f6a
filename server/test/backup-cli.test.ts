import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { controlSocketPath } from "../src/db/control-socket.ts";
import { openDatabase } from "../src/db/database.ts";
import { blankTarget } from "./blank-database.ts";
import { gridgov, startServer } from "./cli.ts";
import { copyTemplate, DEMO_PASSWORD, usePostgres } from "./databases.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-backups-"));
const disposers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const dispose of disposers) await dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function signIn(url: string, username: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  expect(response.status).toBe(200);
  return (response.headers.get("set-cookie") ?? "").split(";")[0];
}

describe("gridgov backup and restore", () => {
  it("backs up a running server while intakes arrive, and restores a consistent district into a new database", async () => {
    const source = await copyTemplate("demo");
    disposers.push(source.dispose);
    const file = path.join(dir, "live.gridgov.gz");
    const acknowledged: string[] = [];
    const failures: string[] = [];
    let before: string[] = [];
    let backup: { via: string; rows: Record<string, number> };

    const server = await startServer(source.env);
    try {
      const cookie = await signIn(server.url, "seat-01");
      const grids = await (await fetch(`${server.url}/api/v1/grids?division=530103001001`, { headers: { cookie } })).json();
      const codes: string[] = grids.features.map((feature: { properties: { code: string } }) => feature.properties.code);
      let writing = true;
      const writer = async (lane: number) => {
        for (let i = 0; writing; i++) {
          const response = await fetch(`${server.url}/api/v1/cases`, {
            method: "POST",
            headers: { "content-type": "application/json", cookie },
            body: JSON.stringify({ description: `备份期间的来电 ${lane}-${i}`, gridCode: codes[(lane + i) % codes.length], source: "hotline" }),
          });
          if (response.status === 201) acknowledged.push((await response.json()).case.number);
          else failures.push(`${response.status} ${await response.text()}`);
        }
      };
      const writers = [writer(0), writer(1)];
      while (acknowledged.length < 5 && failures.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      before = [...acknowledged];
      const result = await gridgov(["backup", file], source.env);
      writing = false;
      await Promise.all(writers);
      expect(result.code, result.stderr).toBe(0);
      backup = JSON.parse(result.stdout);
      // On PGlite the server wrote the snapshot; its intakes waited for the connection meanwhile.
      expect(backup.via).toBe(usePostgres() ? "direct" : "server");
      expect(failures).toEqual([]);
      if (!usePostgres()) {
        expect(fs.statSync(controlSocketPath(source.env.DATA_DIR)).mode & 0o777).toBe(0o600);
        const refused = await gridgov(["restore", file], source.env);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toContain("data_dir_in_use");
      }
    } finally {
      await server.stop();
    }
    expect(server.child.exitCode).toBe(0);
    if (!usePostgres()) expect(fs.existsSync(controlSocketPath(source.env.DATA_DIR))).toBe(false);
    expect(backup.rows.cases).toBeGreaterThanOrEqual(before.length);

    const target = await blankTarget({ newDirectory: true });
    disposers.push(target.dispose);
    const restored = await gridgov(["restore", file], target.env);
    expect(restored.code, restored.stderr).toBe(0);
    expect(JSON.parse(restored.stdout)).toMatchObject({ rows: backup.rows, migrated: [] });
    // With no server on it, the restored database is backed up directly, to the same rows.
    const again = await gridgov(["backup", path.join(dir, "again.gridgov.gz")], target.env);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ via: "direct", rows: backup.rows });

    const database = await openDatabase(target.target);
    try {
      const numbers = (await database.db.selectFrom("cases").select("number").execute()).map((row) => row.number);
      expect(numbers.length).toBe(backup.rows.cases);
      // Every intake answered before the backup began is in it, and nothing that was not answered.
      expect(before.filter((number) => !numbers.includes(number))).toEqual([]);
      expect(numbers.filter((number) => !acknowledged.includes(number))).toEqual([]);
      // A snapshot, not a mixture: every case has its report event and a counter past its number.
      const { rows: withoutReport } = await sql<{ number: string }>`
        select c.number from cases c
        where (select count(*) from case_events e where e.region_code = c.region_code and e.case_id = c.id and e.action = 'report') <> 1`.execute(database.db);
      expect(withoutReport).toEqual([]);
      const { rows: beyondCounter } = await sql<{ number: string }>`
        select c.number from cases c
        left join case_number_counters n on n.region_code = c.region_code and n.day = split_part(c.number, '-', 2)
        where n.last_value is null or split_part(c.number, '-', 3)::int > n.last_value`.execute(database.db);
      expect(beyondCounter).toEqual([]);
    } finally {
      await database.close();
    }
  }, 300_000);
});

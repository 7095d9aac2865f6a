import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { DatabaseTarget } from "../src/db/database.ts";
import { openDatabase } from "../src/db/database.ts";
import { adminUrl, dropDatabase, usePostgres, withAdmin } from "./databases.ts";

/**
 * A database nothing has touched — no migrations, no rows — as the target of a restore (the
 * templates are migrated and hold categories). On PostgreSQL a new database; on PGlite a data
 * directory: a copy of one initialised once per test process, or with `newDirectory` one that does
 * not exist yet, as an operator would restore into.
 */
export async function blankTarget(options: { newDirectory?: boolean } = {}): Promise<{
  target: DatabaseTarget;
  env: Record<string, string>;
  dispose(): Promise<void>;
}> {
  const id = crypto.randomBytes(5).toString("hex");
  if (usePostgres()) {
    const name = `gridgov_test_${id}`;
    await withAdmin((client) => client.query(`create database ${name}`));
    const url = adminUrl(name);
    return { target: { kind: "postgres", url }, env: { DATABASE_URL: url }, dispose: () => dropDatabase(name) };
  }
  const dataDir = path.join(os.tmpdir(), `gridgov-test-${id}`);
  if (!options.newDirectory) fs.cpSync(await blankDirectory(), dataDir, { recursive: true });
  return {
    target: { kind: "pglite", dataDir },
    env: { DATA_DIR: dataDir },
    dispose: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

let blank: Promise<string> | undefined;
function blankDirectory(): Promise<string> {
  blank ??= (async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-blank-"));
    await (await openDatabase({ kind: "pglite", dataDir })).close();
    process.once("exit", () => fs.rmSync(dataDir, { recursive: true, force: true }));
    return dataDir;
  })();
  return blank;
}


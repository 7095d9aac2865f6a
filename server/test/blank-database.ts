import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { DatabaseTarget } from "../src/db/database.ts";
import { openDatabase } from "../src/db/database.ts";
import { usePostgres } from "./databases.ts";

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
    await admin((client) => client.query(`create database ${name}`));
    const url = databaseUrl(name);
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

function databaseUrl(database: string): string {
  const url = new URL(process.env.DATABASE_URL ?? "");
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl("postgres") });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

// After a restore, autovacuum may still be analysing the new tables, and a plain role cannot
// terminate its worker: try again shortly.
async function dropDatabase(name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin((client) => client.query(`drop database if exists ${name} with (force)`));
      return;
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

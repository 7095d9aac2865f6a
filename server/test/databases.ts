import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { loadConfig } from "../src/config.ts";
import { openDatabase, type Database } from "../src/db/database.ts";
import { migrate } from "../src/db/migrate.ts";
import { seedDemoDistrict } from "../src/modules/demo/demo.seed.ts";
import { ensureCategories } from "../src/modules/cases/categories.service.ts";
import { importDistrict, readDivisionsFile } from "../src/modules/divisions/divisions.service.ts";
import { createContext } from "../src/create-context.ts";

/**
 * Test databases come from two templates made once per run: "empty" (migrated) and "demo" (the
 * Panlong demo district). On PGlite a template is a data directory that each test copies; on
 * PostgreSQL (DATABASE_URL set) it is a template database that each test clones.
 */
export type Template = "empty" | "demo";

export const DEMO_PASSWORD = "demo-pass-123";
/** Wuhua district, imported beside the demo district without grids or staff. */
export const OTHER_DISTRICT = "530102";
// Set by the global setup before test processes start, so that they inherit it.
const templateRoot = () => {
  process.env.GRIDGOV_TEST_TEMPLATES ??= fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-templates-"));
  return process.env.GRIDGOV_TEST_TEMPLATES;
};
// Named per run, so that two runs on one PostgreSQL server (CI's and a developer's) never drop each other's.
const pgTemplateName = (template: Template) => {
  process.env.GRIDGOV_TEST_RUN ??= crypto.randomBytes(4).toString("hex");
  return `gridgov_template_${template}_${process.env.GRIDGOV_TEST_RUN}`;
};

export const usePostgres = () => Boolean(process.env.DATABASE_URL);

export function adminUrl(database = "postgres"): string {
  const url = new URL(process.env.DATABASE_URL ?? "");
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdmin<T>(work: (client: pg.Client) => Promise<T>, url = adminUrl()): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Postgres's code for a missing privilege: here, to end an autovacuum worker, which only a superuser may. */
const INSUFFICIENT_PRIVILEGE = "42501";

/**
 * Drops a test database and whoever is still connected. Autovacuum may be at work on a database
 * that was just written to, and a plain role cannot end its worker: try again, for up to about two
 * minutes. Connects
 * to `url`, by default the maintenance database next to DATABASE_URL's.
 */
export async function dropDatabase(name: string, url = adminUrl()): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await withAdmin((client) => client.query(`drop database if exists ${name} with (force)`), url);
      return;
    } catch (error) {
      // An autovacuum worker on a large database (a benchmark's million cases) can hold it for a minute.
      if ((error as { code?: string }).code !== INSUFFICIENT_PRIVILEGE || attempt >= 120) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 100 * attempt)));
    }
  }
}

/** Builds both templates; called once by the global setup. */
export async function createTemplates(): Promise<void> {
  for (const template of ["empty", "demo"] as const) {
    const target = usePostgres() ? await freshPostgres(pgTemplateName(template)) : templateDir(template);
    if (!usePostgres()) fs.rmSync(target, { recursive: true, force: true });
    const database = await openDatabase(
      usePostgres() ? { kind: "postgres", url: adminUrl(target) } : { kind: "pglite", dataDir: target },
    );
    try {
      await migrate(database.db);
      await ensureCategories(database.db);
      if (template === "demo") {
        const config = loadConfig({});
        const ctx = createContext(database.db, config);
        await seedDemoDistrict(ctx, DEMO_PASSWORD);
        // A second district, so that district staff have something outside their scope too.
        await importDistrict(ctx, readDivisionsFile(), OTHER_DISTRICT);
      }
    } finally {
      await database.close();
    }
  }
}

export async function dropTemplates(): Promise<void> {
  if (!usePostgres()) {
    fs.rmSync(templateRoot(), { recursive: true, force: true });
    return;
  }
  for (const template of ["empty", "demo"] as const) await dropDatabase(pgTemplateName(template));
}

const templateDir = (template: Template) => path.join(templateRoot(), template);

/** An empty (or template-copied) database of this name on the server of DATABASE_URL, made anew. */
export async function freshPostgres(name: string, template?: string): Promise<string> {
  await dropDatabase(name);
  await withAdmin((client) => client.query(`create database ${name}${template ? ` template ${template}` : ""}`));
  return name;
}

/** A private copy of a template, and where it lives (a data directory or a database URL). */
export async function openTestDatabase(template: Template): Promise<{ database: Database; location: string; dispose(): Promise<void> }> {
  const id = crypto.randomBytes(5).toString("hex");
  if (usePostgres()) {
    const name = await freshPostgres(`gridgov_test_${id}`, pgTemplateName(template));
    const url = adminUrl(name);
    const database = await openDatabase({ kind: "postgres", url });
    return {
      database,
      location: url,
      async dispose() {
        await database.close();
        await dropDatabase(name);
      },
    };
  }
  const dataDir = path.join(os.tmpdir(), `gridgov-test-${id}`);
  fs.cpSync(templateDir(template), dataDir, { recursive: true });
  const database = await openDatabase({ kind: "pglite", dataDir });
  return {
    database,
    location: dataDir,
    async dispose() {
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A copy of a template as a data directory or database URL, for tests that start the server themselves. */
export async function copyTemplate(template: Template): Promise<{ env: Record<string, string>; dispose(): Promise<void> }> {
  const id = crypto.randomBytes(5).toString("hex");
  if (usePostgres()) {
    const name = await freshPostgres(`gridgov_test_${id}`, pgTemplateName(template));
    return {
      env: { DATABASE_URL: adminUrl(name) },
      dispose: () => dropDatabase(name),
    };
  }
  const dataDir = path.join(os.tmpdir(), `gridgov-test-${id}`);
  fs.cpSync(templateDir(template), dataDir, { recursive: true });
  return { env: { DATA_DIR: dataDir }, dispose: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
}

import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { buildApp } from "../src/app.ts";
import { createContext } from "../src/create-context.ts";
import { loadConfig, type Config } from "../src/config.ts";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AppContext } from "../src/context.ts";
import type { Database } from "../src/db/database.ts";
import { DEMO_PASSWORD, openTestDatabase, type Template } from "./databases.ts";

export type TestApp = {
  app: FastifyInstance;
  ctx: AppContext;
  /** The database under ctx.db, for what needs more than Kysely (the case generator's COPY). */
  database: Database;
  /** Signs in through the API and returns the session cookie header. */
  login(username: string, password?: string): Promise<string>;
  close(): Promise<void>;
};

/** The real app on a private copy of a template database, for requests through `app.inject`. */
export async function createTestApp(template: Template = "demo", env: Record<string, string> = {}): Promise<TestApp> {
  const { database, location, dispose } = await openTestDatabase(template);
  const attachmentsDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-attachments-"));
  // Every request of a test comes from one address and a few users: the limits are lifted unless a test sets them.
  const lifted = { PUBLIC_REQUESTS_PER_MINUTE: "1000000", RESIDENT_REQUESTS_PER_MINUTE: "1000000", STAFF_REQUESTS_PER_MINUTE: "1000000", API_KEY_REQUESTS_PER_MINUTE: "1000000" };
  const config: Config = {
    ...loadConfig({ ATTACHMENTS_DIR: attachmentsDir, ...lifted, ...env }),
    // The app knows its database as a server does (the event log LISTENs on PostgreSQL's URL).
    database: database.kind === "postgres" ? { kind: "postgres", url: location } : { kind: "pglite", dataDir: location },
  };
  const ctx = createContext(database.db, config);
  await ctx.grids.load(ctx.db);
  const app = await buildApp(ctx);
  return {
    app,
    ctx,
    database,
    async login(username, password = DEMO_PASSWORD) {
      const response = await app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username, password } });
      if (response.statusCode !== 200) throw new Error(`login ${username}: ${response.statusCode} ${response.body}`);
      return cookieOf(response);
    },
    async close() {
      await app.close();
      await dispose();
      fs.rmSync(attachmentsDir, { recursive: true, force: true });
    },
  };
}

export function cookieOf(response: LightMyRequestResponse): string {
  const header = response.headers["set-cookie"];
  const first = Array.isArray(header) ? header[0] : header;
  if (!first) throw new Error("no session cookie was set");
  return first.split(";")[0];
}

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { gridgov, REPO_ROOT, startServer, type RunningServer } from "../server/test/cli.ts";
import { adminUrl, dropDatabase, freshPostgres } from "../server/test/databases.ts";

export { REPO_ROOT, type RunningServer };
export const DEMO_PASSWORD = "e2e-pass-123";

/** Where the global setup left the demo template, for the test files' processes to inherit. */
const TEMPLATE_ENV = "GRIDGOV_E2E_DEMO_TEMPLATE";

/**
 * The data directory a fresh `gridgov serve --demo` leaves behind, made once per run by the global
 * setup: each test file's server starts from a copy of it, since migrating and generating the demo
 * district again takes most of a start. Only on the embedded database.
 */
export async function createDemoTemplate(): Promise<void> {
  if (process.env.DATABASE_URL || process.env.E2E_BASE_URL) return;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-e2e-template-"));
  const server = await startServer({ DATA_DIR: dataDir, GRIDGOV_DEMO_PASSWORD: DEMO_PASSWORD }, ["--demo"]);
  await server.stop();
  process.env[TEMPLATE_ENV] = dataDir;
}

export function removeDemoTemplate(): void {
  const dataDir = process.env[TEMPLATE_ENV];
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}

/** Generates `cases` cases with their histories over the past year (`gridgov seed --cases`) on the demo district. */
export type SeedCases = (cases: number, seed?: number) => Promise<void>;

/**
 * The real product, `gridgov serve --demo`, on a fresh data directory (a copy of the demo template)
 * or, when DATABASE_URL is set, a fresh database on its server, so that test files never see each
 * other's cases, seeded with the demo district, and `env` for what a test configures.
 * E2E_BASE_URL tests an instance that already runs instead.
 */
export async function startDemoServer(env: Record<string, string> = {}): Promise<Pick<RunningServer, "url" | "output" | "stop"> & { seedCases: SeedCases }> {
  const external = process.env.E2E_BASE_URL;
  if (external) {
    const seedCases: SeedCases = async () => {
      throw new Error("Cases are generated only on a server the tests start");
    };
    return { url: external.replace(/\/$/, ""), output: () => "", stop: async () => {}, seedCases };
  }
  if (!fs.existsSync(path.join(REPO_ROOT, "web/dist/index.html"))) {
    throw new Error("web/dist/index.html is missing: run `npm run build -w web` first");
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-e2e-"));
  const database = process.env.DATABASE_URL ? await freshPostgres(`gridgov_e2e_${crypto.randomBytes(4).toString("hex")}`) : undefined;
  // A start that asks for its own number of demo cases seeds them itself.
  const template = process.env[TEMPLATE_ENV];
  if (!database && template && !("DEMO_CASES" in env)) fs.cpSync(template, dataDir, { recursive: true });
  const serverEnv = { DATA_DIR: dataDir, DATABASE_URL: database ? adminUrl(database) : "", GRIDGOV_DEMO_PASSWORD: DEMO_PASSWORD, ...env };
  const server = await startServer(serverEnv, ["--demo"]);
  return {
    url: server.url,
    output: server.output,
    async seedCases(cases, seed = 1) {
      // On the embedded database the running server generates them through its control socket.
      const run = await gridgov(["seed", "--cases", String(cases), "--seed", String(seed)], serverEnv);
      if (run.code !== 0) throw new Error(`gridgov seed --cases failed: ${run.stderr}`);
    },
    async stop() {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (database) await dropDatabase(database);
    },
  };
}

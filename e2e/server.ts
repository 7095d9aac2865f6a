import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const REPO_ROOT = path.resolve(import.meta.dirname, "..");
export const DEMO_PASSWORD = "e2e-pass-123";

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

export type RunningServer = {
  /** Origin of the product, e.g. http://localhost:41234 */
  url: string;
  /** What the server printed so far (stdout and stderr), for failure messages. */
  output: () => string;
  stop: () => Promise<void>;
};

/** A TCP port that is free right now, chosen by the operating system. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      if (address === null || typeof address === "string") {
        probe.close();
        reject(new Error("Could not determine a free port"));
        return;
      }
      probe.close(() => resolve(address.port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function waitForReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastProblem = "no answer yet";
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `The server exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready.\n${output()}`,
      );
    }
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
      lastProblem = `GET /readyz answered ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`The server was not ready within ${READY_TIMEOUT_MS / 1000} s (${lastProblem}).\n${output()}`);
}

/**
 * Starts the real product, `gridgov serve --demo`, on a free port with a fresh data directory,
 * and waits until `GET /readyz` answers 200. Set E2E_BASE_URL to test an instance that is
 * already running instead.
 */
export async function startServer(): Promise<RunningServer> {
  const external = process.env.E2E_BASE_URL;
  if (external) {
    return { url: external.replace(/\/$/, ""), output: () => "", stop: async () => {} };
  }

  const entry = path.join(REPO_ROOT, "server/bin/gridgov.js");
  if (!existsSync(entry)) throw new Error(`${entry} does not exist`);
  if (!existsSync(path.join(REPO_ROOT, "web/dist/index.html"))) {
    throw new Error("web/dist/index.html is missing: run `npm run build -w web` first");
  }

  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "gridgov-e2e-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    GRIDGOV_DEMO_PASSWORD: DEMO_PASSWORD,
  };
  // DATABASE_URL, when set, comes through with the rest of the environment.

  const child = spawn(process.execPath, [entry, "serve", "--demo"], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const append = (chunk: Buffer) => {
    log += chunk.toString("utf8");
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const output = () => log;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const stopped = await Promise.race([
        exited(child).then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), STOP_TIMEOUT_MS)),
      ]);
      if (!stopped) {
        child.kill("SIGKILL");
        await exited(child);
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  // "localhost" is a secure context for the browser, whatever cookie flags the server picks.
  const url = `http://localhost:${port}`;
  try {
    await waitForReady(url, child, output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output, stop };
}

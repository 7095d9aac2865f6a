import { execFile, spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
export const GRIDGOV = fileURLToPath(new URL("../bin/gridgov.js", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Runs `gridgov …` as an operator would, in its own process; never throws, returns what it printed. */
export async function gridgov(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [GRIDGOV, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: "", DATA_DIR: "", ...env },
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failure.code === "number" ? failure.code : 1, stdout: failure.stdout ?? "", stderr: failure.stderr ?? "" };
  }
}

/** A TCP port that is free right now, chosen by the operating system. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === "object" ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export type RunningServer = {
  /** Origin of the product; "localhost" is a secure context for browsers, whatever the cookie flags. */
  url: string;
  child: ChildProcess;
  /** What the server printed so far, for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not stopped within 15 s. */
  stop(): Promise<void>;
};

// These tests send hundreds of requests a minute as one user from one address, on purpose (the
// limits have tests of their own, rate-limits.test.ts), and need no generated demo cases. An
// environment given may set either again.
const TEST_SERVER_ENV = {
  PUBLIC_REQUESTS_PER_MINUTE: "1000000",
  RESIDENT_REQUESTS_PER_MINUTE: "1000000",
  STAFF_REQUESTS_PER_MINUTE: "1000000",
  API_KEY_REQUESTS_PER_MINUTE: "1000000",
  // A demo start seeds no generated cases unless a test asks for them: they cost seconds.
  DEMO_CASES: "0",
};

/** Starts `gridgov serve` on a free port with the given environment and waits until /readyz answers. */
export async function startServer(env: Record<string, string>, args: string[] = []): Promise<RunningServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [GRIDGOV, "serve", ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: "", DATA_DIR: "", ...TEST_SERVER_ENV, ...env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited(child);
    clearTimeout(timer);
  };
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gridgov serve exited with ${child.exitCode}: ${output}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) return { url, child, output: () => output, stop };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await stop();
  throw new Error(`gridgov serve did not become ready: ${output}`);
}

export function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

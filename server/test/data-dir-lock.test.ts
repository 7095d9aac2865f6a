import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DataDirInUseError, lockDataDir, lockSocketPath } from "../src/db/data-dir-lock.ts";
import { openDatabase } from "../src/db/database.ts";
import { exited, freePort, GRIDGOV, REPO_ROOT, startServer } from "./cli.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-lock-"));
  dirs.push(dir);
  return dir;
}

async function opensAndCloses(dir: string): Promise<void> {
  const database = await openDatabase({ kind: "pglite", dataDir: dir });
  await database.close();
}

/** The state letter of a process in /proc (R, S, Z …), or undefined once it is gone. */
function processState(pid: number): string | undefined {
  try {
    return /^State:\s+(\S)/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  } catch {
    return undefined;
  }
}

function threads(pid: number): number {
  try {
    return fs.readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
}

// Each test starts a real server on a new data directory.
const SERVER_TEST = { timeout: 240_000 };

describe("the data directory lock", () => {
  it("lets a new server start while a killed server's process is not yet reaped", SERVER_TEST, async () => {
    const dir = dataDir();
    const port = await freePort();
    // The server's parent becomes `sleep`, which never reaps it: once killed, it stays a zombie
    // whose pid still answers kill(pid, 0).
    const parent = spawn("sh", ["-c", `"${process.execPath}" "${GRIDGOV}" serve >/dev/null 2>&1 & echo $!; exec sleep 300`], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: "", DATA_DIR: dir, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "ignore"],
    });
    try {
      const pid = await new Promise<number>((resolve) => parent.stdout.once("data", (chunk) => resolve(Number.parseInt(String(chunk), 10))));
      await expect.poll(() => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0), { timeout: 120_000, interval: 100 }).toBe(200);

      process.kill(pid, "SIGKILL");
      // A zombie once its last thread has exited too: the kernel has closed its files then.
      await expect.poll(() => `${processState(pid)} ${threads(pid)}`, { timeout: 10_000, interval: 20 }).toBe("Z 1");
      expect(() => process.kill(pid, 0)).not.toThrow();

      await opensAndCloses(dir);
    } finally {
      parent.kill("SIGKILL");
      await exited(parent);
    }
  });

  it("lets a new server start where a killed server left its lock, even when its pid is another live process's now", SERVER_TEST, async () => {
    const dir = dataDir();
    const server = await startServer({ DATA_DIR: dir });
    server.child.kill("SIGKILL");
    await exited(server.child);
    expect(fs.existsSync(lockSocketPath(dir))).toBe(true);
    // A pid file naming a live process, as a pid reused in a container would.
    fs.writeFileSync(path.join(dir, "gridgov.pid"), String(process.pid));

    await opensAndCloses(dir);
    expect(fs.existsSync(lockSocketPath(dir))).toBe(false);
  });

  it("gives the directory to exactly one of two processes that find a dead holder's socket together", async () => {
    const dir = dataDir();
    // What a killed holder leaves: a socket file that nobody listens on any more (closing a
    // server removes the name it was bound to, not a second name of the same socket).
    const ghost = net.createServer().listen(path.join(dir, "ghost.sock"));
    await new Promise((resolve) => ghost.once("listening", resolve));
    fs.linkSync(path.join(dir, "ghost.sock"), lockSocketPath(dir));
    await new Promise((resolve) => ghost.close(resolve));

    for (let round = 0; round < 10; round++) {
      const results = await Promise.allSettled([lockDataDir(dir, path.join(dir, "pgdata")), lockDataDir(dir, path.join(dir, "pgdata"))]);
      const taken = results.filter((result) => result.status === "fulfilled");
      const refused = results.filter((result) => result.status === "rejected");
      expect(taken).toHaveLength(1);
      expect(refused[0].reason).toBeInstanceOf(DataDirInUseError);
      expect((refused[0].reason as DataDirInUseError).pid).toBe(process.pid);
      await taken[0].value();
    }
    expect(fs.readdirSync(dir).filter((name) => name.endsWith(".sock"))).toEqual([]);
  });

  it("refuses a data directory whose path is too long for a Unix socket, saying so", async () => {
    const deep = path.join(dataDir(), "d".repeat(100));
    await expect(openDatabase({ kind: "pglite", dataDir: deep })).rejects.toThrow(/too long for its lock socket.*shorter path/);
  });
});

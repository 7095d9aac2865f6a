import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number | undefined,
  ) {
    super(
      `The data directory ${dataDir} is in use by another gridgov process${pid ? ` (pid ${pid})` : ""}. ` +
        "Stop that process first, or set DATA_DIR to another directory.",
    );
  }
}

// A Unix socket's path has room for 104 bytes on macOS, 108 on Linux, the final NUL included; the
// private name the lock is first bound to is the longest path used.
const MAX_SOCKET_PATH_BYTES = 103;
const PROBE_TIMEOUT_MS = 2_000;

export const lockSocketPath = (dataDir: string) => path.join(dataDir, "lock.sock");

/**
 * Takes the data directory for this process: it listens on DATA_DIR/lock.sock for as long as it
 * runs. The kernel closes a dead process's sockets at once (kill -9, a crash, a zombie not yet
 * reaped by its parent), so a socket that accepts a connection is a live holder, and one that
 * refuses is a stale file to replace; no pid is trusted (pids are reused, and in a container
 * every server may be pid 1). A holder answers a connection with its pid, for the message.
 *
 * The socket is bound under a private name and then hard-linked to lock.sock: link() fails if
 * the name exists, so of two processes exactly one takes it. A stale file is first moved to a
 * private name and removed only if it is the very socket found dead, so that a process never
 * removes the socket another one has just put there. PGlite's own postmaster.pid, which a dead
 * process leaves behind and which would make PGlite wait forever, is removed once the lock is held.
 */
export async function lockDataDir(dataDir: string, pgdataDir: string): Promise<() => Promise<void>> {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = lockSocketPath(dataDir);
  const privatePath = path.join(dataDir, `.lock-${process.pid}-${randomBytes(4).toString("hex")}.sock`);
  if (Buffer.byteLength(privatePath) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(
      `The data directory path ${dataDir} is too long for its lock socket (a Unix socket path holds at most ` +
        `${MAX_SOCKET_PATH_BYTES} bytes): set DATA_DIR to a shorter path, or a symbolic link to it.`,
    );
  }
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    socket.end(`${JSON.stringify({ pid: process.pid })}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(privatePath, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const release = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(privatePath, { force: true });
  };
  try {
    fs.chmodSync(privatePath, 0o600);
    const own = fs.statSync(privatePath).ino;
    await takeName(dataDir, privatePath, lockPath);
    fs.rmSync(privatePath, { force: true });
    fs.rmSync(path.join(pgdataDir, "postmaster.pid"), { force: true });
    // Left by versions that locked with a pid file.
    fs.rmSync(path.join(dataDir, "gridgov.pid"), { force: true });
    return async () => {
      if (inodeOf(lockPath) === own) fs.rmSync(lockPath, { force: true });
      await release();
    };
  } catch (error) {
    await release();
    throw error;
  }
}

async function takeName(dataDir: string, privatePath: string, lockPath: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      fs.linkSync(privatePath, lockPath);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const found = inodeOf(lockPath);
    if (found === undefined) continue; // removed meanwhile: try again
    const holder = await probe(lockPath);
    if (holder.alive) throw new DataDirInUseError(dataDir, holder.pid);
    // Stale: move it aside, then make sure it was the dead socket and not one put there since.
    const aside = `${privatePath}.stale`;
    try {
      fs.renameSync(lockPath, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    if (inodeOf(aside) !== found) {
      // Another process took the name since the probe: give its socket its name back.
      try {
        fs.linkSync(aside, lockPath);
      } catch {
        // a third process took the name meanwhile; the next probe finds one of them alive
      }
    }
    fs.rmSync(aside, { force: true });
  }
  throw new Error(`Could not lock the data directory ${dataDir}: its lock socket keeps changing`);
}

function inodeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).ino;
  } catch {
    return undefined;
  }
}

/** Connects to a lock socket: a live holder accepts and names its pid; a dead one's file refuses. */
function probe(lockPath: string): Promise<{ alive: boolean; pid?: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(lockPath);
    let received = "";
    let connected = false;
    const answer = () => {
      const pid = Number.parseInt(/"pid":(\d+)/.exec(received)?.[1] ?? "", 10);
      resolve({ alive: true, pid: Number.isInteger(pid) ? pid : undefined });
    };
    socket.setEncoding("utf8");
    // A holder that is stopped (SIGSTOP) accepts but never answers: still alive.
    socket.setTimeout(PROBE_TIMEOUT_MS, () => {
      socket.destroy();
      answer();
    });
    socket.on("connect", () => (connected = true));
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("end", answer);
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (connected) answer();
      else if (error.code === "ECONNREFUSED" || error.code === "ENOENT") resolve({ alive: false });
      else reject(error);
    });
  });
}

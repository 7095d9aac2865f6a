import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { AppError } from "../errors.ts";
import type { SeedCasesSummary } from "../modules/demo/case-seed.ts";
import { backupDatabase, type BackupSummary } from "./backup.ts";
import type { Database } from "./database.ts";

/**
 * While `gridgov serve` holds a PGlite data directory no other process can open it, so the server
 * takes requests from the `gridgov` command on DATA_DIR/control.sock (mode 0600: its own user
 * only). One JSON line per connection each way:
 *
 *   → {"command":"backup","file":"/abs/path.gz"}
 *   → {"command":"seed-cases","cases":100000,"seed":42,"years":1}
 *   ← {"progress":{"done":2000,"total":100000}}   (seed-cases: a line per chunk loaded, then)
 *   ← {"ok":true,"result":{…summary}}  or  {"ok":false,"error":{"code","message","statusCode"}}
 */
export type ControlRequest = { command: "backup"; file: string } | { command: "seed-cases"; cases: number; seed?: number; years?: number };
type ControlResult = BackupSummary | SeedCasesSummary;
type ControlAnswer = { ok: true; result: ControlResult } | { ok: false; error: { code: string; message: string; statusCode: number } };
export type ControlProgress = { done: number; total: number; elapsedMs: number };

/** Cases per transaction when seeding inside a running server: short turns on its one connection. */
const SERVER_SEED_CHUNK = 2_000;

type Log = {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
};

const MAX_REQUEST_BYTES = 64 * 1024;
const REQUEST_TIMEOUT_MS = 10_000;

export const controlSocketPath = (dataDir: string) => path.join(dataDir, "control.sock");

/** Serves control requests for the data directory; resolves to a stop that waits for work in progress. */
export async function listenControlSocket(dataDir: string, database: Database, log: Log): Promise<() => Promise<void>> {
  const socketPath = controlSocketPath(dataDir);
  // This process holds the data directory lock, so a socket file left there is a dead server's.
  fs.rmSync(socketPath, { force: true });
  const working = new Set<Promise<void>>();
  const server = net.createServer((socket) => {
    let received = "";
    socket.setEncoding("utf8");
    socket.on("error", () => {}); // a client that goes away does not stop the backup it asked for
    // A connection that never sends its request would hold up the shutdown.
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
    const onData = (chunk: string) => {
      received += chunk;
      const newline = received.indexOf("\n");
      if (newline === -1) {
        if (received.length > MAX_REQUEST_BYTES) socket.destroy();
        return;
      }
      socket.off("data", onData);
      socket.setTimeout(0);
      const progress = (line: ControlProgress) => {
        if (!socket.destroyed) socket.write(`${JSON.stringify({ progress: line })}\n`);
      };
      const job = answer(received.slice(0, newline), database, log, progress).then((reply) => {
        if (!socket.destroyed) socket.end(`${JSON.stringify(reply)}\n`);
      });
      working.add(job);
      void job.finally(() => working.delete(job));
    };
    socket.on("data", onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });
  fs.chmodSync(socketPath, 0o600);
  return async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all(working);
    fs.rmSync(socketPath, { force: true });
  };
}

async function answer(text: string, database: Database, log: Log, progress: (line: ControlProgress) => void): Promise<ControlAnswer> {
  let command = "request";
  try {
    let request: Record<string, unknown>;
    try {
      request = JSON.parse(text);
    } catch {
      throw new AppError(400, "bad_request", "A control request is one line of JSON");
    }
    if (request?.command === "backup" && typeof request.file === "string" && path.isAbsolute(request.file)) {
      command = "backup";
      const result = await backupDatabase(database, request.file);
      log.info({ file: result.file, bytes: result.bytes, durationMs: result.durationMs }, "backup written");
      return { ok: true, result };
    }
    if (
      request?.command === "seed-cases" &&
      Number.isSafeInteger(request.cases) &&
      (request.seed === undefined || (Number.isSafeInteger(request.seed) && (request.seed as number) >= 0 && (request.seed as number) < 2 ** 32)) &&
      (request.years === undefined || Number.isSafeInteger(request.years))
    ) {
      command = "seed";
      // Loaded on the first request: a server that is never asked does not carry the generator.
      const { generateCases } = await import("../modules/demo/case-seed.ts");
      const result = await generateCases(database, {
        cases: request.cases as number,
        seed: request.seed as number | undefined,
        years: request.years as number | undefined,
        chunkSize: SERVER_SEED_CHUNK,
        shared: true,
        onProgress: progress,
      });
      log.info({ cases: result.cases, seed: result.seed, durationMs: result.durationMs }, "cases generated");
      return { ok: true, result };
    }
    throw new AppError(400, "bad_request", 'Expected {"command":"backup","file":"<absolute path>"} or {"command":"seed-cases","cases":<n>,"seed":<n>,"years":<n>}');
  } catch (error) {
    if (error instanceof AppError) return { ok: false, error: { code: error.code, message: error.message, statusCode: error.statusCode } };
    log.error({ err: error }, `${command} failed`);
    return { ok: false, error: { code: `${command}_failed`, message: (error as Error).message, statusCode: 500 } };
  }
}

/**
 * Sends one request to the server holding the data directory; refusals come back as AppErrors.
 * Progress lines before the answer go to `onProgress`.
 */
export function sendControlRequest(dataDir: string, request: { command: "backup"; file: string }): Promise<BackupSummary>;
export function sendControlRequest(
  dataDir: string,
  request: { command: "seed-cases"; cases: number; seed?: number; years?: number },
  onProgress?: (progress: ControlProgress) => void,
): Promise<SeedCasesSummary>;
export function sendControlRequest(dataDir: string, request: ControlRequest, onProgress?: (progress: ControlProgress) => void): Promise<ControlResult> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(controlSocketPath(dataDir));
    let received = "";
    let reply: ControlAnswer | undefined;
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on("data", (chunk: string) => {
      received += chunk;
      for (let newline = received.indexOf("\n"); newline !== -1; newline = received.indexOf("\n")) {
        const line = received.slice(0, newline);
        received = received.slice(newline + 1);
        try {
          const message = JSON.parse(line) as ControlAnswer | { progress: ControlProgress };
          if ("progress" in message) onProgress?.(message.progress);
          else reply = message;
        } catch {
          // Not JSON: answered below as no answer.
        }
      }
    });
    socket.on("error", reject);
    socket.on("end", () => {
      if (!reply) reject(new Error("The server closed the control socket without an answer"));
      else if (reply.ok) resolve(reply.result);
      else reject(new AppError(reply.error.statusCode, reply.error.code, reply.error.message));
    });
  });
}

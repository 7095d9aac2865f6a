import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { lockDataDir } from "./data-dir-lock.ts";
import { preparingPool } from "./prepared.ts";
import type { DB } from "./schema.ts";

export type DatabaseTarget =
  | { kind: "postgres"; url: string }
  | { kind: "pglite"; dataDir: string }
  | { kind: "pglite-memory" };

export type Database = {
  db: Kysely<DB>;
  kind: "postgres" | "pglite";
  /** The connections its pool holds at most: PGlite serves one session. */
  connections: number;
  /**
   * Runs `work` on one connection of the pool, with a Kysely bound to it: for what Kysely cannot
   * say (COPY FROM STDIN) beside what it can, in one transaction. On PGlite it waits its turn for
   * the one connection.
   */
  withClient<T>(work: (client: pg.PoolClient, db: Kysely<DB>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

// Dates stay strings where PostgreSQL has no time zone, and int8 counts become numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number.parseFloat(value));
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

/** Opens the database named by the target: a PostgreSQL server, or PGlite in a worker thread. */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === "postgres") {
    const pool = new pg.Pool({ connectionString: target.url, max: 10 });
    // An idle connection the server ends (a restart, an administrator, a dropped database) leaves
    // the pool, which opens another at the next query; unheard, its error would end the process.
    pool.on("error", () => {});
    return wrap(pool, "postgres", async () => {});
  }
  const dataDir = target.kind === "pglite" ? path.resolve(target.dataDir) : undefined;
  const pgdata = dataDir && path.join(dataDir, "pgdata");
  const unlock = dataDir && pgdata ? await lockDataDir(dataDir, pgdata) : async () => {};
  const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-pg-"));
  const socketPath = path.join(socketDir, ".s.PGSQL.5432");
  const worker = new Worker(new URL("./pglite-worker.js", import.meta.url), {
    workerData: { dataDir: pgdata, socketPath },
  });
  try {
    await waitFor(worker, "ready");
  } catch (error) {
    await unlock();
    fs.rmSync(socketDir, { recursive: true, force: true });
    throw error;
  }
  // A single connection: PGlite serves one session, and a pool of one serialises transactions.
  const pool = new pg.Pool({ host: socketDir, port: 5432, user: "postgres", database: "postgres", max: 1 });
  return wrap(pool, "pglite", async () => {
    worker.postMessage({ type: "stop" });
    await waitFor(worker, "stopped").catch(() => {});
    await worker.terminate();
    fs.rmSync(socketDir, { recursive: true, force: true });
    await unlock();
  });
}

function wrap(pool: pg.Pool, kind: Database["kind"], stop: () => Promise<void>): Database {
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
  return {
    db,
    kind,
    // Both pools name their size; 10 is pg's own default.
    connections: pool.options.max ?? 10,
    async withClient(work) {
      const client = await pool.connect();
      // A pool of this one client: Kysely's queries and the caller's run on the same session.
      const shared = { query: client.query.bind(client), release: () => {} };
      const bound = new Kysely<DB>({
        dialect: new PostgresDialect({ pool: { connect: async () => shared as unknown as pg.PoolClient, end: async () => {} } }),
      });
      try {
        return await work(client, bound);
      } finally {
        client.release();
      }
    },
    async close() {
      await db.destroy();
      await stop();
    },
  };
}

function waitFor(worker: Worker, type: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string }) => {
      if (message?.type !== type) return;
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`The embedded database stopped with code ${code}`));
    };
    const cleanup = () => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
  });
}

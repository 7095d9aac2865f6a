// Runs the embedded PostgreSQL (PGlite) in a worker thread behind its wire-protocol socket, so that
// a long query never blocks the HTTP server's event loop and the app speaks to PGlite exactly as it
// speaks to PostgreSQL. Plain JavaScript so that it loads in a worker under every loader.
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/** @type {{ dataDir: string | undefined, socketPath: string }} */
const { dataDir, socketPath } = workerData;

const db = await PGlite.create(dataDir);
// One connection: PGlite is a single backend, so interleaved sessions would share one transaction.
const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 1 });
await server.start();
parentPort?.postMessage({ type: "ready" });

parentPort?.on("message", async (message) => {
  if (message?.type !== "stop") return;
  await server.stop();
  await db.close();
  parentPort?.postMessage({ type: "stopped" });
});

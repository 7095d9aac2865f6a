import fs from "node:fs";
import path from "node:path";
import type { Config } from "../config.ts";
import { backupDatabase, checkBackup, restoreDatabase, type BackupSummary, type RestoreSummary } from "../db/backup.ts";
import { sendControlRequest } from "../db/control-socket.ts";
import { DataDirInUseError } from "../db/data-dir-lock.ts";
import { openDatabase, type Database } from "../db/database.ts";
import { AppError } from "../errors.ts";

/**
 * `gridgov backup <file>`: PostgreSQL is read directly. A PGlite data directory is opened here
 * unless a server holds it; then that server writes the snapshot through its control socket.
 * Nothing is migrated or seeded: a backup never writes to the database.
 */
export async function backupCommand(config: Config, file: string): Promise<BackupSummary & { via: "direct" | "server" }> {
  const target = path.resolve(file);
  if (config.database.kind === "pglite") {
    const { dataDir } = config.database;
    // database.ts keeps PGlite's files in DATA_DIR/pgdata.
    if (!fs.existsSync(path.join(dataDir, "pgdata"))) throw new AppError(404, "no_database", `${dataDir} holds no database to back up`);
    let database: Database;
    try {
      database = await openDatabase(config.database);
    } catch (error) {
      if (!(error instanceof DataDirInUseError)) throw error;
      return { ...(await backupThroughServer(dataDir, target, error.pid)), via: "server" };
    }
    try {
      return { ...(await backupDatabase(database, target)), via: "direct" };
    } finally {
      await database.close();
    }
  }
  const database = await openDatabase(config.database);
  try {
    return { ...(await backupDatabase(database, target)), via: "direct" };
  } finally {
    await database.close();
  }
}

async function backupThroughServer(dataDir: string, file: string, pid: number | undefined): Promise<BackupSummary> {
  try {
    return await sendControlRequest(dataDir, { command: "backup", file });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ECONNREFUSED") throw error;
    // Another command (migrate, import …) holds the directory: only `gridgov serve` takes requests.
    throw new AppError(
      409,
      "data_dir_in_use",
      `The data directory ${dataDir} is in use by gridgov process ${pid ?? "(pid unknown)"}, which takes no backup requests; wait for it to finish or stop it`,
    );
  }
}

/**
 * `gridgov restore <file>`: checks the whole file first, so that a damaged one is refused before the
 * target is opened (or a new data directory created), then restores into the empty target.
 */
export async function restoreCommand(config: Config, file: string): Promise<RestoreSummary> {
  const target = path.resolve(file);
  await checkBackup(target);
  let database: Database;
  try {
    database = await openDatabase(config.database);
  } catch (error) {
    if (!(error instanceof DataDirInUseError)) throw error;
    throw new AppError(409, "data_dir_in_use", `${error.message} A restore needs the server stopped.`);
  }
  try {
    return await restoreDatabase(database, target);
  } finally {
    await database.close();
  }
}

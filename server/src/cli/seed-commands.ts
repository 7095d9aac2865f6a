import type { Config } from "../config.ts";
import { createContext } from "../create-context.ts";
import { sendControlRequest, type ControlProgress } from "../db/control-socket.ts";
import { DataDirInUseError } from "../db/data-dir-lock.ts";
import { openDatabase, type Database } from "../db/database.ts";
import { migrate } from "../db/migrate.ts";
import { AppError } from "../errors.ts";
import { ensureCategories } from "../modules/cases/categories.service.ts";
import { generateCases, type SeedCasesSummary } from "../modules/demo/case-seed.ts";
import { holdsNoDivisions, seedDemoDistrict } from "../modules/demo/demo.seed.ts";

export type SeedCasesRun = Omit<SeedCasesSummary, "samples"> & { via: "direct" | "server"; demoSeeded: boolean };

/**
 * `gridgov seed --cases N [--years Y] [--seed S]`: generated cases on the demo district. Into an empty database
 * the demo district is seeded first. While `gridgov serve` holds the PGlite data directory, that
 * server generates them through its control socket; otherwise the database is opened here.
 */
export async function seedCasesCommand(
  config: Config,
  options: { cases: number; seed?: number; years?: number },
  onProgress: (progress: ControlProgress) => void,
): Promise<SeedCasesRun> {
  let database: Database;
  try {
    database = await openDatabase(config.database);
  } catch (error) {
    if (!(error instanceof DataDirInUseError) || config.database.kind !== "pglite") throw error;
    const { dataDir } = config.database;
    try {
      const { samples: _samples, ...summary } = await sendControlRequest(dataDir, { command: "seed-cases", ...options }, onProgress);
      return { ...summary, via: "server", demoSeeded: false };
    } catch (failure) {
      const code = (failure as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ECONNREFUSED") throw failure;
      throw new AppError(
        409,
        "data_dir_in_use",
        `The data directory ${dataDir} is in use by gridgov process ${error.pid}, which takes no requests; wait for it to finish or stop it`,
      );
    }
  }
  try {
    await migrate(database.db);
    await ensureCategories(database.db);
    const ctx = createContext(database.db, config);
    const demoSeeded = await holdsNoDivisions(ctx);
    if (demoSeeded) await seedDemoDistrict(ctx, config.demoPassword);
    const { samples: _samples, ...summary } = await generateCases(database, { ...options, onProgress });
    return { ...summary, via: "direct", demoSeeded };
  } finally {
    await database.close();
  }
}

/**
 * Progress on stderr: one updating line on a terminal (done/total, rate, ETA), otherwise a plain
 * line at most every few seconds and at the end.
 */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): { update(progress: ControlProgress): void; done(summary: SeedCasesRun): void } {
  const tty = stream.isTTY === true;
  let lastLine = 0;
  const describe = ({ done, total, elapsedMs }: ControlProgress) => {
    const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
    const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
    return `${done.toLocaleString("en")}/${total.toLocaleString("en")} cases, ${Math.round(rate).toLocaleString("en")} cases/s, ETA ${eta} s`;
  };
  return {
    update(progress) {
      if (tty) {
        const width = 30;
        const filled = Math.round((progress.done / Math.max(1, progress.total)) * width);
        stream.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${describe(progress)}\x1b[K`);
      } else if (progress.done === progress.total || progress.elapsedMs - lastLine >= 2000) {
        lastLine = progress.elapsedMs;
        stream.write(`seed: ${describe(progress)}\n`);
      }
    },
    done(summary) {
      if (tty) stream.write("\n");
      const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      stream.write(`seed: ${summary.cases.toLocaleString("en")} cases in ${seconds(summary.durationMs)}: ${summary.casesPerSecond.toLocaleString("en")} cases/s\n`);
      const { generating, cases, events, indexes, rest } = summary.timeMs;
      const built = summary.bulk ? `, building the indexes and compacting the rollups ${seconds(indexes)}` : "";
      stream.write(`seed: loading cases ${seconds(cases)}, their events ${seconds(events)}${built}, the rest ${seconds(rest)}; generating ${seconds(generating)}, beside loading\n`);
    },
  };
}

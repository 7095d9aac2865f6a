import type { FastifyInstance } from "fastify";
import { buildApp } from "./app.ts";
import { createContext } from "./create-context.ts";
import type { Config } from "./config.ts";
import type { AppContext } from "./context.ts";
import { openDatabase, type Database } from "./db/database.ts";
import { listenControlSocket } from "./db/control-socket.ts";
import { migrate } from "./db/migrate.ts";
import { analyseGrownTables } from "./db/statistics.ts";
import { holdsNoDivisions, seedDemoDistrict } from "./modules/demo/demo.seed.ts";
import { sweepDeadlines } from "./modules/cases/deadline-sweep.ts";
import { purgeExpired } from "./modules/system/housekeeping.ts";
import { generateDueBulletins } from "./modules/evaluation/bulletins.service.ts";
import { startLeasedJob } from "./modules/system/scheduler.ts";
import { ensureCategories } from "./modules/cases/categories.service.ts";
import { sendDueMessages } from "./modules/notifications/outbound-messages.ts";
import { httpSmsChannel, logChannel } from "./modules/notifications/sms-channel.ts";

/** A demo start's cases: the last quarter, the same histories for the same day. */
const DEMO_CASE_DAYS = 90;
const DEMO_CASE_SEED = 530103;

export type Running = { app: FastifyInstance; database: Database; ctx: AppContext; stop(): Promise<void> };

/**
 * Opens the database (or takes the one being opened, `opening`), migrates it, loads the grid
 * index and assembles the app (not listening yet).
 */
export async function prepare(config: Config, options: { demo: boolean; logger?: boolean; opening?: Promise<Database> }): Promise<Running> {
  const database = await (options.opening ?? openDatabase(config.database));
  try {
    await migrate(database.db);
    await ensureCategories(database.db);
    const ctx = createContext(database.db, config);
    if (options.demo && (await holdsNoDivisions(ctx))) {
      await seedDemoDistrict(ctx, config.demoPassword);
      if (config.demoCases > 0) {
        // Loaded only here: the generator is not part of an ordinary start.
        const { bringSomeNearDue, generateCases } = await import("./modules/demo/case-seed.ts");
        await generateCases(database, { cases: config.demoCases, days: DEMO_CASE_DAYS, seed: DEMO_CASE_SEED });
        await bringSomeNearDue(database.db, Math.min(8, Math.ceil(config.demoCases / 300)));
      }
    }
    await ctx.grids.load(ctx.db);
    const app = await buildApp(ctx, { logger: options.logger ? { level: config.logLevel } : false });
    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= app.close().then(() => database.close());
      return stopping;
    };
    return { app, database, ctx, stop };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** Serves until SIGTERM or SIGINT, then finishes in-flight requests and closes the database. */
export async function serve(config: Config, options: { demo: boolean; opening?: Promise<Database> }): Promise<Running> {
  const running = await prepare(config, { ...options, logger: true });
  const { app } = running;
  if (options.demo) {
    app.log.warn("gridgov runs in DEMO mode: demo accounts exist with the password from GRIDGOV_DEMO_PASSWORD");
  }
  let stopSweeps = async () => {};
  let stopControl = async () => {};
  const shutdown = (signal: string) => {
    app.log.info({ signal }, "shutting down");
    // Runs in progress (a sweep, a notification pass, a delivery) and a backup finish before the database closes.
    Promise.all([stopSweeps(), stopControl()])
      .then(() => running.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          app.log.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await running.stop();
    throw error;
  }
  const { ctx } = running;
  const stopDeadlines = startLeasedJob(ctx.db, app.log, { name: "deadline-sweep", intervalMs: 60_000, run: async () => {
      const counts = await sweepDeadlines(ctx);
      ctx.caseEvents.wakeAfterWrite();
      ctx.notifications.wake();
      return counts;
    },
  });
  const stopHousekeeping = startLeasedJob(ctx.db, app.log, { name: "housekeeping", intervalMs: 15 * 60_000, run: () => purgeExpired(ctx) });
  // The embedded database has no autovacuum: its planner statistics are kept here.
  const stopStatistics =
    config.database.kind === "pglite"
      ? startLeasedJob(ctx.db, app.log, { name: "statistics", intervalMs: 10 * 60_000, run: async () => ({ tablesAnalysed: await analyseGrownTables(ctx.db) }) })
      : async () => {};
  const stopNotifications = startLeasedJob(ctx.db, app.log, { name: "notifications", intervalMs: 5_000, run: () => ctx.notifications.followAll() });
  const channel = config.smsGateway ? httpSmsChannel(config.smsGateway) : logChannel(app.log);
  const stopMessages = startLeasedJob(ctx.db, app.log, { name: "outbound-messages", intervalMs: 15_000, run: () => sendDueMessages(ctx.db, channel) });
  // Bulletins are published once per period; an hourly look is soon enough after midnight.
  const { bulletinPeriod } = config;
  const stopBulletins =
    bulletinPeriod === "off" ? async () => {} : startLeasedJob(ctx.db, app.log, { name: "bulletins", intervalMs: 3_600_000, run: () => generateDueBulletins(ctx, bulletinPeriod) });
  // Every process delivers webhooks; claims keep two processes off the same delivery.
  await ctx.webhooks.start();
  stopSweeps = async () => {
    await Promise.all([ctx.webhooks.stop(), stopBulletins(), stopDeadlines(), stopHousekeeping(), stopStatistics(), stopNotifications(), stopMessages()]);
    await ctx.notifications.stop();
  };
  // The server holds a PGlite data directory; `gridgov backup` asks it for a snapshot here.
  if (config.database.kind === "pglite") {
    stopControl = await listenControlSocket(config.database.dataDir, running.database, app.log).catch((error: unknown) => {
      app.log.warn({ err: error }, "no control socket: gridgov backup will need the server stopped");
      return async () => {};
    });
  }
  return running;
}

import crypto from "node:crypto";
import os from "node:os";
import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

/** This process's name in leases: several servers may share one PostgreSQL. */
export const PROCESS_ID = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString("hex")}`;

/**
 * Takes the named lease for `ttlMs` if it is free, expired, or already ours. The lease is left to
 * expire rather than released, so that the job runs once per period however many servers try.
 */
export async function takeLease(db: Kysely<DB>, name: string, holder: string, ttlMs: number): Promise<boolean> {
  const row = await db
    .insertInto("scheduler_leases")
    .values({ name, holder, expires_at: sql<Date>`now() + make_interval(secs => ${ttlMs / 1000})` })
    .onConflict((conflict) =>
      conflict
        .column("name")
        .doUpdateSet({ holder: (eb) => eb.ref("excluded.holder"), expires_at: (eb) => eb.ref("excluded.expires_at") })
        .where((eb) => eb.or([eb("scheduler_leases.expires_at", "<", sql<Date>`now()`), eb("scheduler_leases.holder", "=", holder)])),
    )
    .returning("holder")
    .executeTakeFirst();
  return row?.holder === holder;
}

type Log = { info(o: object, m: string): void; error(o: object, m: string): void };

/**
 * Runs `job` now and every `intervalMs` in whichever server holds the lease `name`; what it
 * returns is logged when any count in it is not zero. Returns a stop function, whose promise
 * settles once a run in progress has finished: the database may then be closed under it.
 */
export function startLeasedJob(
  db: Kysely<DB>,
  log: Log,
  job: { name: string; intervalMs: number; run(): Promise<Record<string, number>> },
): () => Promise<void> {
  let running: Promise<void> | null = null;
  const tick = async () => {
    try {
      if (!(await takeLease(db, job.name, PROCESS_ID, job.intervalMs - 1_000))) return;
      const counts = await job.run();
      if (Object.values(counts).some(Boolean)) log.info(counts, job.name);
    } catch (error) {
      log.error({ err: error }, `${job.name} failed`);
    }
  };
  // One run at a time: a period that comes while a run goes on is skipped.
  const next = () => {
    running ??= tick().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(next, job.intervalMs);
  timer.unref();
  next();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

import type { Kysely } from "kysely";
import type { DB } from "./schema.ts";

type Waiting<I, O> = { item: I; resolve: (result: O) => void; reject: (error: unknown) => void };

export type BatcherOptions<I, O> = {
  /** Runs one batch on one connection and answers each item's result, in the items' order. */
  run(db: Kysely<DB>, items: I[]): Promise<O[]>;
  /** A failed batch runs again item by item, so that one bad item fails alone; else all fail with it. */
  retryAlone: boolean;
};

/** Enough to amortise a round trip and a commit, small enough to keep one statement short. */
const MAX_BATCH = 64;
/**
 * Batches on their way at once: while the database runs one, the next is already waiting for a
 * connection (PGlite has one) or runs beside it (PostgreSQL), so neither side waits for the other.
 */
const IN_FLIGHT = 2;

/**
 * Runs items in batches (group commit): while batches are on their way, the items that arrive wait
 * and go together in the next statement. An idle batcher runs an item at once, so a quiet server
 * adds no delay; a busy one turns many round trips and commits into one. A batch is taken once its
 * connection is free, not before: taken while it waited for one, it would hold only the items that
 * came first, and those after would wait for a batch after it.
 */
export class Batcher<I, O> {
  private readonly waiting: Waiting<I, O>[] = [];
  private running = 0;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly options: BatcherOptions<I, O>,
  ) {}

  add(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.running < IN_FLIGHT) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running++;
    try {
      while (this.waiting.length > 0) {
        let batch: Waiting<I, O>[] = [];
        try {
          await this.db.connection().execute(async (connection) => {
            batch = this.waiting.splice(0, MAX_BATCH);
            // Another batch's connection came first and took them all.
            if (batch.length === 0) return;
            const results = await this.options.run(connection, batch.map((entry) => entry.item));
            batch.forEach((entry, index) => entry.resolve(results[index]));
          });
        } catch (error) {
          // No connection to be had: the items waiting fail as each would alone.
          if (batch.length === 0) batch = this.waiting.splice(0, MAX_BATCH);
          if (batch.length === 1 || !this.options.retryAlone) for (const entry of batch) entry.reject(error);
          else await Promise.all(batch.map((entry) => this.runAlone(entry)));
        }
      }
    } finally {
      this.running--;
    }
  }

  private async runAlone(entry: Waiting<I, O>): Promise<void> {
    try {
      const [result] = await this.options.run(this.db, [entry.item]);
      entry.resolve(result);
    } catch (error) {
      entry.reject(error);
    }
  }
}

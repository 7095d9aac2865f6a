import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { insertReportedCases, type NearbyWindow, type NewReport } from "./cases.repository.ts";

type Written = Awaited<ReturnType<typeof insertReportedCases>>[number];
type Waiting = { report: NewReport; resolve: (written: Written) => void; reject: (error: unknown) => void };

/** Enough to amortise a round trip and a commit, small enough to keep one statement short. */
const MAX_BATCH = 64;
/**
 * Batches on their way at once: while the database runs one, the next is already queued behind
 * it (one connection on PGlite) or runs beside it (PostgreSQL), so neither side waits for the other.
 */
const IN_FLIGHT = 2;

declare module "../../context.ts" {
  interface AppParts {
    reports: ReportWriter;
  }
}

/**
 * Writes reports in batches (group commit): while batches are being written, the reports that
 * arrive wait and go together in the next statement. An idle writer writes a report at once, so a
 * quiet server adds no delay; a busy one turns many round trips, counter updates and commits into
 * one. A failed batch is retried report by report, so that one bad report fails alone.
 */
export class ReportWriter {
  private readonly waiting: Waiting[] = [];
  private writers = 0;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly window: NearbyWindow,
  ) {}

  write(report: NewReport): Promise<Written> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ report, resolve, reject });
      if (this.writers < IN_FLIGHT) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writers++;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, MAX_BATCH);
        try {
          const written = await insertReportedCases(this.db, batch.map((entry) => entry.report), this.window);
          batch.forEach((entry, index) => entry.resolve(written[index]));
        } catch (error) {
          if (batch.length === 1) batch[0].reject(error);
          else await Promise.all(batch.map((entry) => this.writeAlone(entry)));
        }
      }
    } finally {
      this.writers--;
    }
  }

  private async writeAlone(entry: Waiting): Promise<void> {
    try {
      const [written] = await insertReportedCases(this.db, [entry.report], this.window);
      entry.resolve(written);
    } catch (error) {
      entry.reject(error);
    }
  }
}

import type { Insertable, Kysely } from "kysely";
import type { DB, Open311RequestTable } from "../../db/schema.ts";

type Row = Insertable<Open311RequestTable>;
type Waiting = { row: Row; resolve: () => void; reject: (error: unknown) => void };

const MAX_BATCH = 64;

/**
 * Writes the token rows of posts whose case was not written with them (a new case's row goes in
 * the intake's statement): a retry's, or one the intake answered with an earlier case by its
 * Idempotency-Key. In batches, as the report writer writes cases: the rows that arrive while a
 * batch is written go together in the next statement. A failed batch is written row by row, so
 * one bad row fails alone. Two batches are written at once on PostgreSQL; one on the embedded
 * database, whose one connection would only take them in turn, in halves.
 */
export class TokenWriter {
  private readonly waiting: Waiting[] = [];
  private writers = 0;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly inFlight: number,
  ) {}

  write(row: Row): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ row, resolve, reject });
      if (this.writers < this.inFlight) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writers++;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, MAX_BATCH);
        try {
          await this.db.insertInto("open311_requests").values(batch.map((entry) => entry.row)).execute();
          for (const entry of batch) entry.resolve();
        } catch (error) {
          if (batch.length === 1) batch[0].reject(error);
          else
            await Promise.all(
              batch.map((entry) =>
                this.db
                  .insertInto("open311_requests")
                  .values(entry.row)
                  .execute()
                  .then(() => entry.resolve(), entry.reject),
              ),
            );
        }
      }
    } finally {
      this.writers--;
    }
  }
}

const writers = new WeakMap<Kysely<DB>, TokenWriter>();

/** The token writer of a database, one per database in a process. */
export function tokenWriterFor(db: Kysely<DB>, embedded: boolean): TokenWriter {
  let writer = writers.get(db);
  if (!writer) writers.set(db, (writer = new TokenWriter(db, embedded ? 1 : 2)));
  return writer;
}

import type { Insertable, Kysely } from "kysely";
import { Batcher } from "../../db/batcher.ts";
import type { DB, Open311RequestTable } from "../../db/schema.ts";

type Row = Insertable<Open311RequestTable>;

/**
 * Writes the token rows of posts whose case was not written with them (a new case's row goes in
 * the intake's statement): a retry's, or one the intake answered with an earlier case by its
 * Idempotency-Key. In batches (`Batcher`), as the report writer writes cases; a failed batch is
 * written row by row, so one bad row fails alone.
 */
export class TokenWriter {
  private readonly batcher: Batcher<Row, undefined>;

  constructor(db: Kysely<DB>) {
    this.batcher = new Batcher(db, {
      run: async (connection, rows) => {
        await connection.insertInto("open311_requests").values(rows).execute();
        return rows.map(() => undefined);
      },
      retryAlone: true,
    });
  }

  async write(row: Row): Promise<void> {
    await this.batcher.add(row);
  }
}

const writers = new WeakMap<Kysely<DB>, TokenWriter>();

/** The token writer of a database, one per database in a process. */
export function tokenWriterFor(db: Kysely<DB>): TokenWriter {
  let writer = writers.get(db);
  if (!writer) writers.set(db, (writer = new TokenWriter(db)));
  return writer;
}

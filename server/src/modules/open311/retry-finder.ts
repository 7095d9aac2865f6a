import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

/** The case a key's earlier post of the same request made. */
export type RetriedRequest = { case_number: string; region_code: string; case_id: string };
type Lookup = { userId: string; requestHash: string; since: Date };
type Waiting = { lookup: Lookup; resolve: (found: RetriedRequest | undefined) => void; reject: (error: unknown) => void };

const MAX_BATCH = 64;
const IN_FLIGHT = 2;

/**
 * Looks up whether posted requests repeat an earlier post, in batches, as the token writer writes
 * their tokens: the lookups that arrive while a query runs go together in the next one, so a client
 * posting many reports costs one query per batch instead of one per report.
 */
export class RetryFinder {
  private readonly waiting: Waiting[] = [];
  private readers = 0;

  constructor(private readonly db: Kysely<DB>) {}

  /** The latest post by the user of the same request since `since`, if any. */
  find(userId: string, requestHash: string, since: Date): Promise<RetriedRequest | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ lookup: { userId, requestHash, since }, resolve, reject });
      if (this.readers < IN_FLIGHT) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.readers++;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, MAX_BATCH);
        try {
          const found = await findRetried(this.db, batch.map((entry) => entry.lookup));
          batch.forEach((entry, index) => entry.resolve(found.get(index)));
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.readers--;
    }
  }
}

/** For each lookup (by its index), the latest matching post: one statement on the retry index. */
async function findRetried(db: Kysely<DB>, lookups: readonly Lookup[]): Promise<Map<number, RetriedRequest>> {
  const values = sql.join(lookups.map((lookup, index) => sql`(${index}::int, ${lookup.userId}::uuid, ${lookup.requestHash}::text, ${lookup.since}::timestamptz)`));
  const { rows } = await sql<RetriedRequest & { k: number }>`
    select distinct on (v.k) v.k, r.case_number, r.region_code, r.case_id
    from (values ${values}) as v (k, user_id, request_hash, since)
    join open311_requests as r on r.user_id = v.user_id and r.request_hash = v.request_hash and r.created_at >= v.since
    order by v.k, r.created_at desc`.execute(db);
  return new Map(rows.map(({ k, ...found }) => [Number(k), found]));
}

const finders = new WeakMap<Kysely<DB>, RetryFinder>();

/** The retry finder of a database, one per database in a process. */
export function retryFinderFor(db: Kysely<DB>): RetryFinder {
  let finder = finders.get(db);
  if (!finder) finders.set(db, (finder = new RetryFinder(db)));
  return finder;
}

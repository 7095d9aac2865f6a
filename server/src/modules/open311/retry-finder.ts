import { sql, type Kysely } from "kysely";
import { Batcher } from "../../db/batcher.ts";
import type { DB } from "../../db/schema.ts";

/** The case a key's earlier post of the same request made. */
export type RetriedRequest = { case_number: string; region_code: string; case_id: string };

/** How long a repeated post of the same request by the same key answers with the first case. */
export const RETRY_WINDOW_MS = 24 * 3_600_000;

/** Finds whether a post repeats one of the same key's posts within the retry window. */
export interface RetryFinder {
  /** The latest post by the user of the same request within the window, if any. */
  find(userId: string, requestHash: string): Promise<RetriedRequest | undefined>;
  /** A post whose token was written. */
  remember(userId: string, requestHash: string, made: RetriedRequest): void;
}
type Lookup = { userId: string; requestHash: string; since: Date };

/**
 * Looks up whether posted requests repeat an earlier post, in batches (`Batcher`), as the token
 * writer writes their tokens: a client posting many reports costs one query per batch instead of
 * one per report.
 */
export class DatabaseRetryFinder implements RetryFinder {
  private readonly batcher: Batcher<Lookup, RetriedRequest | undefined>;

  constructor(db: Kysely<DB>) {
    this.batcher = new Batcher(db, {
      run: async (connection, lookups) => {
        const found = await findRetried(connection, lookups);
        return lookups.map((_, index) => found.get(index));
      },
      retryAlone: false,
    });
  }

  find(userId: string, requestHash: string): Promise<RetriedRequest | undefined> {
    return this.batcher.add({ userId, requestHash, since: new Date(Date.now() - RETRY_WINDOW_MS) });
  }

  remember(): void {
    // The table answers the next lookup.
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

type Post = RetriedRequest & { at: number };

/**
 * The retry window's posts in memory, for the embedded database, which one process holds: read
 * once from the table, then each post added as its token is written, so a lookup costs no
 * statement. On PGlite's one connection the lookup's statement cost a fifth of a post's database
 * time and split the intake's batches: Open311 posted at about half the native intake's rate.
 */
export class MemoryRetryFinder implements RetryFinder {
  /** By user and request, oldest first (a post moves to the end when posted again). */
  private readonly posts = new Map<string, Post>();
  private loaded: Promise<void> | null = null;

  constructor(private readonly db: Kysely<DB>) {}

  async find(userId: string, requestHash: string): Promise<RetriedRequest | undefined> {
    // A failed read is tried again at the next lookup.
    this.loaded ??= this.load().catch((error: unknown) => {
      this.loaded = null;
      throw error;
    });
    await this.loaded;
    this.forgetBefore(Date.now() - RETRY_WINDOW_MS);
    const post = this.posts.get(postKey(userId, requestHash));
    return post && { case_number: post.case_number, region_code: post.region_code, case_id: post.case_id };
  }

  remember(userId: string, requestHash: string, made: RetriedRequest): void {
    this.keep(postKey(userId, requestHash), { ...made, at: Date.now() });
  }

  /** Read once, at the first lookup: `remember` follows a lookup, so nothing is remembered before. */
  private async load(): Promise<void> {
    const rows = await this.db
      .selectFrom("open311_requests")
      .select(["user_id", "request_hash", "case_number", "region_code", "case_id", "created_at"])
      .where("created_at", ">=", new Date(Date.now() - RETRY_WINDOW_MS))
      .orderBy("created_at")
      .execute();
    for (const row of rows) {
      const { case_number, region_code, case_id } = row;
      this.keep(postKey(row.user_id, row.request_hash), { case_number, region_code, case_id, at: new Date(row.created_at).getTime() });
    }
  }

  /** The post as the newest of its key: the map stays in order of time. */
  private keep(key: string, post: Post): void {
    this.posts.delete(key);
    this.posts.set(key, post);
  }

  private forgetBefore(time: number): void {
    for (const [key, post] of this.posts) {
      if (post.at >= time) break;
      this.posts.delete(key);
    }
  }
}

const postKey = (userId: string, requestHash: string) => `${userId}:${requestHash}`;

const finders = new WeakMap<Kysely<DB>, RetryFinder>();

/** The retry finder of a database, one per database in a process: in memory on the embedded database. */
export function retryFinderFor(db: Kysely<DB>, embedded: boolean): RetryFinder {
  let finder = finders.get(db);
  if (!finder) finders.set(db, (finder = embedded ? new MemoryRetryFinder(db) : new DatabaseRetryFinder(db)));
  return finder;
}

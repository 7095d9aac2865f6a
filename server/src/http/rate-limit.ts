import net from "node:net";
import { sql, type Kysely, type RawBuilder } from "kysely";
import { executePrepared } from "../db/prepared.ts";
import type { DB } from "../db/schema.ts";

// Expired rows are swept by the counting statement itself, at most this often per process and this
// many at a time, so that no request pays a second round trip and none pays for a large backlog.
const SWEEP_EVERY_MS = 10_000;
const SWEEP_BATCH = 5_000;

/**
 * Requests per caller in fixed one-minute windows; the window of a caller starts at its first request.
 */
export type RateLimiter = {
  /** Counts a request of the bucket; answers the seconds to wait when it is over perMinute, else 0. */
  hit(bucket: string, perMinute: number): Promise<number>;
  /** The buckets counted in a window that still runs. */
  buckets(): Promise<string[]>;
};

const WINDOW_MS = 60_000;
const shared = new WeakMap<Kysely<DB>, RateLimiter>();

/**
 * The limiter of a database, one per database for every app on it. PostgreSQL may serve several
 * server processes, which must share one count, so it counts in the database; the embedded database
 * is held by one process only (the data directory lock), whose memory is then that one count and
 * saves every request a statement.
 */
export function rateLimiterFor(db: Kysely<DB>, embedded: boolean): RateLimiter {
  let limiter = shared.get(db);
  if (!limiter) shared.set(db, (limiter = embedded ? new MemoryRateLimiter() : new DatabaseRateLimiter(db)));
  return limiter;
}

const countOnly = (count: RawBuilder<unknown>) => sql<{ hits: number; wait: number; swept: number }>`
  ${count}
  returning r.hits, ceil(extract(epoch from r.window_ends - now()))::int as wait, 0 as swept`;

/** Counts in the unlogged `rate_limits` table: one statement counts and answers how long the window runs. */
export class DatabaseRateLimiter implements RateLimiter {
  private nextSweep = 0;

  constructor(private readonly db: Kysely<DB>) {}

  async buckets(): Promise<string[]> {
    const rows = await this.db.selectFrom("rate_limits").select("bucket").where("window_ends", ">", new Date()).orderBy("bucket").execute();
    return rows.map((row) => row.bucket);
  }

  async hit(bucket: string, perMinute: number, now = Date.now()): Promise<number> {
    const sweep = now >= this.nextSweep;
    if (sweep) this.nextSweep = now + SWEEP_EVERY_MS;
    // Most requests only count; one every SWEEP_EVERY_MS also deletes passed windows in the same
    // statement, which costs more to plan (measured on the embedded database: 0.4 ms against 1.3–2.8 ms).
    // The sweep skips the bucket being counted and rows another statement holds, so the two
    // changes of one statement never meet on a row and concurrent sweeps never wait on each other.
    const count = sql`
      insert into rate_limits as r (bucket, window_ends, hits)
      values (${bucket}, now() + interval '1 minute', 1)
      on conflict (bucket) do update set
        hits = case when r.window_ends <= now() then 1 else r.hits + 1 end,
        window_ends = case when r.window_ends <= now() then excluded.window_ends else r.window_ends end`;
    const { rows } = sweep
      ? await sql<{ hits: number; wait: number; swept: number }>`
          with swept as (
            delete from rate_limits
            where bucket in (
              select bucket from rate_limits
              where window_ends < now() and bucket <> ${bucket}
              limit ${SWEEP_BATCH}
              for update skip locked
            )
            returning 1
          )
          ${count}
          returning r.hits, ceil(extract(epoch from r.window_ends - now()))::int as wait, (select count(*) from swept)::int as swept
        `.execute(this.db)
      : // Every limited request runs this one: named, it is parsed and planned once per connection.
        { rows: await executePrepared(this.db, "rate_limit_hit", { compile: () => countOnly(count).compile(this.db) }) };
    const { hits, wait, swept } = rows[0];
    // A full batch leaves more behind: the next request sweeps again.
    if (swept >= SWEEP_BATCH) this.nextSweep = 0;
    return hits > perMinute ? Math.max(1, wait) : 0;
  }
}

/** Counts in memory, for a database that one process holds. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { ends: number; hits: number }>();
  private sweptAt = -Infinity;

  /** How many windows are held, ended ones not yet swept included. */
  get size(): number {
    return this.windows.size;
  }

  async buckets(now = Date.now()): Promise<string[]> {
    return [...this.windows].filter(([, window]) => window.ends > now).map(([bucket]) => bucket).sort();
  }

  async hit(bucket: string, perMinute: number, now = Date.now()): Promise<number> {
    // Ended windows go every SWEEP_EVERY_MS, and at once when the clock has been set back.
    if (now - this.sweptAt >= SWEEP_EVERY_MS || now < this.sweptAt) {
      for (const [held, window] of this.windows) if (window.ends <= now) this.windows.delete(held);
      this.sweptAt = now;
    }
    let window = this.windows.get(bucket);
    if (!window || window.ends <= now) this.windows.set(bucket, (window = { ends: now + WINDOW_MS, hits: 0 }));
    window.hits += 1;
    return window.hits > perMinute ? Math.max(1, Math.ceil((window.ends - now) / 1000)) : 0;
  }
}

/**
 * The bucket of a client address. An IPv6 client holds a whole /64 (one home, one phone) and could
 * take a fresh address for every request, so IPv6 addresses count per /64; an IPv4-mapped IPv6
 * address counts as the IPv4 address it is.
 */
export function addressBucket(address: string): string {
  const bare = address.replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return mapped[1];
  if (net.isIPv6(bare)) return `${ipv6Groups(bare).slice(0, 4).join(":")}::/64`;
  // IPv4, or whatever a proxy wrote; bounded, as a key.
  return bare.slice(0, 64);
}

/** The eight 16-bit groups of a valid IPv6 address, in lower-case hex without leading zeros. */
function ipv6Groups(address: string): string[] {
  const [head, tail] = address.split("::");
  const split = (part: string | undefined) =>
    part ? part.split(":").flatMap((group) => (group.includes(".") ? ["0", "0"] : [group])) : [];
  const left = split(head);
  const right = split(tail);
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16).toString(16));
}

import type { Kysely } from "kysely";
import pg from "pg";
import type { DB } from "../../db/schema.ts";
import { logBounds, readLog, type LogEntry } from "./event-log.repository.ts";

declare module "../../context.ts" {
  interface AppParts {
    caseEvents: CaseEventHub;
  }
}

/** Receives a region's entries in position order, from the position it was attached at. */
export type LogReader = { deliver(entry: LogEntry): void };

type Feed = {
  /** The last position read and delivered; entries up to it are committed. */
  position: number;
  readers: Set<LogReader>;
  reading: boolean;
  again: boolean;
};

/** Entries read per query; a longer run is read in several. */
const PAGE = 500;
/** The safety net: feeds are read this often even if no wake-up came (a lost notification, a restart). */
const POLL_MS = 5_000;
const RELISTEN_MS = 1_000;
export const CASE_EVENT_CHANNEL = "case_event_log";

type Log = { warn(o: object, m: string): void };

/**
 * The one reader of the case event log in a process: each region that has readers is read once per
 * wake-up, from the last position read, and every entry is handed to every reader of its region in
 * order. It wakes when a transaction commits entries: on PostgreSQL by LISTEN (the trigger's NOTIFY
 * reaches every server at commit), on PGlite, where this process holds the data, by `wake()` after
 * its own writes; and every few seconds regardless.
 */
export class CaseEventHub {
  private readonly feeds = new Map<string, Feed>();
  private readonly starting = new Map<string, Promise<Feed>>();
  private timer: NodeJS.Timeout | undefined;
  private listener: pg.Client | undefined;
  private relisten: NodeJS.Timeout | undefined;
  private closed = false;
  log: Log = { warn: () => {} };

  constructor(
    private readonly db: Kysely<DB>,
    /** PostgreSQL's URL for the LISTEN connection; none on PGlite. */
    private readonly listenUrl: string | null,
  ) {}

  /**
   * Adds a reader to a region's feed and answers the position it starts after: every entry past it
   * reaches the reader, none before it. The feed starts at the region's head when it had no reader.
   */
  async attach(regionCode: string, reader: LogReader): Promise<number> {
    const feed = this.feeds.get(regionCode) ?? (await this.start(regionCode));
    // Between the await and here no entry was delivered on this feed: the reader starts exactly at its position.
    feed.readers.add(reader);
    return feed.position;
  }

  detach(regionCode: string, reader: LogReader): void {
    const feed = this.feeds.get(regionCode);
    if (!feed) return;
    feed.readers.delete(reader);
    if (feed.readers.size === 0 && !feed.reading) this.feeds.delete(regionCode);
    if (this.feeds.size === 0) this.idle();
  }

  /** The last position delivered in a region, or null when nobody reads it here. */
  position(regionCode: string): number | null {
    return this.feeds.get(regionCode)?.position ?? null;
  }

  /** Reads the region's new entries now (all regions read here when none is named). */
  wake(regionCode?: string): void {
    if (regionCode === undefined) {
      for (const [region, feed] of this.feeds) void this.pump(region, feed);
      return;
    }
    const feed = this.feeds.get(regionCode);
    if (feed) void this.pump(regionCode, feed);
  }

  /** After this process has written: on PGlite no NOTIFY wakes the reader, so this does (on PostgreSQL it waits for the NOTIFY). */
  wakeAfterWrite(): void {
    if (this.listenUrl === null) this.wake();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.idle();
    this.feeds.clear();
  }

  private start(regionCode: string): Promise<Feed> {
    let starting = this.starting.get(regionCode);
    if (!starting) {
      starting = (async () => {
        this.run();
        const { head } = await logBounds(this.db, regionCode);
        const feed: Feed = this.feeds.get(regionCode) ?? { position: head, readers: new Set(), reading: false, again: false };
        this.feeds.set(regionCode, feed);
        return feed;
      })().finally(() => this.starting.delete(regionCode));
      this.starting.set(regionCode, starting);
    }
    return starting;
  }

  /** Reads a feed until it is at the head; a wake-up during a read reads again after it. */
  private async pump(regionCode: string, feed: Feed): Promise<void> {
    if (feed.reading) {
      feed.again = true;
      return;
    }
    feed.reading = true;
    try {
      let full = true;
      while (!this.closed && (feed.again || full)) {
        feed.again = false;
        const entries = await readLog(this.db, regionCode, feed.position, Number.MAX_SAFE_INTEGER, PAGE);
        full = entries.length === PAGE;
        for (const entry of entries) {
          feed.position = entry.position;
          for (const reader of feed.readers) reader.deliver(entry);
        }
      }
    } catch (error) {
      // The next wake-up or poll reads from the same position.
      this.log.warn({ err: error, regionCode }, "reading the case event log failed");
    } finally {
      feed.reading = false;
      if (feed.readers.size === 0 && this.feeds.get(regionCode) === feed) this.feeds.delete(regionCode);
    }
  }

  /** Starts the poll and, on PostgreSQL, the LISTEN connection, while some region has readers. */
  private run(): void {
    if (this.closed || this.timer) return;
    this.timer = setInterval(() => this.wake(), POLL_MS);
    this.timer.unref();
    if (this.listenUrl) void this.listen(this.listenUrl);
  }

  private idle(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    clearTimeout(this.relisten);
    this.relisten = undefined;
    const listener = this.listener;
    this.listener = undefined;
    void listener?.end().catch(() => {});
  }

  private async listen(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    this.listener = client;
    const retry = () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      void client.end().catch(() => {});
      if (this.closed || !this.timer) return;
      this.relisten = setTimeout(() => void this.listen(url), RELISTEN_MS);
      this.relisten.unref();
    };
    client.on("notification", (message) => this.wake(message.payload ?? undefined));
    client.on("error", (error) => {
      this.log.warn({ err: error }, "the case event log's LISTEN connection failed");
      retry();
    });
    client.on("end", retry);
    try {
      await client.connect();
      await client.query(`listen ${CASE_EVENT_CHANNEL}`);
      if (this.listener !== client) {
        await client.end();
        return;
      }
      // What committed while no connection listened.
      this.wake();
    } catch (error) {
      this.log.warn({ err: error }, "the case event log's LISTEN connection failed");
      retry();
    }
  }
}

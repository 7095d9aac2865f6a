import { PassThrough } from "node:stream";
import type { LogEntry } from "./event-log.repository.ts";

/** The `data` of a `case` event: what a client needs to decide what to refresh. */
export type CaseEventData = Omit<LogEntry, "regionCode" | "eventId" | "at" | "coDepartmentIds"> & { at: string };

/** Ends a client hears of; others (a dropped slow client, a closed connection) cannot be told. */
const TOLD = new Set(["session_ended", "max_duration", "server_closing"]);

/** Why a stream asks its client to reload instead of resuming. */
export type ResetReason = "expired" | "malformed" | "ahead";

export function caseEventData({ regionCode: _region, eventId: _event, at, coDepartmentIds: _co, ...data }: LogEntry): CaseEventData {
  return { ...data, at: at.toISOString() };
}

// The hub hands the same entry to every stream of its region: it is written out once for all.
const texts = new WeakMap<LogEntry, string>();

function caseEventText(entry: LogEntry): string {
  let text = texts.get(entry);
  if (text === undefined) {
    text = `event: case\nid: ${entry.position}\ndata: ${JSON.stringify(caseEventData(entry))}\n\n`;
    texts.set(entry, text);
  }
  return text;
}

export type EventStreamOptions = {
  /** Whether an entry is the client's to see. */
  accepts(entry: LogEntry): boolean;
  /** Bytes the client may leave unread before it is dropped. */
  maxBufferedBytes: number;
  /** Entries held while the missed ones are read, before the client is dropped. */
  maxHeldEntries: number;
  /** Called once, however the stream ends. */
  onEnd(reason: string): void;
};

/**
 * One client's `text/event-stream`: case events it may see, in position order, each with its
 * position as `id:`. While the entries it missed are being read, new ones are held behind them. A
 * client that does not read what it is sent is dropped rather than let its buffer grow.
 */
export class EventStream {
  readonly body = new PassThrough();
  /** The last position the client has been told of (as an event's or a bare `id:`). */
  private sent = 0;
  /** The last position delivered to this stream, sent or not. */
  private seen = 0;
  private held: LogEntry[] | null = [];
  private ended = false;

  constructor(private readonly options: EventStreamOptions) {
    this.body.on("close", () => this.end("closed"));
    this.body.on("error", () => this.end("closed"));
  }

  get open(): boolean {
    return !this.ended;
  }

  /** The preamble: how long a client waits before reconnecting. */
  start(retryMs: number): void {
    this.write(`retry: ${retryMs}\n\n`);
  }

  /** Tells the client to reload what it shows; it goes on from `position`. */
  reset(reason: ResetReason, position: number): void {
    this.write(`event: reset\nid: ${position}\ndata: ${JSON.stringify({ reason, position })}\n\n`);
    this.sent = this.seen = position;
  }

  /** The client has seen up to `position`: later entries only are sent. */
  resumeAfter(position: number): void {
    this.sent = this.seen = position;
  }

  /** The entries the client missed, in order; they go before any held since. */
  catchUp(entries: readonly LogEntry[]): void {
    for (const entry of entries) this.send(entry);
  }

  /** The stream is live from `position`: held entries follow, then a `ready` event. */
  live(position: number): void {
    const held = this.held ?? [];
    this.held = null;
    this.seen = Math.max(this.seen, position);
    for (const entry of held) this.send(entry);
    this.write(`event: ready\nid: ${this.seen}\ndata: ${JSON.stringify({ position: this.seen })}\n\n`);
    this.sent = this.seen;
  }

  /** From the hub: every entry of the region, in order. */
  deliver(entry: LogEntry): void {
    if (this.ended) return;
    if (this.held) {
      this.held.push(entry);
      if (this.held.length > this.options.maxHeldEntries) this.end("slow");
      return;
    }
    this.send(entry);
  }

  /**
   * A comment that keeps proxies from closing an idle connection; with a bare `id:` when entries
   * the client may not see have passed, so that a reconnect does not read them again.
   */
  heartbeat(): void {
    if (this.held) return;
    this.write(this.seen > this.sent ? `: ping\nid: ${this.seen}\n\n` : ": ping\n\n");
    this.sent = this.seen;
  }

  /**
   * Ends the stream. A client still reading is told why first (an `end` event) when the reason is
   * one it acts on: its session ended (a reconnect answers 401), or the stream ran its time or the
   * server is closing (it reconnects and resumes).
   */
  end(reason: string): void {
    if (this.ended) return;
    if (TOLD.has(reason)) this.write(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
    // A client too slow to take even that was dropped by the write.
    if (this.ended) return;
    this.ended = true;
    this.held = null;
    if (!this.body.destroyed) this.body.end();
    this.options.onEnd(reason);
  }

  private send(entry: LogEntry): void {
    if (entry.position <= this.seen) return;
    this.seen = entry.position;
    if (!this.options.accepts(entry)) return;
    this.write(caseEventText(entry));
    this.sent = entry.position;
  }

  private write(text: string): void {
    if (this.ended) return;
    // Unread bytes: those waiting in this stream and those the socket has not yet taken.
    if (this.body.readableLength + this.body.writableLength > this.options.maxBufferedBytes) {
      this.end("slow");
      return;
    }
    this.body.write(text);
  }
}

import crypto from "node:crypto";
import type { Kysely } from "kysely";
import type { Config } from "../../config.ts";
import type { DB } from "../../db/schema.ts";
import { AppError } from "../../errors.ts";
import { requirePermission, type Actor } from "../auth/actor.ts";
import { liveCredentials } from "../auth/auth.service.ts";
import { liveScreenTokenHashes } from "../evaluation/screen-credentials.repository.ts";
import type { Evicted, SessionCache } from "../auth/session-cache.ts";
import type { CaseEventHub } from "./case-event-hub.ts";
import { logBounds, readLog } from "./event-log.repository.ts";
import { entryReadable } from "./event-scope.ts";
import { EventStream } from "./event-stream.ts";

declare module "../../context.ts" {
  interface AppParts {
    eventStreams: EventStreams;
  }
}

/** What opened a stream, by hash: the stream ends when it does. */
export type Credential = { kind: "session" | "apiKey" | "screen"; hash: string };

type Connection = { stream: EventStream; actor: Actor; credential: Credential; regionCode: string };

/** How long a client waits before reconnecting (the `retry:` hint), in ms. */
export const RETRY_MS = 3_000;
const HEARTBEAT_MS = 20_000;
/** How often open streams' sessions and keys are read again (sign-outs in this process end them at once). */
const RECHECK_MS = 10_000;
/** What a client may leave unread before it is dropped: a few hundred events. */
const MAX_BUFFERED_BYTES = 256 * 1024;
/** Entries held behind a reconnecting client's missed ones while those are read. */
const MAX_HELD_ENTRIES = 10_000;
/** Missed entries read per query when a client resumes. */
const CATCH_UP_PAGE = 1_000;
const POSITION = /^[0-9]{1,15}$/;

export const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

type Parts = { db: Kysely<DB>; config: Config; caseEvents: CaseEventHub; sessions: SessionCache };

/**
 * The open `GET /api/v1/events` streams of this process: opens them (missed entries first when the
 * client resumes), beats their heart, and ends them when their session or key ends, their account
 * changes, or they have run their time.
 */
export class EventStreams {
  private readonly open = new Set<Connection>();
  private heartbeat: NodeJS.Timeout | undefined;
  private recheck: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(private readonly parts: Parts) {
    parts.sessions.onEvict((evicted) => this.endEvicted(evicted));
  }

  /** Streams open now (for tests and the benchmark). */
  get size(): number {
    return this.open.size;
  }

  /**
   * Opens a stream of the case events in the actor's scope. `lastEventId` is the position of the
   * last event the client received: it gets every later one in its scope, or a `reset` when they
   * are no longer kept (or the id is malformed or ahead of the log).
   */
  async openStream(actor: Actor, credential: Credential, lastEventId: string | undefined): Promise<EventStream> {
    // A screen credential follows its division's events, which carry no personal data.
    if (!actor.screenCredentialId) requirePermission(actor, "case.read");
    const scope = actor.scopeCode;
    if (scope === null || scope.length < 6) {
      throw new AppError(403, "scope_not_in_one_district", "The event stream follows one district's log: this account's scope is wider than a district");
    }
    const { config, caseEvents, db } = this.parts;
    const held = [...this.open].filter((connection) => connection.actor.userId === actor.userId).length;
    if (held >= config.eventStreams.perUser) {
      throw new AppError(429, "too_many_streams", `This account already holds ${held} event streams on this server; a browser needs one, shared by its tabs`, {
        limit: config.eventStreams.perUser,
      });
    }
    const regionCode = scope.slice(0, 6);
    let timer: NodeJS.Timeout | undefined;
    const stream: EventStream = new EventStream({
      accepts: (entry) => entryReadable({ scopeCode: scope, departmentId: actor.departmentId }, entry),
      maxBufferedBytes: MAX_BUFFERED_BYTES,
      maxHeldEntries: MAX_HELD_ENTRIES,
      onEnd: () => {
        clearTimeout(timer);
        caseEvents.detach(regionCode, stream);
        this.open.delete(connection);
        if (this.open.size === 0) this.idle();
      },
    });
    const connection: Connection = { stream, actor, credential, regionCode };
    this.open.add(connection);
    this.run();
    try {
      const position = await caseEvents.attach(regionCode, stream);
      stream.start(RETRY_MS);
      const resumed = await this.resume(stream, regionCode, position, lastEventId);
      stream.live(Math.max(position, resumed));
    } catch (error) {
      stream.end("failed");
      throw error;
    }
    if (config.eventStreams.maxSeconds === 0) stream.end("max_duration");
    else {
      timer = setTimeout(() => stream.end("max_duration"), config.eventStreams.maxSeconds * 1000);
      timer.unref();
    }
    return stream;
  }

  /** Ends every stream (the server is closing). */
  closeAll(): void {
    for (const { stream } of [...this.open]) stream.end("server_closing");
  }

  /** Sends the entries missed after `lastEventId` up to `position`; answers the position the client is at. */
  private async resume(stream: EventStream, regionCode: string, position: number, lastEventId: string | undefined): Promise<number> {
    // An empty id is what the SSE format sends to forget the last one: nothing to resume.
    if (lastEventId === undefined || lastEventId === "") return position;
    if (!POSITION.test(lastEventId)) {
      stream.reset("malformed", position);
      return position;
    }
    const last = Number(lastEventId);
    const { head, oldest } = await logBounds(this.parts.db, regionCode);
    if (last > Math.max(head, position)) {
      stream.reset("ahead", position);
      return position;
    }
    if (last < head && (oldest === null || oldest > last + 1)) {
      stream.reset("expired", position);
      return position;
    }
    stream.resumeAfter(last);
    let after = last;
    while (after < position && stream.open) {
      const entries = await readLog(this.parts.db, regionCode, after, position, CATCH_UP_PAGE);
      if (entries.length === 0) break;
      stream.catchUp(entries);
      after = entries[entries.length - 1].position;
    }
    // A client that saw a later position through another server than this one has read so far.
    return last;
  }

  private endEvicted(evicted: Evicted): void {
    for (const { stream, actor, credential } of [...this.open]) {
      const ended = "tokenHash" in evicted ? credential.kind === "session" && credential.hash === evicted.tokenHash : actor.userId === evicted.userId;
      if (ended) stream.end("session_ended");
    }
  }

  /** Ends the streams whose session or key has ended, or whose account now reads differently. */
  private async recheckCredentials(): Promise<void> {
    if (this.checking || this.open.size === 0) return;
    this.checking = true;
    try {
      const connections = [...this.open];
      const hashes = (kind: Credential["kind"]) => [...new Set(connections.filter((c) => c.credential.kind === kind).map((c) => c.credential.hash))];
      const live = await liveCredentials(this.parts, hashes("session"), hashes("apiKey"));
      const screens = await liveScreenTokenHashes(this.parts.db, hashes("screen"));
      for (const { stream, actor, credential } of connections) {
        if (credential.kind === "screen") {
          if (!screens.has(credential.hash)) stream.end("session_ended");
          continue;
        }
        const now = (credential.kind === "session" ? live.sessions : live.apiKeys).get(credential.hash);
        if (!now || now.passwordChangeRequired || !sameReach(actor, now)) stream.end("session_ended");
      }
    } catch {
      // Read again at the next round; the sign-outs of this process still end streams at once.
    } finally {
      this.checking = false;
    }
  }

  private run(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      for (const { stream } of this.open) stream.heartbeat();
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
    this.recheck = setInterval(() => void this.recheckCredentials(), RECHECK_MS);
    this.recheck.unref();
  }

  private idle(): void {
    clearInterval(this.heartbeat);
    clearInterval(this.recheck);
    this.heartbeat = this.recheck = undefined;
  }
}

/** Whether an account still sees what it saw when its stream opened. */
function sameReach(before: Actor, now: Actor): boolean {
  return (
    before.scopeCode === now.scopeCode &&
    before.departmentId === now.departmentId &&
    before.permissions.has("case.read") === now.permissions.has("case.read")
  );
}

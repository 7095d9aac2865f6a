import { EVENTS_PATH, type LiveEvent } from "./live-events";

const LOCK = "gridgov-live-events";
const CHANNEL = "gridgov-live-events";
/** After the server refused or lost the stream for good (EventSource gave up), try again this much later. */
const REOPEN_MS = 30_000;

type Relayed = { kind: "event"; event: LiveEvent } | { kind: "position"; position: number };
type Listener = (event: LiveEvent) => void;

/**
 * One EventSource per browser, shared by its tabs: the tab that holds the Web Lock is the leader,
 * holds the connection and relays what it receives over a BroadcastChannel; the others listen.
 * When the leader's tab closes, its lock passes to another tab, which connects and resumes after
 * the last position any tab saw. Without Web Locks or BroadcastChannel each tab connects alone.
 */
class SharedConnection {
  private readonly listeners = new Set<Listener>();
  private channel: BroadcastChannel | null = null;
  private source: EventSource | null = null;
  private releaseLock: (() => void) | null = null;
  private abort: AbortController | null = null;
  private reopen: ReturnType<typeof setTimeout> | undefined;
  /** The last position seen by this tab, as leader or through the channel. */
  private position: number | null = null;

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  private start(): void {
    const shared = typeof BroadcastChannel !== "undefined" && typeof navigator !== "undefined" && "locks" in navigator;
    if (!shared) {
      this.open();
      return;
    }
    this.channel = new BroadcastChannel(CHANNEL);
    this.channel.onmessage = (message: MessageEvent<Relayed>) => this.heard(message.data);
    this.abort = new AbortController();
    navigator.locks
      .request(LOCK, { signal: this.abort.signal }, () => {
        // Leader until this tab stops or closes: the lock is held while the promise is pending.
        this.open();
        return new Promise<void>((resolve) => (this.releaseLock = resolve));
      })
      .catch(() => {
        // Aborted: this tab stopped before it became the leader.
      });
  }

  private stop(): void {
    clearTimeout(this.reopen);
    this.source?.close();
    this.source = null;
    this.abort?.abort();
    this.abort = null;
    this.releaseLock?.();
    this.releaseLock = null;
    this.channel?.close();
    this.channel = null;
  }

  /** As the leader (or alone): connect, resuming after the last position this tab knows. */
  private open(): void {
    const url = this.position === null ? EVENTS_PATH : `${EVENTS_PATH}?lastEventId=${this.position}`;
    const source = new EventSource(url, { withCredentials: true });
    this.source = source;
    const receive = (type: "case" | "reset") => (message: MessageEvent<string>) => {
      const event = { ...JSON.parse(message.data), type } as LiveEvent;
      this.moveTo(Number(message.lastEventId) || event.position);
      this.publish(event);
      this.channel?.postMessage({ kind: "event", event } satisfies Relayed);
    };
    source.addEventListener("case", receive("case"));
    source.addEventListener("reset", receive("reset"));
    source.addEventListener("ready", (message: MessageEvent<string>) => {
      this.moveTo(Number(message.lastEventId));
      if (this.position !== null) this.channel?.postMessage({ kind: "position", position: this.position } satisfies Relayed);
    });
    source.onerror = () => {
      // EventSource reconnects by itself (sending Last-Event-ID) unless the server refused it.
      if (source.readyState !== EventSource.CLOSED || this.source !== source) return;
      this.source = null;
      this.reopen = setTimeout(() => {
        if (this.listeners.size > 0 && !this.source) this.open();
      }, REOPEN_MS);
    };
  }

  private heard(message: Relayed): void {
    if (message.kind === "position") {
      this.moveTo(message.position);
      return;
    }
    this.moveTo(message.event.position);
    this.publish(message.event);
  }

  private moveTo(position: number): void {
    if (Number.isFinite(position) && position > 0) this.position = position;
  }

  private publish(event: LiveEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

const connection = new SharedConnection();

/**
 * Calls `listener` with every live case event and reset in the user's scope; the browser's one
 * connection opens with the first subscriber of a tab and closes with its last. Returns the
 * unsubscribe. For a page that wants more than fresh queries (a new row flashed, a sound).
 */
export function subscribeLiveEvents(listener: (event: LiveEvent) => void): () => void {
  return connection.subscribe(listener);
}

import http from "node:http";

export type SseEvent = { event: string; id: string | undefined; data: string };

/**
 * A client of a `text/event-stream` over a real connection, as a browser's EventSource reads it:
 * events are collected as they come; `next` waits for the next one that matches.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  /** Comments and bare ids (`: ping`, `id: 42` without data) seen, as raw blocks. */
  readonly others: string[] = [];
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  private read = 0;
  private waiter: (() => void) | undefined;
  private request: http.ClientRequest | undefined;
  private finished = false;
  private body = "";

  private constructor(url: string, headers: Record<string, string>, ready: (client: SseClient) => void, failed: (error: Error) => void) {
    this.ended = new Promise((resolve) => {
      this.request = http.get(url, { headers: { accept: "text/event-stream", ...headers } }, (response) => {
        this.status = response.statusCode ?? 0;
        this.headers = response.headers;
        response.setEncoding("utf8");
        let buffer = "";
        response.on("data", (chunk: string) => {
          this.body += chunk;
          buffer += chunk;
          let end = buffer.indexOf("\n\n");
          while (end !== -1) {
            this.parse(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf("\n\n");
          }
          this.waiter?.();
        });
        const finish = () => {
          this.finished = true;
          this.waiter?.();
          resolve();
        };
        response.on("end", finish);
        response.on("close", finish);
        ready(this);
      });
      this.request.on("error", (error) => {
        this.finished = true;
        this.waiter?.();
        resolve();
        failed(error);
      });
    });
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => new SseClient(url, headers, resolve, reject));
  }

  /** The whole body read so far (for a refusal's JSON). */
  text(): string {
    return this.body;
  }

  /** The next event not yet taken that `matches`, waiting for it; throws if the stream ends first. */
  async next(matches: (event: SseEvent) => boolean = () => true): Promise<SseEvent> {
    for (;;) {
      while (this.read < this.events.length) {
        const event = this.events[this.read++];
        if (matches(event)) return event;
      }
      if (this.finished) throw new Error(`the stream ended; events: ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => (this.waiter = resolve));
      this.waiter = undefined;
    }
  }

  /** The next event of this name, its data parsed. */
  async nextOf<T = Record<string, unknown>>(name: string): Promise<T & { id: string | undefined }> {
    const event = await this.next((candidate) => candidate.event === name);
    return { ...(JSON.parse(event.data) as T), id: event.id };
  }

  close(): void {
    this.request?.destroy();
  }

  private parse(block: string): void {
    let event = "message";
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") event = value;
      else if (field === "id") id = value;
      else if (field === "data") data.push(value);
    }
    if (data.length === 0) {
      this.others.push(block);
      return;
    }
    this.events.push({ event, id, data: data.join("\n") });
  }
}

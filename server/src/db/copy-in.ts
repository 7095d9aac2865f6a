import type pg from "pg";

/** The part of pg's connection a COPY FROM STDIN speaks through (pg has no public type for it). */
type CopyConnection = {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: NodeJS.WritableStream & { writableNeedDrain?: boolean };
};

/**
 * `COPY … FROM STDIN` through node-postgres: pg runs any object with `submit(connection)` as a
 * query, so this one sends the statement, streams the rows' text once the server asks for it
 * (waiting for the socket to drain, so memory stays flat) and resolves with the rows copied.
 */
class CopyIn {
  callback?: (error: Error | null, rows?: number) => void;
  private rows = 0;
  private failed: Error | null = null;

  constructor(
    private readonly statement: string,
    private readonly chunks: AsyncIterable<string> | Iterable<string>,
  ) {}

  submit(connection: CopyConnection): void {
    connection.query(this.statement);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    void this.send(connection);
  }

  private async send(connection: CopyConnection): Promise<void> {
    try {
      for await (const chunk of this.chunks) {
        if (chunk.length === 0) continue;
        connection.sendCopyFromChunk(Buffer.from(chunk, "utf8"));
        if (connection.stream.writableNeedDrain) await new Promise((resolve) => connection.stream.once("drain", resolve));
      }
      connection.endCopyFrom();
    } catch (error) {
      this.failed = error as Error;
      connection.sendCopyFail((error as Error).message);
    }
  }

  handleCommandComplete(message: { text?: string }): void {
    const match = /^COPY (\d+)/.exec(message.text ?? "");
    if (match) this.rows = Number(match[1]);
  }

  handleError(error: Error): void {
    this.failed ??= error;
  }

  handleReadyForQuery(): void {
    this.callback?.(this.failed, this.rows);
  }

  // pg calls these for any query; a COPY FROM answers none of them.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

/** Runs `COPY <table> (<columns>) FROM STDIN` with the given text-format chunks; the rows copied. */
export function copyIn(client: pg.ClientBase, statement: string, chunks: AsyncIterable<string> | Iterable<string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const copy = new CopyIn(statement, chunks);
    copy.callback = (error, rows) => (error ? reject(error) : resolve(rows ?? 0));
    (client as unknown as { query(submittable: CopyIn): void }).query(copy);
  });
}

/** A value in COPY's text format: \N for null, and backslash, tab and newlines escaped. */
export function copyText(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "\\N";
  if (typeof value !== "string") return String(value);
  return /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r")) : value;
}

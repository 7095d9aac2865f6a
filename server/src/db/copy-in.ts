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
    private readonly chunks: AsyncIterable<string | Buffer> | Iterable<string | Buffer>,
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
        connection.sendCopyFromChunk(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
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
export function copyIn(client: pg.ClientBase, statement: string, chunks: AsyncIterable<string | Buffer> | Iterable<string | Buffer>): Promise<number> {
  return new Promise((resolve, reject) => {
    const copy = new CopyIn(statement, chunks);
    copy.callback = (error, rows) => (error ? reject(error) : resolve(rows ?? 0));
    (client as unknown as { query(submittable: CopyIn): void }).query(copy);
  });
}

const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** A value in COPY's text format: \N for null, and backslash, tab and newlines escaped. */
export function copyText(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "\\N";
  if (typeof value !== "string") return String(value);
  return SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]) : value;
}

/** Bytes a piece of COPY text is sent in. */
const PIECE = 256 * 1024;

/**
 * Rows in COPY's text format written into buffers of about 256 kB, a row at a time: no text of a
 * whole chunk is built and then encoded, so a million rows leave no long strings to flatten and
 * collect. `raw` takes values known to hold no tab, newline or backslash (numbers, codes, uuids,
 * instants); `text` escapes.
 */
export class CopyRows {
  readonly pieces: Buffer[] = [];
  private buffer = Buffer.allocUnsafe(PIECE);
  private at = 0;
  /** The fields of the row being written, tab-separated. */
  private fields: string | undefined;

  /** A value that needs no escaping; null is \N. */
  raw(value: string | number | null): this {
    const field = value === null ? "\\N" : typeof value === "string" ? value : String(value);
    this.fields = this.fields === undefined ? field : `${this.fields}\t${field}`;
    return this;
  }

  /** Any text, escaped; null is \N. */
  text(value: string | null): this {
    return this.raw(copyText(value));
  }

  bool(value: boolean): this {
    return this.raw(value ? "t" : "f");
  }

  endRow(): void {
    const fields = this.fields ?? "";
    this.fields = undefined;
    this.row(`${fields}\n`);
  }

  /** A whole row: its fields already in COPY's text format, separated by tabs, ending in a newline. */
  row(line: string): void {
    // At most three bytes of UTF-8 per UTF-16 unit.
    if (this.at + line.length * 3 > this.buffer.length) {
      if (this.at > 0) this.pieces.push(this.buffer.subarray(0, this.at));
      this.buffer = Buffer.allocUnsafe(Math.max(PIECE, line.length * 3));
      this.at = 0;
    }
    this.at += this.buffer.write(line, this.at, "utf8");
  }

  /** The pieces written, the last one included; the writer starts afresh. */
  take(): Buffer[] {
    if (this.at > 0) this.pieces.push(this.buffer.subarray(0, this.at));
    const pieces = this.pieces.splice(0);
    this.buffer = Buffer.allocUnsafe(PIECE);
    this.at = 0;
    return pieces;
  }
}

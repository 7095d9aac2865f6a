/**
 * Mends three faults of exceljs's streaming reader, through its internals.
 * - It decodes each decompressed chunk of a sheet or of the shared strings on its own, so a
 *   Chinese character whose UTF-8 bytes a chunk boundary splits comes out as U+FFFD (a name read as
 *   "���宇平"); small files hide it, a staff list of a few thousand rows shows it. Hooks hand the
 *   reader text decoded across chunk boundaries instead.
 * - It learns the sheets' names from the workbook part in the same single pass over the archive,
 *   and sometimes has not read it when the sheets come (exceljs issue 3064; its own writer stores
 *   that part last), then fails on the missing names. The rows need no names: it starts with none.
 * - It reads the archive's entries until the unzipper says 'end', which the unzipper says as soon as
 *   it has parsed the whole archive ('finish'), while entries it parsed ahead may still wait in its
 *   buffer. Whenever the reader paused on an entry (its relationships, a sheet it keeps in a
 *   temporary file) long enough for the unzipper to reach the archive's end, the entries after it
 *   were lost: under load a workbook read as having no sheet, or its sheet's text cells as shared
 *   string numbers (`{ sharedString: 3 }`) because the shared strings never came. The unzipper's
 *   early 'end' and 'close' are held back; its stream's own come when its buffer is empty.
 */
import type { Duplex } from "node:stream";
import type ExcelJS from "exceljs";

type Internals = {
  model?: { sheets: unknown[] };
  _getStream(input: unknown): NodeJS.ReadableStream;
  _parseSharedStrings(entry: NodeJS.ReadableStream): AsyncGenerator<unknown>;
  _parseWorksheet(iterable: AsyncIterable<Buffer | string>, sheetNo: string): AsyncGenerator<unknown>;
};

async function* utf8Text(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8");
  for await (const chunk of chunks) {
    const text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** Lets `zip` announce its end only when the stream itself ends: once every entry has been read from it. */
function endWhenRead(zip: Duplex): void {
  const emit = zip.emit;
  zip.emit = function (this: Duplex, event: string | symbol, ...args: unknown[]) {
    if (event === "end" && !this.readableEnded) return false;
    if (event === "close" && !this.destroyed) return false;
    return emit.call(this, event, ...args);
  } as Duplex["emit"];
}

/**
 * Makes `reader` read every entry of the archive, decode its shared strings and sheets as whole
 * UTF-8 text, and read sheets without their names.
 */
export function mendWorkbookReader(reader: ExcelJS.stream.xlsx.WorkbookReader): void {
  const internals = reader as unknown as Internals;
  internals.model ??= { sheets: [] };
  const getStream = internals._getStream.bind(reader);
  internals._getStream = (input) => {
    // The reader pipes its input into the unzipper it makes: that pipe is where the unzipper is reached.
    const stream = getStream(input);
    const pipe = stream.pipe.bind(stream);
    stream.pipe = <T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }) => {
      endWhenRead(destination as unknown as Duplex);
      return pipe(destination, options);
    };
    return stream;
  };
  const sharedStrings = internals._parseSharedStrings.bind(reader);
  const worksheet = internals._parseWorksheet.bind(reader);
  internals._parseSharedStrings = (entry) => {
    // A stream with an encoding decodes through a StringDecoder, which keeps a split character's bytes for the next chunk.
    entry.setEncoding("utf8");
    return sharedStrings(entry);
  };
  internals._parseWorksheet = (iterable, sheetNo) => worksheet(utf8Text(iterable), sheetNo);
}

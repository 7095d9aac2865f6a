/**
 * Mends two faults of exceljs's streaming reader, through its internals.
 * - It decodes each decompressed chunk of a sheet or of the shared strings on its own, so a
 *   Chinese character whose UTF-8 bytes a chunk boundary splits comes out as U+FFFD (a name read as
 *   "���宇平"); small files hide it, a staff list of a few thousand rows shows it. Hooks hand the
 *   reader text decoded across chunk boundaries instead.
 * - It learns the sheets' names from the workbook part in the same single pass over the archive,
 *   and sometimes has not read it when the sheets come (exceljs issue 3064; its own writer stores
 *   that part last), then fails on the missing names. The rows need no names: it starts with none.
 */
import type ExcelJS from "exceljs";

type Internals = {
  model?: { sheets: unknown[] };
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

/** Makes `reader` decode its shared strings and sheets as whole UTF-8 text, and read sheets without their names. */
export function mendWorkbookReader(reader: ExcelJS.stream.xlsx.WorkbookReader): void {
  const internals = reader as unknown as Internals;
  internals.model ??= { sheets: [] };
  const sharedStrings = internals._parseSharedStrings.bind(reader);
  const worksheet = internals._parseWorksheet.bind(reader);
  internals._parseSharedStrings = (entry) => {
    // A stream with an encoding decodes through a StringDecoder, which keeps a split character's bytes for the next chunk.
    entry.setEncoding("utf8");
    return sharedStrings(entry);
  };
  internals._parseWorksheet = (iterable, sheetNo) => worksheet(utf8Text(iterable), sheetNo);
}

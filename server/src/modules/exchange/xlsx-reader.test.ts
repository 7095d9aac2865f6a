import { PassThrough, Readable } from "node:stream";
import type ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { loadExcelJs } from "../../libraries.ts";
import { writeXlsx } from "./table-writer.ts";
import { mendWorkbookReader } from "./xlsx-reader.ts";

/** A stand-in for exceljs's reader that records the text its parsers would be handed. */
function recordingReader() {
  const seen = { sheet: [] as string[], strings: [] as string[] };
  const reader = {
    _getStream: (input: NodeJS.ReadableStream) => input,
    async *_parseWorksheet(iterable: AsyncIterable<Buffer | string>) {
      for await (const chunk of iterable) seen.sheet.push(typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk));
      yield undefined;
    },
    async *_parseSharedStrings(entry: NodeJS.ReadableStream) {
      for await (const chunk of entry) seen.strings.push(typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk as Buffer));
      yield undefined;
    },
  };
  mendWorkbookReader(reader as unknown as ExcelJS.stream.xlsx.WorkbookReader);
  return { reader, seen };
}

describe("exceljs's streaming reader handed whole UTF-8 text", () => {
  const bytes = Buffer.from("<t>黎宇平</t><t>吴云</t>");
  // Chunks cut inside 黎 (3 bytes) and inside 云.
  const chunks = [bytes.subarray(0, 4), bytes.subarray(4, 20), bytes.subarray(20)];

  it("decodes a sheet's chunks across the characters they split", async () => {
    const { reader, seen } = recordingReader();
    async function* source() {
      yield* chunks;
    }
    for await (const _ of reader._parseWorksheet(source())) void _;
    expect(seen.sheet.join("")).toBe("<t>黎宇平</t><t>吴云</t>");
  });

  it("decodes the shared strings' entry the same way", async () => {
    const { reader, seen } = recordingReader();
    const entry = new PassThrough();
    for (const chunk of chunks) entry.write(chunk);
    entry.end();
    for await (const _ of reader._parseSharedStrings(entry)) void _;
    expect(seen.strings.join("")).toBe("<t>黎宇平</t><t>吴云</t>");
  });
});

describe("exceljs's streaming reader over a whole archive", () => {
  it("reads every entry when it pauses long enough for the unzipper to reach the archive's end", async () => {
    const file = await writeXlsx("工单", ["工单编号", "问题地址"], [["WB-1", "盘龙区拓东路"]]);
    const { stream } = await loadExcelJs();
    const reader = new stream.xlsx.WorkbookReader(Readable.from([file]), { sharedStrings: "cache", worksheets: "emit", entries: "emit" });
    mendWorkbookReader(reader);
    // What a busy server does: the reader waits on the workbook's relationships while the unzipper
    // parses the rest (the sheet, then the shared strings) into its buffer and finishes.
    const internals = reader as unknown as { _parseRels(entry: unknown): Promise<void> };
    const parseRels = internals._parseRels.bind(reader);
    internals._parseRels = async (entry) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return parseRels(entry);
    };
    const rows: unknown[][] = [];
    for await (const sheet of reader) {
      for await (const row of sheet as unknown as AsyncIterable<ExcelJS.Row>) rows.push((row.values as unknown[]).slice(1));
    }
    expect(rows).toEqual([
      ["工单编号", "问题地址"],
      ["WB-1", "盘龙区拓东路"],
    ]);
  });
});

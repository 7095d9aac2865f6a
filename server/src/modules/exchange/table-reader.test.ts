import ExcelJS from "exceljs";
import JSZip from "jszip";
import { describe, expect, it } from "vitest";
import { AppError } from "../../errors.ts";
import { readTable, TABLE_LIMITS } from "./table-reader.ts";
import { writeCsv, writeXlsx } from "./table-writer.ts";
import { zipFiles } from "../../../test/zip-writer.ts";

/** A zip of one deflated entry whose directory declares `declared` bytes inflated. */
const zipOf = (name: string, content: Buffer, declared = content.length): Buffer => zipFiles({ [name]: content }, { [name]: declared });

async function refusal(work: Promise<unknown>): Promise<AppError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("not refused");
}

describe("reading tables", () => {
  it("reads UTF-8 CSV with a byte-order mark, quoted cells, doubled quotes and line breaks, keeping row numbers", async () => {
    const csv = '\uFEFF工单编号,诉求内容\r\nA1,"路灯不亮, 已两天"\r\n\r\nA2,"他说""快修""\n第二行"\r\n';
    const table = await readTable(Buffer.from(csv));
    expect(table).toMatchObject({ format: "csv", encoding: "utf-8", headers: ["工单编号", "诉求内容"] });
    expect(table.rows).toEqual([
      { number: 2, cells: ["A1", "路灯不亮, 已两天"] },
      { number: 4, cells: ["A2", '他说"快修"\n第二行'] },
    ]);
  });

  it("reads CSV that Excel wrote in GB18030 (GBK)", async () => {
    const gbk = Buffer.from([0xb9, 0xa4, 0xb5, 0xa5, 0x2c, 0xc4, 0xda, 0xc8, 0xdd, 0x0d, 0x0a, 0x31, 0x2c, 0xd6, 0xd0, 0xce, 0xc4]);
    const table = await readTable(gbk);
    expect(table).toMatchObject({ encoding: "gb18030", headers: ["工单", "内容"], rows: [{ number: 2, cells: ["1", "中文"] }] });
  });

  it("reads tab-separated text and refuses an unclosed quote", async () => {
    expect((await readTable(Buffer.from("a\tb\n1\t2\n"))).rows[0].cells).toEqual(["1", "2"]);
    expect((await refusal(readTable(Buffer.from('a,b\n1,"2\n')))).code).toBe("unreadable_table");
  });

  it("reads the first sheet of a workbook as text: numbers, dates as the wall clock, formulas by their result", async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("工单");
    sheet.addRow([]);
    sheet.addRow(["编号", "时间", "电话", "合计"]);
    sheet.addRow(["W-1", new Date(Date.UTC(2026, 11, 3, 9, 30)), 13800001111, { formula: "1+1", result: 2 }]);
    sheet.addRow(["W-2", null, null, null]);
    workbook.addWorksheet("说明").addRow(["ignored"]);
    const table = await readTable(Buffer.from(await workbook.xlsx.writeBuffer()));
    expect(table.headers).toEqual(["编号", "时间", "电话", "合计"]);
    expect(table.rows).toEqual([
      { number: 3, cells: ["W-1", "2026-12-03 09:30:00", "13800001111", "2"] },
      { number: 4, cells: ["W-2"] },
    ]);
  });

  it("reads a workbook's first sheet even when its workbook part comes too late or not at all", async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet("工单").addRows([["编号", "地址"], ["W-1", "盘龙区"]]);
    workbook.addWorksheet("说明").addRow(["ignored"]);
    // The reader's pass over the archive can miss its last part, the workbook (sheet names):
    // without it, the sheets are still there to read.
    const zip = await JSZip.loadAsync(await workbook.xlsx.writeBuffer());
    zip.remove("xl/workbook.xml");
    const table = await readTable(await zip.generateAsync({ type: "nodebuffer", compression: "DEFLATE" }));
    expect(table.headers).toEqual(["编号", "地址"]);
    expect(table.rows).toEqual([{ number: 2, cells: ["W-1", "盘龙区"] }]);
  });

  it("reads back what it writes, in both formats", async () => {
    const rows = [["=1+1", 3, new Date("2026-12-03T01:30:00Z"), null]];
    const xlsx = await readTable(await writeXlsx("表", ["a", "b", "c", "d"], rows));
    expect(xlsx.rows[0].cells).toEqual(["=1+1", "3", "2026-12-03 09:30:00"]);
    const csv = await readTable(Buffer.from(writeCsv(["a", "b", "c", "d"], rows)));
    expect(csv.rows[0].cells).toEqual(["'=1+1", "3", "2026-12-03 09:30:00", ""]);
  });

  it("refuses an oversized file, too many rows or columns, and old .xls files", async () => {
    expect((await refusal(readTable(Buffer.alloc(TABLE_LIMITS.maxBytes + 1, 0x41)))).code).toBe("table_too_large");
    const limits = { ...TABLE_LIMITS, maxRows: 2, maxColumns: 3 };
    expect((await refusal(readTable(Buffer.from("h\n1\n2\n3\n"), limits))).code).toBe("too_many_rows");
    expect((await refusal(readTable(Buffer.from("a,b,c,d\n"), limits))).code).toBe("too_many_columns");
    expect((await refusal(readTable(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0])))).code).toBe("unsupported_table_format");
  });

  it("refuses zip bombs before a zip library opens them: declared too large, too compressed, or understated", async () => {
    const zeros = Buffer.alloc(50 * 1024 * 1024);
    const ratio = await refusal(readTable(zipOf("xl/worksheets/sheet1.xml", zeros)));
    expect(ratio).toMatchObject({ statusCode: 422, code: "zip_bomb" });
    const small = { ...TABLE_LIMITS, maxUncompressedBytes: 1024 * 1024, maxRatio: 2000 };
    expect((await refusal(readTable(zipOf("a.xml", Buffer.alloc(2 * 1024 * 1024)), small))).code).toBe("zip_bomb");
    // The directory says 1 KiB; the entry inflates to 2 MiB.
    const lying = zipOf("a.xml", Buffer.alloc(2 * 1024 * 1024), 1024);
    expect((await refusal(readTable(lying, { ...TABLE_LIMITS, maxRatio: 100_000 }))).code).toBe("zip_bomb");
  });
});

import { describe, expect, it } from "vitest";
import { CopyRows, copyText } from "./copy-in.ts";

describe("COPY text format", () => {
  it("writes null as \\N and escapes what would end a field or a row", () => {
    expect(copyText(null)).toBe("\\N");
    expect(copyText(undefined)).toBe("\\N");
    expect(copyText("\\N")).toBe("\\\\N");
    expect(copyText("a\tb\nc\rd\\e")).toBe("a\\tb\\nc\\rd\\\\e");
    expect(copyText("井盖丢失")).toBe("井盖丢失");
    expect(copyText(12.5)).toBe("12.5");
    expect(copyText(false)).toBe("false");
  });
});

describe("COPY rows in buffers", () => {
  it("writes fields tab-separated, rows newline-ended, escaping text only, across pieces of about 256 kB", () => {
    const rows = new CopyRows();
    rows.raw("a1").text("井盖\t丢失").raw(null).bool(true).raw(2.5).endRow();
    rows.row("x\ty\n");
    const long = "路".repeat(100_000);
    for (let k = 0; k < 3; k++) rows.text(long).endRow();
    const pieces = rows.take();
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.every((piece) => piece.length <= 300_001)).toBe(true);
    const text = Buffer.concat(pieces).toString("utf8");
    expect(text.split("\n").slice(0, 2)).toEqual(["a1\t井盖\\t丢失\t\\N\tt\t2.5", "x\ty"]);
    expect(text.split("\n").slice(2, 5)).toEqual([long, long, long]);
    expect(rows.take()).toEqual([]);
  });
});

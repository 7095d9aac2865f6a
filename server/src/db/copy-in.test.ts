import { describe, expect, it } from "vitest";
import { copyText } from "./copy-in.ts";

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

import { describe, expect, it } from "vitest";
import { codeRangeEnd } from "./cases.repository.ts";

describe("codeRangeEnd", () => {
  it("raises the last digit, so the range holds exactly the codes under the prefix", () => {
    expect(codeRangeEnd("530103001")).toBe("530103002");
    expect(codeRangeEnd("530103009")).toBe("53010301");
    expect("530103009999" < codeRangeEnd("530103009")!).toBe(true);
    expect("530103010" < codeRangeEnd("530103009")!).toBe(false);
    expect(codeRangeEnd("5301039")).toBe("530104");
  });

  it("has no end for a prefix of nines or none", () => {
    expect(codeRangeEnd("999")).toBeNull();
    expect(codeRangeEnd("")).toBeNull();
  });
});

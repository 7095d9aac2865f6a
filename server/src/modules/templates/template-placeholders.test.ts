import { describe, expect, it } from "vitest";
import { unknownPlaceholders } from "./template-placeholders.ts";

describe("template placeholders", () => {
  it("names the placeholders the console cannot fill, once each", () => {
    expect(unknownPlaceholders("已派遣至{department}，请于{deadline}前处置（{caseNumber}）。")).toEqual([]);
    expect(unknownPlaceholders("{reporter}您好，{reporter}，{address}")).toEqual(["reporter", "address"]);
    expect(unknownPlaceholders("全角｛department｝与空的{}不是占位符")).toEqual([]);
  });
});

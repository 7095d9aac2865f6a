import { describe, expect, it } from "vitest";
import { suggestByKeywords } from "./suggest";

describe("category suggestion from keywords", () => {
  it("suggests the categories whose keywords the text holds, most matches first", () => {
    const categories = [
      { code: "manhole", keywords: ["井盖", "窨井"] },
      { code: "light", keywords: ["路灯", "不亮"] },
      { code: "none", keywords: [] },
    ];
    expect(suggestByKeywords("路灯不亮，旁边井盖也松了", categories).map((c) => c.code)).toEqual(["light", "manhole"]);
    expect(suggestByKeywords("没有关键词", categories)).toEqual([]);
  });
});

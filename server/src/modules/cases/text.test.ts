import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CATEGORY_SEEDS } from "./categories.data.ts";
import { distanceMeters, searchTerms, suggestCategories, termSimilarity, termsOf, tokenize } from "./text.ts";

/** Two texts compared as intake compares a report with a case: through their stored search terms. */
const similarity = (a: string, b: string) => termSimilarity(termsOf(searchTerms(a)), termsOf(searchTerms(b)));

const MANHOLE = "小区门口的井盖不见了，晚上很危险";
const MANHOLE_AGAIN = "小区大门口井盖没了，晚上走路很危险，请尽快处理";
const MANHOLE_OTHER_WORDS = "幸福小区3栋门口的下水道井盖丢失了，有个大洞";
const VENDOR = "菜市场门口有人摆摊占道经营";
const RENOVATION = "楼上邻居装修噪音太大";
const WAGES = "老板拖欠工资三个月了，一直不给";

describe("tokenize", () => {
  it("drops punctuation and stop words", () => {
    const tokens = tokenize(MANHOLE);
    expect(tokens).not.toContain("的");
    expect(tokens).not.toContain("很");
    expect(tokens).not.toContain("，");
    expect(tokens).toContain("小区");
    expect(tokens).toContain("危险");
  });

  it("adds bigrams so a word split by the segmenter is still found", () => {
    // Here the segmenter splits 井盖 into 井 + 盖; the bigram restores it.
    expect(tokenize(MANHOLE)).toContain("井盖");
    expect(tokenize("井盖")).toContain("井盖");
  });

  it("does not bridge bigrams across stop words or punctuation", () => {
    const tokens = tokenize(MANHOLE);
    expect(tokens).not.toContain("口的");
    expect(tokens).not.toContain("了晚");
  });

  it("lower-cases Latin and folds full-width forms", () => {
    expect(tokenize("ＡＴＭ机旁边 WiFi 坏了")).toEqual(expect.arrayContaining(["atm", "wifi"]));
  });

  it("gives nothing for empty or punctuation-only text", () => {
    expect(tokenize("")).toEqual([]);
    expect(tokenize("，。！？ …")).toEqual([]);
    expect(tokenize("您好，谢谢")).toEqual([]);
  });
});

describe("similarity", () => {
  it("scores two reports of the same manhole above unrelated reports", () => {
    const same = similarity(MANHOLE, MANHOLE_AGAIN);
    const sameOtherWords = similarity(MANHOLE, MANHOLE_OTHER_WORDS);
    expect(same).toBeGreaterThan(0.3);
    expect(sameOtherWords).toBeGreaterThan(0.3);
    for (const other of [VENDOR, RENOVATION, WAGES]) {
      const unrelated = similarity(MANHOLE, other);
      expect(unrelated).toBeLessThan(0.15);
      expect(unrelated).toBeLessThan(sameOtherWords);
    }
    expect(similarity(VENDOR, RENOVATION)).toBeLessThan(0.15);
  });

  it("is 1 for identical texts and 0 when a side has no tokens", () => {
    expect(similarity(MANHOLE, MANHOLE)).toBe(1);
    expect(similarity(MANHOLE, "")).toBe(0);
    expect(similarity("。。。", "。。。")).toBe(0);
  });

  it("is symmetric, within [0, 1], and 1 against itself", () => {
    const chinese = fc.string({ unit: fc.constantFrom(..."井盖小区门口的了垃圾路灯不亮摆摊，。 ab1"), maxLength: 30 });
    const text = fc.oneof(chinese, fc.string({ maxLength: 30 }), fc.constantFrom(MANHOLE, VENDOR, RENOVATION, WAGES));
    fc.assert(
      fc.property(text, text, (a, b) => {
        const ab = similarity(a, b);
        expect(ab).toBe(similarity(b, a));
        expect(ab).toBeGreaterThanOrEqual(0);
        expect(ab).toBeLessThanOrEqual(1);
        if (tokenize(a).length > 0) expect(similarity(a, a)).toBe(1);
      }),
      { numRuns: 500 },
    );
  });
});

describe("suggestCategories", () => {
  const nameOf = (code: string): string | undefined => CATEGORY_SEEDS.find((c) => c.code === code)?.name;

  it("puts a manhole cover category first for a missing cover", () => {
    const suggestions = suggestCategories(MANHOLE, CATEGORY_SEEDS);
    expect(suggestions[0].code).toBe("event.emergency.manhole_cover_missing");
    expect(nameOf(suggestions[0].code)).toContain("井盖");
  });

  it("recognises a street stall", () => {
    const suggestions = suggestCategories(VENDOR, CATEGORY_SEEDS);
    expect(suggestions[0].code).toBe("event.street_order.road_occupation");
    expect(nameOf(suggestions[0].code)).toBe("占道经营");
  });

  it("files renovation noise as construction noise, with noise and neighbours as alternatives", () => {
    const codes = suggestCategories(RENOVATION, CATEGORY_SEEDS).map((s) => s.code);
    expect(codes[0]).toBe("event.construction.construction_noise");
    expect(codes).toContain("governance.dispute.neighbour");
  });

  it("recognises other everyday reports", () => {
    const first = (text: string): string | undefined => suggestCategories(text, CATEGORY_SEEDS)[0]?.code;
    expect(first(WAGES)).toBe("governance.dispute.labour");
    expect(first("人民路和北京路交叉口红绿灯不亮")).toBe("component.road_traffic.traffic_signal");
    expect(first("楼道里有人给电动车飞线充电")).toBe("governance.safety.fire_hazard");
    expect(first("小区里非机动车乱停放，把路都堵了")).toBe("event.street_order.bike_parking");
    expect(first("3号楼独居老人好几天没出门了")).toBe("governance.care.empty_nest_elderly");
  });

  it("weighs a long keyword above a short one", () => {
    const categories = [
      { code: "short", keywords: ["井盖"] },
      { code: "long", keywords: ["井盖不见了"] },
    ];
    const [best, second] = suggestCategories(MANHOLE, categories);
    expect(best.code).toBe("long");
    expect(best.score).toBeGreaterThan(second.score);
  });

  it("does not count a keyword again inside a longer hit of the same category", () => {
    const once = suggestCategories(RENOVATION, [{ code: "a", keywords: ["装修噪音"] }]);
    const nested = suggestCategories(RENOVATION, [{ code: "a", keywords: ["装修噪音", "装修", "噪音"] }]);
    expect(nested[0].score).toBe(once[0].score);
  });

  it("keeps scores in (0, 1), best first, and honours the limit", () => {
    const suggestions = suggestCategories("路边垃圾桶满了，垃圾没人清，还有人乱扔垃圾", CATEGORY_SEEDS, 5);
    expect(suggestions.length).toBeGreaterThan(1);
    expect(suggestions.length).toBeLessThanOrEqual(5);
    for (let k = 0; k < suggestions.length; k++) {
      expect(suggestions[k].score).toBeGreaterThan(0);
      expect(suggestions[k].score).toBeLessThan(1);
      if (k > 0) expect(suggestions[k].score).toBeLessThanOrEqual(suggestions[k - 1].score);
    }
    expect(suggestCategories(MANHOLE, CATEGORY_SEEDS, 1)).toHaveLength(1);
  });

  it("is empty when nothing matches", () => {
    expect(suggestCategories("今天天气不错", CATEGORY_SEEDS)).toEqual([]);
    expect(suggestCategories("", CATEGORY_SEEDS)).toEqual([]);
  });
});

describe("distanceMeters", () => {
  it("measures one degree of latitude as about 111.2 km", () => {
    expect(distanceMeters(25, 102.7, 26, 102.7)).toBeCloseTo(111_195, -1);
  });

  it("shrinks a degree of longitude with the cosine of latitude at Kunming", () => {
    const d = distanceMeters(25.04, 102.7, 25.04, 103.7);
    expect(d).toBeCloseTo(111_195 * Math.cos((25.04 * Math.PI) / 180), -1);
  });

  it("is zero for one point and symmetric", () => {
    expect(distanceMeters(25.04, 102.71, 25.04, 102.71)).toBe(0);
    const there = distanceMeters(25.04, 102.71, 25.06, 102.73);
    expect(distanceMeters(25.06, 102.73, 25.04, 102.71)).toBeCloseTo(there, 9);
    // 0.02° north (2,224 m) and 0.02° east at 25°N (2,015 m): about 3,001 m.
    expect(there).toBeGreaterThan(2_990);
    expect(there).toBeLessThan(3_010);
  });

  it("gives half the circumference for antipodal points", () => {
    expect(distanceMeters(0, 0, 0, 180)).toBeCloseTo(Math.PI * 6_371_008.8, 3);
  });
});

describe("searchTerms", () => {
  it("joins distinct tokens with single spaces", () => {
    const terms = searchTerms("井盖井盖 ABC abc");
    expect(terms.split(" ")).toEqual([...new Set(terms.split(" "))]);
    expect(terms).not.toMatch(/\s{2}|^\s|\s$/);
    expect(terms.split(" ")).toContain("abc");
  });

  it("lets a query find a report whichever way the segmenter split it", () => {
    const stored = ` ${searchTerms(MANHOLE)} `;
    for (const term of tokenize("井盖")) expect(stored).toContain(` ${term} `);
  });

  it("is empty for text without tokens", () => {
    expect(searchTerms("，。")).toBe("");
  });

  it("reads back as the token set duplicates are scored on", () => {
    const text = fc.oneof(fc.string({ unit: fc.constantFrom(..."井盖小区门口的了垃圾路灯不亮摆摊，。 ab1ＡＢ"), maxLength: 40 }), fc.string({ maxLength: 40 }));
    fc.assert(
      fc.property(text, (a) => {
        expect(termsOf(searchTerms(a))).toEqual(new Set(tokenize(a)));
      }),
      { numRuns: 500 },
    );
  });
});

/**
 * Text helpers for case reports: tokenising Chinese text, comparing reports for
 * duplicates, suggesting a category from keywords, and distances between reports.
 */

/** A category proposed for a report; a higher score is a better match, in (0, 1). */
export type CategorySuggestion = { code: string; score: number };

// Function words and greetings that carry nothing about the problem reported.
const STOP_WORDS = new Set([
  "的", "了", "在", "是", "我", "有", "和", "就", "都", "也", "很", "这", "那", "一个",
  "请", "您好", "你好", "谢谢", "着", "吗", "呢", "吧", "啊", "呀", "哦", "嗯", "把", "被",
  "给", "让", "与", "及", "或", "等", "还", "又", "太", "我们", "你们", "他们", "你", "您",
  "他", "她", "它", "这个", "那个", "这里", "那里", "一下", "麻烦", "请问", "非常", "已经",
]);

const HAN = /^\p{Script=Han}+$/u;
const WORD_SEGMENTER = new Intl.Segmenter("zh-CN", { granularity: "word" });

/** Full-width forms folded (NFKC) and Latin lower-cased, so "ＡＢＣ" and "abc" agree. */
function normalize(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

/**
 * Splits a report into tokens: words from `Intl.Segmenter`, without punctuation
 * and stop words, plus the character bigrams of each run of consecutive Chinese
 * words. The segmenter's dictionary splits the same phrase differently depending
 * on its neighbours ("井盖" may come out as "井" + "盖"); bigrams make two texts
 * about the same thing share tokens anyway.
 *
 * A two-character Chinese word is the bigram at its own position, so it is
 * emitted once, as that bigram. Latin words and numbers come out lower-cased.
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  // The current run of Chinese words: its characters, and the words to keep with their start.
  let chars: string[] = [];
  let words: { start: number; word: string }[] = [];
  const flushRun = (): void => {
    let next = 0;
    for (let k = 0; k < chars.length; k++) {
      while (next < words.length && words[next].start === k) tokens.push(words[next++].word);
      if (k + 1 < chars.length) tokens.push(chars[k] + chars[k + 1]);
    }
    chars = [];
    words = [];
  };
  for (const { segment, isWordLike } of WORD_SEGMENTER.segment(normalize(text))) {
    if (!isWordLike || STOP_WORDS.has(segment)) {
      flushRun();
    } else if (!HAN.test(segment)) {
      flushRun();
      tokens.push(segment);
    } else {
      const length = Array.from(segment).length;
      if (length !== 2) words.push({ start: chars.length, word: segment });
      chars.push(...Array.from(segment));
    }
  }
  flushRun();
  return tokens;
}

/**
 * How alike two reports are, in [0, 1], from their token sets (`termsOf` their search columns):
 * the cosine |A ∩ B| / √(|A|·|B|).
 * Cosine rather than Jaccard because reports of one problem differ a lot in length (a hotline
 * transcript against a one-line app report): cosine divides by the geometric mean of the two
 * sizes, Jaccard by the size of the union, which punishes the long text's extra words much harder.
 * Sets rather than counts, because a case stores its token set (`searchTerms`): a report is
 * compared with the cases around it without segmenting their text again. Identical texts score 1;
 * a text without any token scores 0 against everything.
 */
export function termSimilarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const token of small) if (large.has(token)) shared++;
  // Integer sizes: sqrt(n·n) is exactly n, so a set against itself scores exactly 1.
  return Math.min(1, shared / Math.sqrt(a.size * b.size));
}

/** The token set of a search column written by `searchTerms`. */
export function termsOf(searchText: string): Set<string> {
  return new Set(searchText.split(" ").filter((token) => token.length > 0));
}

/** Text reduced for keyword lookup: normalised, without spaces and punctuation. */
function compact(text: string): string {
  return normalize(text).replace(/[\s\p{P}\p{S}]+/gu, "");
}

/** Weight of one keyword hit: grows faster than its length, so specific phrases win. */
function keywordWeight(keyword: string): number {
  return Array.from(keyword).length ** 1.5;
}

/** Scores are raw / (raw + this): a single two-character hit gives about 0.3. */
const SCORE_HALF_POINT = 6;

// Keyword lists come from cached category rows: compacted once per list, not once per report.
const compactedKeywords = new WeakMap<readonly string[], string[]>();

/** A category's keywords compacted, without duplicates and empties, longest first. */
function compactKeywords(keywords: readonly string[]): string[] {
  let compacted = compactedKeywords.get(keywords);
  if (!compacted) {
    compacted = [...new Set(keywords.map(compact).filter((k) => k.length > 0))].sort((x, y) => y.length - x.length);
    compactedKeywords.set(keywords, compacted);
  }
  return compacted;
}

/**
 * Categories whose keywords occur in the text, best first, at most `limit`.
 * Keywords are matched as substrings, which does not depend on segmentation.
 * Each hit weighs length^1.5, so "井盖不见了" outweighs "井盖" plus "门口"; within
 * one category a keyword found only inside a longer keyword's hit is not counted
 * again ("装修噪音" does not also score "装修" and "噪音"). Empty when nothing matches.
 */
export function suggestCategories(
  text: string,
  categories: { code: string; keywords: string[] }[],
  limit = 3,
): CategorySuggestion[] {
  const haystack = compact(text);
  if (haystack.length === 0 || limit <= 0) return [];
  const scored: { code: string; raw: number; longest: number; order: number }[] = [];
  categories.forEach((category, order) => {
    const keywords = compactKeywords(category.keywords);
    // Made at the category's first hit: most categories have none in a given report.
    let covered: Uint8Array | undefined;
    let raw = 0;
    let longest = 0;
    for (const keyword of keywords) {
      let counted = false;
      for (let at = haystack.indexOf(keyword); at !== -1; at = haystack.indexOf(keyword, at + 1)) {
        const end = at + keyword.length;
        covered ??= new Uint8Array(haystack.length);
        // Counted when the hit covers a character no longer keyword's hit did.
        const uncovered = covered.indexOf(0, at);
        if (uncovered !== -1 && uncovered < end) counted = true;
        covered.fill(1, at, end);
      }
      if (counted) {
        raw += keywordWeight(keyword);
        longest = Math.max(longest, keyword.length);
      }
    }
    if (raw > 0) scored.push({ code: category.code, raw, longest, order });
  });
  scored.sort((x, y) => y.raw - x.raw || y.longest - x.longest || x.order - y.order);
  return scored.slice(0, limit).map(({ code, raw }) => ({ code, score: raw / (raw + SCORE_HALF_POINT) }));
}

/** Mean Earth radius (IUGG), in metres. */
const EARTH_RADIUS_METERS = 6_371_008.8;

/** Great-circle distance in metres between two WGS-84 points (haversine formula). */
export function distanceMeters(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  // Rounding can push h a hair above 1 for antipodal points.
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.sqrt(Math.min(1, h)));
}

/**
 * The distinct tokens of a text, in first-seen order, joined by single spaces:
 * the value of a case's search column. Because Chinese bigrams are included, a
 * query tokenised the same way finds a case with `LIKE '%井盖%'` (or a pg_trgm
 * index on the column) whichever way the segmenter split either text; wrapping
 * the column in spaces (`' ' || terms || ' ' LIKE '% 井盖 %'`) matches whole tokens.
 */
export function searchTerms(text: string): string {
  return [...new Set(tokenize(text))].join(" ");
}

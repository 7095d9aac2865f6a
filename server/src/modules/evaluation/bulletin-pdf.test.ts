import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bulletinPdf } from "./bulletin-pdf.ts";
import { handBulletin, sampleBulletin } from "./bulletin-sample.ts";
import { formatIndex } from "./bulletin-text.ts";

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bulletin-pdf-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The PDF's text as poppler reads it, one string per page, columns kept on their lines. */
async function pagesOf(pdf: Buffer, name: string): Promise<string[]> {
  const file = join(dir, `${name}.pdf`);
  await writeFile(file, pdf);
  const { stdout } = await run("pdftotext", ["-layout", "-enc", "UTF-8", file, "-"], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.split("\f").slice(0, -1);
}

async function fontsOf(pdf: Buffer, name: string): Promise<string> {
  const file = join(dir, `${name}-fonts.pdf`);
  await writeFile(file, pdf);
  return (await run("pdffonts", [file])).stdout;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** 第 2 页 共 9 页, as poppler lays it out (it drops spaces between Chinese characters and digits). */
const pageNumber = (page: number, pages: number) => new RegExp(`第\\s*${page}\\s*页\\s*共\\s*${pages}\\s*页`);

describe("bulletinPdf", () => {
  it("writes the title, the totals, rankings, lowest ranked, overdue cases and corrections in Chinese", async () => {
    const pages = await pagesOf(await bulletinPdf(handBulletin()), "hand");
    const text = pages.join("\n");
    expect(text).toContain("盘龙区网格化服务管理工作通报（2026年11月下半月）");
    expect(text).toContain("统计时段：2026年11月16日至2026年11月30日");
    // Zhengzhou's published figures, to two decimals.
    for (const figure of ["51,571", "51,229", "99.34%", "95.94%", "52,434", "43,523", "83.01%", "40,394", "77.04%", "0.53%", "0.20%"]) {
      expect(text).toContain(figure);
    }
    expect(text).toMatch(/结案率\s+83\.01%/);
    expect(text).toMatch(/满意率\s+—/);
    expect(text).toMatch(/1\s+鼓楼街道\s+92\.50\s+↑2/);
    expect(text).toMatch(/2\s+滇源街道\s+79\.60\s+新/);
    expect(text).toMatch(/2\s+市生态环境局盘龙分局\s+71\.30\s+0/);
    expect(text).toMatch(/202611200007\s+金星社区井盖缺失\s+拓东街道\s+区城市管理局\s+2026-11-20 17:30\s+130\.50/);
    expect(text).toMatch(/2026年11月上半月\s+街道\s+530103011\s+滇源街道\s+结案数\s+2,688\s+2,690\s+\+2/);
    expect(text).toMatch(/结案率\s+83\.01%\s+83\.05%\s+\+0\.04个百分点/);
    expect(pages.at(-1)).toMatch(pageNumber(pages.length, pages.length));
    for (const page of pages) expect(page).toContain("生成时间 2026-12-01 08:30");
  });

  it("embeds a subset of Noto Sans SC, regular and bold", async () => {
    const fonts = await fontsOf(await bulletinPdf(handBulletin()), "hand");
    for (const name of ["NotoSansSC-Regular", "NotoSansSC-Bold"]) {
      // "+" marks a subset; then type, encoding, and emb sub uni all yes.
      expect(fonts).toMatch(new RegExp(`[A-Z]{6}\\+${name}\\s+CID TrueType\\s+Identity-H\\s+yes\\s+yes\\s+yes`));
    }
  });

  it("breaks a long ranking between rows, repeating its caption and header on every page", async () => {
    const data = sampleBulletin({ streets: 4, communities: 90, departments: 0, gridWorkers: 0, overdueCases: 0 });
    const pdf = await bulletinPdf(data);
    const pages = await pagesOf(pdf, "long");
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const communities = data.levels.find((level) => level.kind === "community")!;
    const onPages = new Set<number>();
    for (const row of communities.rows) {
      // The rank, name and index on one line, in each of the ranking's two tables: no row is split.
      const line = new RegExp(`^\\s*${row.rank}\\s+${escape(row.name)}\\s+${escape(formatIndex(row.index))}\\s`, "m");
      const found = pages.flatMap((page, p) => page.split("\n").filter((text) => line.test(text)).map(() => p));
      expect(found, row.name).toHaveLength(2);
      found.forEach((p) => onPages.add(p));
    }
    const rankingPages = [...onPages].sort((a, b) => a - b);
    expect(rankingPages.length).toBeGreaterThanOrEqual(3);
    for (const p of rankingPages) {
      expect(pages[p], `page ${p + 1}`).toMatch(/排名\s+名称\s+治理指数\s+名次变化/);
      expect(pages[p], `page ${p + 1}`).toContain("社区排名（2026年11月下半月）");
    }
    // Pages after the first of the ranking say it goes on.
    expect(pages[rankingPages.at(-1)!]).toContain("（续）");
    // The last rows, which come after several page breaks, are there.
    const last = [...communities.rows].sort((a, b) => b.rank - a.rank)[0];
    expect(pages.slice(rankingPages[1]).join("\n")).toContain(last.name);
    pages.forEach((page, p) => expect(page).toMatch(pageNumber(p + 1, pages.length)));
    // A subset keeps the file small: the whole font alone is 10 MB.
    expect(pdf.length).toBeLessThan(400_000);
  });

  it("says so for a level, overdue list or corrections with nothing in them, and cuts a title too long for a page", async () => {
    const data = handBulletin();
    data.levels[1].rows = [];
    data.corrections = [];
    data.overdueCases[0].title = `${"井盖缺失".repeat(1000)}尾`;
    const pages = await pagesOf(await bulletinPdf(data), "edges");
    const text = pages.join("\n");
    expect(text).toMatch(/部门排名\s+无。/);
    expect(text).toMatch(/对已发布通报数据的更正\s+无。/);
    expect(text).toContain("井盖缺失井盖缺失");
    expect(text).toContain("…");
    expect(text).not.toContain("尾");
    expect(pages.length).toBeLessThanOrEqual(2);
  });

  it("is in English when the bulletin is", async () => {
    const text = (await pagesOf(await bulletinPdf({ ...handBulletin(), locale: "en" }), "en")).join("\n");
    expect(text).toContain("盘龙区 grid governance bulletin (November 2026, second half)");
    expect(text).toMatch(/Closure rate\s+83\.01%/);
    expect(text).toMatch(/Page 1 of \d+/);
    expect(text).toMatch(/\+0\.04 pp/);
    // Long English words in narrow headers shrink rather than break.
    const wide = await pagesOf(await bulletinPdf({ ...sampleBulletin({ streets: 3, communities: 0, departments: 0, gridWorkers: 0, overdueCases: 0 }), locale: "en" }), "en-wide");
    expect(wide.join("\n")).toContain("Street ranking (November 2026, second half) (1/2)");
    expect(wide.join("\n")).toMatch(/Rank\s+Name\s+Governance\s+Change\s+Registration\s+Dispatch\s+Closure/);
  });
});

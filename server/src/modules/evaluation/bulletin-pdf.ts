/**
 * A bulletin as a PDF: A4 landscape (ranking tables are wide), Chinese set in Noto Sans SC, which
 * comes with `npm install` and is embedded as a subset of the characters used. Tables break
 * between rows only, repeat their header row on every page, and every page carries its number and
 * the time the bulletin was generated.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { loadPdfKit } from "../../libraries.ts";
import type { BulletinData, BulletinLevel, IndicatorName, RankedRow } from "./bulletin-data.ts";
import {
  bulletinTitle, bulletinWords, figureStyle, formatChange, formatFigure, formatHours, formatIndex, formatShanghaiTime,
  indicatorLabel, kindLabel, levelIndicators, overdueInOrder, periodLabel, periodRange, totalIndicators, worstRows,
} from "./bulletin-text.ts";

const require = createRequire(import.meta.url);
const FONT_FILES = {
  regular: require.resolve("@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf"),
  bold: require.resolve("@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf"),
};
/** Read once per process: 10 MB each, and every bulletin needs them. */
let fonts: Promise<{ regular: Buffer; bold: Buffer }> | undefined;
const loadFonts = () => {
  fonts ??= Promise.all([readFile(FONT_FILES.regular), readFile(FONT_FILES.bold)]).then(([regular, bold]) => ({ regular, bold }));
  return fonts;
};

type Doc = PDFKit.PDFDocument;
type Align = "left" | "center" | "right";
type PdfColumn = { header: string; width: number; align: Align };

const MARGIN = { top: 42, bottom: 46, left: 36, right: 36 };
const BODY_SIZE = 7.5;
const PAD = 2.5;
/** Narrowest figure column: 99.99% and 1,234,567 on one line, a label on two or three. */
const MIN_FIGURE_WIDTH = 42;
const RULE = "#b4b4b4";
const HEADER_FILL = "#d9e1f2";
const STRIPE_FILL = "#f4f6fa";
const MUTED = "#555555";

/** Where tables may draw: between the margins, above the footer. */
const bottomOf = (doc: Doc) => doc.page.height - MARGIN.bottom;
const contentWidth = (doc: Doc) => doc.page.width - MARGIN.left - MARGIN.right;

function cellHeight(doc: Doc, text: string, width: number): number {
  const inner = width - 2 * PAD;
  // Most cells are short figures on one line; measuring a wrap is only needed for long text.
  const height = doc.widthOfString(text) <= inner ? doc.currentLineHeight() : doc.heightOfString(text, { width: inner });
  return height + 2 * PAD;
}

/** A row must fit on a page: text beyond this (a resident's very long title) is cut. */
const MAX_CELL_CHARACTERS = 160;
const clip = (text: string): string => {
  const characters = [...text];
  return characters.length <= MAX_CELL_CHARACTERS ? text : `${characters.slice(0, MAX_CELL_CHARACTERS - 1).join("")}…`;
};

/**
 * The size of a column's header: the body's, or smaller where a word (English has long ones)
 * would otherwise be cut in the middle. Chinese breaks between any two characters and never shrinks.
 */
function headerSize(doc: Doc, column: PdfColumn): number {
  doc.font("bold").fontSize(BODY_SIZE);
  const words = column.header.match(/[^\s\u2E80-\uFFEF]+/gu) ?? [];
  const widest = Math.max(0, ...words.map((word) => doc.widthOfString(word)));
  const inner = column.width - 2 * PAD;
  return widest <= inner ? BODY_SIZE : Math.floor((BODY_SIZE * inner * 2) / widest) / 2;
}

/**
 * Draws a table under a caption. A row never splits: when it does not fit it starts the next page,
 * under the caption marked as continued and the header row again. The caption, the header and the
 * first row stay together.
 */
function table(doc: Doc, caption: string, columns: PdfColumn[], cellTexts: string[][], continued: string): void {
  const rows = cellTexts.map((cells) => cells.map(clip));
  const left = MARGIN.left;
  const width = columns.reduce((sum, column) => sum + column.width, 0);
  const captionHeight = () => {
    doc.font("bold").fontSize(9);
    return doc.currentLineHeight() + 4;
  };
  const headerSizes = columns.map((column) => headerSize(doc, column));
  const headerHeight = () =>
    Math.max(...columns.map((column, c) => {
      doc.font("bold").fontSize(headerSizes[c]);
      return cellHeight(doc, column.header, column.width);
    }));
  const rowHeight = (cells: string[]) => {
    doc.font("regular").fontSize(BODY_SIZE);
    return Math.max(...columns.map((column, c) => cellHeight(doc, cells[c] ?? "", column.width)));
  };
  const drawCells = (cells: string[], y: number, height: number, font: "regular" | "bold", fill: string | null) => {
    if (fill) doc.rect(left, y, width, height).fill(fill);
    doc.font(font).fontSize(BODY_SIZE).fillColor("black");
    let x = left;
    columns.forEach((column, c) => {
      if (font === "bold") doc.fontSize(headerSizes[c]);
      doc.text(cells[c] ?? "", x + PAD, y + PAD, { width: column.width - 2 * PAD, align: column.align, lineGap: 0 });
      x += column.width;
    });
    doc.moveTo(left, y + height).lineTo(left + width, y + height).lineWidth(0.5).strokeColor(RULE).stroke();
  };
  const drawHead = (y: number, more: boolean): number => {
    doc.font("bold").fontSize(9).fillColor("black").text(more ? `${caption}${continued}` : caption, left, y, { width, lineBreak: false });
    y += captionHeight();
    const height = headerHeight();
    doc.moveTo(left, y).lineTo(left + width, y).lineWidth(0.5).strokeColor(RULE).stroke();
    drawCells(columns.map((column) => column.header), y, height, "bold", HEADER_FILL);
    return y + height;
  };

  let y = doc.y;
  const firstRow = rows.length > 0 ? rowHeight(rows[0]) : 0;
  if (y + captionHeight() + headerHeight() + firstRow > bottomOf(doc)) {
    doc.addPage();
    y = doc.y;
  }
  y = drawHead(y, false);
  rows.forEach((cells, r) => {
    const height = rowHeight(cells);
    if (y + height > bottomOf(doc)) {
      doc.addPage();
      y = drawHead(doc.y, true);
    }
    drawCells(cells, y, height, "regular", r % 2 === 1 ? STRIPE_FILL : null);
    y += height;
  });
  doc.x = left;
  doc.y = y + 10;
}

function heading(doc: Doc, text: string): void {
  doc.font("bold").fontSize(11);
  // A heading never ends a page: it needs room for itself and a few lines under it.
  if (doc.y + doc.currentLineHeight() + 60 > bottomOf(doc)) doc.addPage();
  doc.fillColor("black").text(text, MARGIN.left, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.3);
}

function paragraph(doc: Doc, text: string, color = "black"): void {
  doc.font("regular").fontSize(9);
  if (doc.y + doc.heightOfString(text, { width: contentWidth(doc) }) > bottomOf(doc)) doc.addPage();
  doc.fillColor(color).text(text, MARGIN.left, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.4);
}

const ZH_NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"];
const sectionNumber = (n: number, locale: BulletinData["locale"]) => (locale === "en" ? `${n + 1}. ` : `${ZH_NUMERALS[n] ?? n + 1}、`);

/**
 * The figure columns of a ranking in tables that fit the page: rates and hours (what the index is
 * made of) in the first, counts in the next, each split again only if it is too wide.
 */
function figureGroups(indicators: IndicatorName[], room: number): IndicatorName[][] {
  const perGroup = Math.max(1, Math.floor(room / MIN_FIGURE_WIDTH));
  const groups: IndicatorName[][] = [];
  for (const part of [
    indicators.filter((indicator) => figureStyle(indicator) !== "count"),
    indicators.filter((indicator) => figureStyle(indicator) === "count"),
  ]) {
    const parts = Math.ceil(part.length / perGroup);
    const size = Math.ceil(part.length / Math.max(1, parts));
    for (let k = 0; k < part.length; k += size) groups.push(part.slice(k, k + size));
  }
  return groups.length > 0 ? groups : [[]];
}

function rankingTables(doc: Doc, data: BulletinData, level: BulletinLevel, caption: string): void {
  const { locale } = data;
  const words = bulletinWords(locale);
  const rows = [...level.rows].sort((a, b) => a.rank - b.rank || a.code.localeCompare(b.code));
  const fixed: [PdfColumn, (row: RankedRow) => string][] = [
    [{ header: words.rank, width: 30, align: "center" }, (row) => String(row.rank)],
    [{ header: words.name, width: 120, align: "left" }, (row) => row.name],
    [{ header: words.index, width: 48, align: "right" }, (row) => formatIndex(row.index)],
    [{ header: words.change, width: 38, align: "center" }, (row) => formatChange(row.change, locale)],
  ];
  const room = contentWidth(doc) - fixed.reduce((sum, [column]) => sum + column.width, 0);
  const groups = figureGroups(levelIndicators(level), room);
  // Every table of a ranking has the same column widths, as wide as the page allows.
  const figureWidth = Math.min(72, Math.floor(room / Math.max(1, ...groups.map((group) => group.length))));
  groups.forEach((group, g) => {
    const columns = [
      ...fixed.map(([column]) => column),
      ...group.map((indicator): PdfColumn => ({ header: indicatorLabel(indicator, locale), width: figureWidth, align: "right" })),
    ];
    const cells = rows.map((row) => [
      ...fixed.map(([, cell]) => cell(row)),
      ...group.map((indicator) => formatFigure(indicator, row.figures[indicator])),
    ]);
    table(doc, groups.length > 1 ? `${caption}${words.bracket(`${g + 1}/${groups.length}`)}` : caption, columns, cells, words.continued);
  });
}

export async function bulletinPdf(data: BulletinData): Promise<Buffer> {
  const { locale } = data;
  const words = bulletinWords(locale);
  const title = bulletinTitle(data);
  const period = periodLabel(data.period, locale);
  const generated = formatShanghaiTime(data.generatedAt);
  const { regular, bold } = await loadFonts();

  const PDFDocument = await loadPdfKit();
  const doc = new PDFDocument({
    size: "A4",
    layout: "landscape",
    margins: MARGIN,
    bufferPages: true,
    lang: locale,
    displayTitle: true,
    info: { Title: title, Author: data.regionName, Subject: period, CreationDate: new Date(data.generatedAt) },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  doc.registerFont("regular", regular);
  doc.registerFont("bold", bold);

  doc.font("bold").fontSize(16).text(title, { align: "center" });
  doc.moveDown(0.3);
  doc.font("regular").fontSize(9).fillColor(MUTED)
    .text(`${words.period}${locale === "en" ? ": " : "："}${periodRange(data.period, locale)}    ${words.generatedAt}${locale === "en" ? ": " : "："}${generated} ${words.beijingTime}`, { align: "center" });
  doc.moveDown(1);

  let section = 0;
  heading(doc, `${sectionNumber(section++, locale)}${words.totals}`);
  const totals = totalIndicators(data.totals);
  // Three indicator–value pairs side by side, read down each pair of columns.
  const pairs = 3;
  const perColumn = Math.ceil(totals.length / pairs);
  const pairWidth = contentWidth(doc) / pairs;
  const totalColumns = Array.from({ length: pairs }, (): PdfColumn[] => [
    { header: words.indicator, width: pairWidth - 80, align: "left" },
    { header: words.value, width: 80, align: "right" },
  ]).flat();
  const totalRows = Array.from({ length: perColumn }, (_, r) =>
    Array.from({ length: pairs }, (_, p) => {
      const indicator = totals[p * perColumn + r];
      return indicator ? [indicatorLabel(indicator, locale), formatFigure(indicator, data.totals[indicator])] : ["", ""];
    }).flat());
  if (totals.length > 0) table(doc, `${data.regionName}${words.bracket(period)}`, totalColumns, totalRows, words.continued);
  else paragraph(doc, words.none);
  // What the tables' signs mean, before the first of them.
  paragraph(doc, `${words.noFigureNote}  ${words.changeNote}`, MUTED);

  for (const level of data.levels) {
    heading(doc, `${sectionNumber(section++, locale)}${words.ranking(level.kind)}`);
    if (level.rows.length > 0) rankingTables(doc, data, level, `${words.ranking(level.kind)}${words.bracket(period)}`);
    else paragraph(doc, words.none);
  }

  heading(doc, `${sectionNumber(section++, locale)}${words.worst}`);
  const worst = data.levels.flatMap((level) => worstRows(level, data.worst).map((row) => [
    kindLabel(level.kind, locale), String(row.rank), row.name, formatIndex(row.index), formatChange(row.change, locale), String(level.rows.length),
  ]));
  if (worst.length > 0) {
    table(doc, words.worstHeading(data.worst), [
      { header: words.level, width: 70, align: "left" }, { header: words.rank, width: 40, align: "center" },
      { header: words.name, width: 200, align: "left" }, { header: words.index, width: 70, align: "right" },
      { header: words.change, width: 60, align: "center" }, { header: words.ranked, width: 70, align: "right" },
    ], worst, words.continued);
  } else paragraph(doc, words.none);

  heading(doc, `${sectionNumber(section++, locale)}${words.overdue}`);
  if (data.overdueCases.length > 0) {
    table(doc, words.overdueCount(data.overdueCases.length), [
      { header: words.caseNumber, width: 100, align: "left" }, { header: words.caseTitle, width: 230, align: "left" },
      { header: words.division, width: 110, align: "left" }, { header: words.department, width: 130, align: "left" },
      { header: words.deadline, width: 90, align: "center" }, { header: words.overdueHours, width: contentWidth(doc) - 660, align: "right" },
    ], overdueInOrder(data.overdueCases).map((item) => [
      item.number, item.title, item.divisionName, item.departmentName ?? "—", formatShanghaiTime(item.deadline), formatHours(item.overdueWorkingHours),
    ]), words.continued);
  } else paragraph(doc, words.none);

  heading(doc, `${sectionNumber(section++, locale)}${words.correctionsHeading}`);
  if (data.corrections.length > 0) {
    table(doc, words.correctionCount(data.corrections.length), [
      { header: words.correctedPeriod, width: 110, align: "left" }, { header: words.level, width: 60, align: "left" },
      { header: words.code, width: 90, align: "left" }, { header: words.name, width: 150, align: "left" },
      { header: words.indicator, width: 130, align: "left" }, { header: words.published, width: 80, align: "right" },
      { header: words.now, width: 80, align: "right" }, { header: words.difference, width: contentWidth(doc) - 700, align: "right" },
    ], data.corrections.map((item) => [
      periodLabel(item.period, locale), kindLabel(item.kind, locale), item.code, item.name, indicatorLabel(item.indicator, locale),
      formatFigure(item.indicator, item.published), formatFigure(item.indicator, item.now),
      item.published === null || item.now === null ? "—" : difference(item.indicator, item.now - item.published, locale),
    ]), words.continued);
  } else paragraph(doc, words.none);

  // Footers go in the bottom margin, which text may not enter unless the margin is lifted.
  const range = doc.bufferedPageRange();
  for (let page = range.start; page < range.start + range.count; page++) {
    doc.switchToPage(page);
    doc.page.margins.bottom = 0;
    const y = doc.page.height - MARGIN.bottom + 16;
    const width = contentWidth(doc);
    doc.font("regular").fontSize(8).fillColor(MUTED);
    doc.text(title, MARGIN.left, y, { width, align: "left", lineBreak: false });
    doc.text(words.page(page + 1, range.count), MARGIN.left, y, { width, align: "center", lineBreak: false });
    doc.text(`${words.generatedAt} ${generated}`, MARGIN.left, y, { width, align: "right", lineBreak: false });
    doc.page.margins.bottom = MARGIN.bottom;
  }
  doc.end();
  return finished;
}

/** A difference with its sign, in its indicator's unit (percentage points for a rate). */
function difference(indicator: IndicatorName, value: number, locale: BulletinData["locale"]): string {
  const sign = value > 0 ? "+" : value < 0 ? "−" : "";
  if (figureStyle(indicator) !== "rate") return `${sign}${formatFigure(indicator, Math.abs(value))}`;
  // Percentage points, with the decimals it takes for a change of one case in thousands to show.
  const points = Math.abs(value) * 100;
  const text = points.toFixed(points >= 0.005 ? 2 : 4);
  return `${sign}${text}${locale === "en" ? " pp" : "个百分点"}`;
}

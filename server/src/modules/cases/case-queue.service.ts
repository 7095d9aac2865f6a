import type { AppContext } from "../../context.ts";
import { AppError, badRequest, notFound } from "../../errors.ts";
import { regionOf, writeAudit } from "../audit/audit.repository.ts";
import { codeInScope, requirePermission, type Actor } from "../auth/actor.ts";
import { maskPhone } from "../people/people.presenters.ts";
import { countCasesUnder, countMatchingCases, countOnSpotUnder, findCaseAnswers, findCasePage, findCasePosition, findNeighbour, type CasePageFilter, type PagePosition } from "./case-queue.repository.ts";
import { calendarFor } from "./calendars.ts";
import type { CountedIndicator } from "./counted-cases.ts";
import { answersText } from "./category-questions.ts";
import { countReturnsByDepartment } from "./case-reasons.repository.ts";
import { deadlineStatus, nearDueLimit, workingMinutesUntil, type DeadlineStatus } from "./deadlines.ts";
import { searchTerms } from "./text.ts";
import { STATUSES, type CaseStatus, type ClosureLevel } from "./workflow.ts";

export const QUEUES = ["mine", "centre", "near_due", "overdue"] as const;
export type CaseQueue = (typeof QUEUES)[number];

const FINISHED: readonly CaseStatus[] = ["rejected", "closed", "evaluated", "merged"];
export const OPEN: readonly CaseStatus[] = STATUSES.filter((status) => !FINISHED.includes(status));
/** Work an assignee holds: from dispatch until the handling is verified. */
const WITH_ASSIGNEE: readonly CaseStatus[] = ["dispatched", "in_progress", "handled"];
/** Cases waiting for their owning centre's dispatcher to accept, register or dispatch them. */
const WITH_CENTRE: readonly CaseStatus[] = ["reported", "accepted", "registered"];

export type CaseListQuery = {
  queue?: CaseQueue;
  statuses?: readonly string[];
  category?: string;
  division?: string;
  level?: ClosureLevel;
  source?: string;
  /** First and last day of creation (YYYY-MM-DD), both included. */
  from?: string;
  to?: string;
  q?: string;
  sort?: "created" | "deadline";
  handledOnSpot?: boolean;
  reviewed?: boolean;
  /** With from and to: the cases this indicator counts over those days, instead of the cases created then. */
  counted?: CountedIndicator;
  department?: string;
  person?: string;
  grid?: string;
  reporter?: string;
  limit: number;
  cursor?: string;
};

export type CaseSummary = ReturnType<typeof presentSummary>;

/** The start of a calendar day in China Standard Time (UTC+8 all year, no daylight saving). */
const startOfDay = (day: string) => new Date(`${day}T00:00:00+08:00`);
const DAY_MS = 24 * 3600_000;

const POSITION_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The opaque cursor for the page after `position`: base64url of `created_at|id`. */
export function encodeCursor(position: PagePosition): string {
  return Buffer.from(`${position.at}|${position.id}`).toString("base64url");
}

/** The position a cursor names; anything this API did not hand out is a 400. */
export function decodeCursor(cursor: string): PagePosition {
  const invalid = () => badRequest("invalid_cursor", "The cursor is not one this API returned");
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  const parts = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (parts.length !== 2) throw invalid();
  const [at, id] = parts;
  if (!POSITION_AT.test(at) || !UUID.test(id)) throw invalid();
  // The pattern lets through dates like 02-30, which Date would roll over instead of refusing,
  // and the year 0000, which Date takes and the database has not (1 BC comes before 1 AD).
  const instant = new Date(at);
  if (Number.isNaN(instant.getTime()) || instant.toISOString().slice(0, 23) !== at.slice(0, 23) || instant.getUTCFullYear() < 1) throw invalid();
  return { at, id };
}

type DeadlineRow = { status: string; handle_by: Date; region_code: string };

/** Where an open case stands against its handling deadline, on its region's calendar; null once it is finished. */
function deadlineOf(row: DeadlineRow, now: Date): DeadlineStatus | null {
  if ((FINISHED as readonly string[]).includes(row.status)) return null;
  return deadlineStatus(row.handle_by, now, calendarFor(row.region_code));
}

/** The working minutes an open case has left until its handling deadline (`workingMinutesUntil`); null once it is finished. */
function workingMinutesLeft(row: DeadlineRow, now: Date): number | null {
  if ((FINISHED as readonly string[]).includes(row.status)) return null;
  return workingMinutesUntil(row.handle_by, now, calendarFor(row.region_code));
}

type SummaryRow = Awaited<ReturnType<typeof findCasePage>>[number];

function presentSummary(row: SummaryRow, now: Date) {
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    level: row.level,
    categoryCode: row.category_code,
    title: row.title,
    gridCode: row.grid_code,
    communityCode: row.community_code,
    streetCode: row.street_code,
    source: row.source,
    urgency: row.urgency,
    reporterPhone: maskPhone(row.reporter_phone),
    handleBy: row.handle_by.toISOString(),
    deadline: deadlineOf(row, now),
    handleWorkingMinutes: workingMinutesLeft(row, now),
    createdAt: row.created_at.toISOString(),
    returnRequested: row.return_request !== null,
    location: { lat: row.lat, lng: row.lng },
  };
}

/** What a queue adds to the filter: its statuses, and whose cases or which deadlines. */
function queueFilter(queue: CaseQueue | undefined, actor: Actor, now: Date): Partial<CasePageFilter> {
  switch (queue) {
    case undefined:
      return {};
    case "mine":
      // Only handlers are assignees (as in the workflow), so dispatched work never lands in the
      // queue of a grid worker or dispatcher who merely shares the assigned division.
      // A grid worker's tasks: dispatched to them, or to their community as a whole (its 自循环).
      if (actor.roles.includes("grid_worker") && !actor.roles.includes("handler")) {
        return { statuses: WITH_ASSIGNEE, assignee: { userId: actor.userId, departmentId: null, divisionCode: actor.scopeCode } };
      }
      if (!actor.roles.includes("handler")) return { statuses: [] };
      return {
        statuses: WITH_ASSIGNEE,
        assignee: { userId: actor.userId, departmentId: actor.departmentId, divisionCode: actor.scopeCode },
      };
    case "centre":
      // A return waiting for the centre's decision is the centre's work too.
      return { statuses: WITH_CENTRE, ownerDivision: actor.scopeCode ?? "", orReturnRequested: true };
    case "near_due":
      // The same rule as each case's `deadline`, on the calendar of the actor's region: a range on
      // handle_by up to the latest deadline with at most four working hours left.
      return { statuses: OPEN, handleByFrom: now, handleByUntil: nearDueLimit(now, calendarFor(regionOf(actor.scopeCode))) };
    case "overdue":
      return { statuses: OPEN, handleByBefore: now };
  }
}

export type ResolvedFilter = Omit<CasePageFilter, "limit" | "after">;

/** What a bare queue's query holds besides its conditions: which queue, and which page of it. */
const PAGE_KEYS: ReadonlySet<string> = new Set(["queue", "limit", "cursor"]);

const HAN = /^\p{Script=Han}+$/u;
/** A whole case number (530103-20261201-00012), within the actor's region by its first six digits. */
const CASE_NUMBER = /^\d{6}-\d{8}-\d{5,}$/;
/** The number's day and ordinal (20261201-00012 or 20261201-12), or its region and day (530103-20261201). */
const CASE_NUMBER_TAIL = /^(\d{8})-(\d{1,7})$/;
const CASE_NUMBER_DAY = /^(?:(\d{6})-)?(\d{4})(\d{2})(\d{2})$/;
/** Digits alone, at most seven: the ordinal a caller reads out (00012, or 12), or words of the text. */
const CASE_ORDINAL = /^\d{1,7}$/;
const ORDINAL_DIGITS = 5;

/** An ordinal as case numbers write it: at least five digits, zero-padded (12 → 00012). */
const ordinalOf = (digits: string) => digits.replace(/^0+(?=\d)/, "").padStart(ORDINAL_DIGITS, "0");

/** The creation range of a day in a case number (yyyymmdd, China Standard Time), if it is a real day. */
function numberDay(year: string, month: string, day: string): { createdFrom: Date; createdBefore: Date } | undefined {
  const iso = `${year}-${month}-${day}`;
  const start = startOfDay(iso);
  if (Number.isNaN(start.getTime()) || new Date(start.getTime() + 8 * 3600_000).toISOString().slice(0, 10) !== iso) return undefined;
  return { createdFrom: start, createdBefore: new Date(start.getTime() + DAY_MS) };
}

type TextFilter = Pick<CasePageFilter, "terms" | "characters" | "number" | "ordinal" | "createdFrom" | "createdBefore">;

/**
 * What `q` asks of a case: its number (whole, its day and ordinal, its day, or its ordinal alone),
 * or search terms that must all be among the case's stored terms. Digits alone ask for the ordinal
 * or the text: a case matches either. A Chinese word is asked for as its character bigrams, which
 * the stored terms hold however the segmenter split the case's text; a lone character, which no
 * bigram is, is a substring test. Null when nothing can match (text the tokenizer drops entirely:
 * punctuation, stop words, or a region or day that cannot be).
 */
export function textFilter(q: string, region: string): TextFilter | null {
  const trimmed = q.trim();
  if (CASE_NUMBER.test(trimmed)) return { number: trimmed };
  const tail = CASE_NUMBER_TAIL.exec(trimmed);
  if (tail) return { number: `${region}-${tail[1]}-${ordinalOf(tail[2])}` };
  const day = CASE_NUMBER_DAY.exec(trimmed);
  if (day) {
    if (day[1] !== undefined && day[1] !== region) return null;
    // Eight digits that are no day may be words of the text.
    return numberDay(day[2], day[3], day[4]) ?? (day[1] === undefined ? wordsFilter(q) : null);
  }
  const words = wordsFilter(q);
  if (CASE_ORDINAL.test(trimmed)) return { ...words, ordinal: ordinalOf(trimmed) };
  return words;
}

function wordsFilter(q: string): Pick<CasePageFilter, "terms" | "characters"> | null {
  const terms = new Set<string>();
  const characters = new Set<string>();
  for (const token of searchTerms(q).split(" ").filter(Boolean)) {
    const chars = Array.from(token);
    if (!HAN.test(token)) terms.add(token);
    else if (chars.length === 1) characters.add(token);
    else for (let k = 0; k + 1 < chars.length; k++) terms.add(chars[k] + chars[k + 1]);
  }
  // A character inside a bigram asked for is asked for already.
  const covered = [...terms].join("");
  const alone = [...characters].filter((char) => !covered.includes(char));
  if (terms.size === 0 && alone.length === 0) return null;
  return { terms: terms.size ? [...terms] : undefined, characters: alone.length ? alone : undefined };
}

/** The page filter a list query asks for, checked against the actor; null when it can match nothing. */
export function resolveFilter(actor: Actor, query: Omit<CaseListQuery, "limit" | "cursor">, now: Date): ResolvedFilter | null {
  requirePermission(actor, "case.read");
  if (query.division !== undefined && !codeInScope(actor, query.division)) {
    throw notFound("division_not_found", `No division ${query.division}`);
  }
  const queue = queueFilter(query.queue, actor, now);
  // A queue and a status filter together keep the statuses both allow.
  let statuses = queue.statuses;
  if (query.statuses) {
    const requested = query.statuses;
    statuses = (statuses ?? STATUSES).filter((status) => requested.includes(status));
  }
  const text = query.q === undefined ? undefined : textFilter(query.q, regionOf(actor.scopeCode));
  if (statuses?.length === 0 || text === null) return null;
  const { createdFrom: dayFrom, createdBefore: dayBefore, ...asked } = text ?? {};
  if (query.counted !== undefined && (query.from === undefined || query.to === undefined)) {
    throw new AppError(400, "invalid_period", "counted takes the indicator's period: from and to");
  }
  // Counted over a period, from and to are the indicator's days, not the days of creation.
  const created = query.counted === undefined ? { from: query.from, to: query.to } : {};
  // A day named by q narrows the days of from and to.
  const latest = (a?: Date, b?: Date) => (a && b ? (a > b ? a : b) : (a ?? b));
  const earliest = (a?: Date, b?: Date) => (a && b ? (a < b ? a : b) : (a ?? b));
  return {
    ...queue,
    statuses,
    bareQueue: Object.entries(query).every(([key, value]) => PAGE_KEYS.has(key) || value === undefined),
    categoryCode: query.category,
    division: query.division,
    level: query.level,
    source: query.source,
    sort: query.sort,
    handledOnSpot: query.handledOnSpot,
    spotReviewed: query.reviewed,
    counted:
      query.counted === undefined || query.from === undefined || query.to === undefined
        ? undefined
        : { indicator: query.counted, period: { from: query.from, to: query.to }, regionCode: regionOf(actor.scopeCode) },
    departmentCode: query.department,
    personId: query.person,
    gridCode: query.grid,
    reporterId: query.reporter,
    createdFrom: latest(created.from === undefined ? undefined : startOfDay(created.from), dayFrom),
    createdBefore: earliest(created.to === undefined ? undefined : new Date(startOfDay(created.to).getTime() + DAY_MS), dayBefore),
    ...asked,
  };
}

/**
 * Cases in the actor's scope, newest first, in pages: a work queue (mine, centre, near_due,
 * overdue) and/or filters, with the reporter's phone masked.
 */
export async function listCases(ctx: AppContext, actor: Actor, query: CaseListQuery): Promise<{ cases: CaseSummary[]; nextCursor: string | null }> {
  const now = new Date();
  const filter = resolveFilter(actor, query, now);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (!filter) return { cases: [], nextCursor: null };
  const rows = await findCasePage(ctx.db, actor, { ...filter, after, limit: query.limit });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    cases: page.map((row) => presentSummary(row, now)),
    nextCursor: rows.length > query.limit && last ? encodeCursor({ at: last.position_at, id: last.id }) : null,
  };
}

/**
 * The cases before and after a case in a list (its queue and filters, in the list's order): how the
 * case page walks the list it was opened from. The case need not match the list any more.
 */
export async function caseNeighbours(ctx: AppContext, actor: Actor, id: string, query: Omit<CaseListQuery, "limit" | "cursor">) {
  const filter = resolveFilter(actor, query, new Date());
  const position = await findCasePosition(ctx.db, actor, id);
  if (!position) throw notFound("case_not_found", `No case ${id}`);
  if (!filter) return { previous: null, next: null };
  const [previous, next] = await Promise.all([
    findNeighbour(ctx.db, actor, filter, position, "newer"),
    findNeighbour(ctx.db, actor, filter, position, "older"),
  ]);
  return { previous: previous ?? null, next: next ?? null };
}

/** An export holds at most this many cases; a wider one must be narrowed by its filters. */
export const EXPORT_MAX_CASES = 50_000;
/** Rows per page of an export: each page is one short query and a short turn of the event loop. */
const EXPORT_PAGE = 250;
/** Exports stream one at a time in this process, the others wait their turn: the rest of the traffic shares the database with one. */
let exportTurn: Promise<void> = Promise.resolve();

/** Waits for the exports before this one; call the returned function when done. */
async function takeExportTurn(): Promise<() => void> {
  const before = exportTurn;
  let done = () => {};
  exportTurn = new Promise((resolve) => (done = resolve));
  await before;
  return done;
}

const EXPORT_COLUMNS: [header: string, value: (summary: CaseSummary) => string | null][] = [
  ["number", (c) => c.number],
  ["status", (c) => c.status],
  ["level", (c) => c.level],
  ["category", (c) => c.categoryCode],
  ["title", (c) => c.title],
  ["grid", (c) => c.gridCode],
  ["community", (c) => c.communityCode],
  ["street", (c) => c.streetCode],
  ["source", (c) => c.source],
  ["urgency", (c) => c.urgency],
  ["reporter_phone", (c) => c.reporterPhone],
  ["handle_by", (c) => c.handleBy],
  ["deadline", (c) => c.deadline],
  ["created_at", (c) => c.createdAt],
];

/**
 * A CSV cell: quoted when it holds a separator, a quote or a line break, and a leading = + - @ is
 * defused with an apostrophe so that a spreadsheet never runs a reporter's text as a formula.
 */
export function csvCell(value: string | null): string {
  if (value === null) return "";
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const csvLine = (cells: string[]) => `${cells.join(",")}\r\n`;

/** The header of an export: the columns, then the answers to the category's questions in one readable cell. */
export const EXPORT_HEADERS: readonly string[] = [...EXPORT_COLUMNS.map(([header]) => header), "answers"];

/**
 * The cases a list query matches, page by page as rows of cells in the order of EXPORT_HEADERS,
 * phones masked. Every export is audited with its filter, size and format. The size limit is
 * checked by a count that stops at the limit, before any case is read; the rows are then produced
 * page by page, so that an export holds one page in memory, and after each page it rests as long
 * as the page took, so that other requests find the server and the database free half of the time
 * (the embedded database serves one query at a time). One export streams at a time; the others
 * wait their turn.
 */
export async function exportCaseRows(
  ctx: AppContext,
  actor: Actor,
  query: Omit<CaseListQuery, "limit" | "cursor">,
  format: "csv" | "xlsx" = "csv",
): Promise<{ count: number; pages: AsyncIterable<(string | null)[][]> }> {
  requirePermission(actor, "case.export");
  const now = new Date();
  const filter = resolveFilter(actor, query, now);
  const count = filter ? await countMatchingCases(ctx.db, actor, filter, EXPORT_MAX_CASES + 1) : 0;
  if (count > EXPORT_MAX_CASES) {
    throw new AppError(422, "export_too_large", `An export holds at most ${EXPORT_MAX_CASES} cases: narrow the filters`);
  }
  await writeAudit(ctx.db, {
    regionCode: regionOf(actor.scopeCode),
    actorId: actor.userId,
    action: "case.export",
    targetType: "case",
    targetId: null,
    details: { query, count, ...(format === "csv" ? {} : { format }) },
  });
  async function* inTurn(): AsyncGenerator<(string | null)[][]> {
    const release = await takeExportTurn();
    try {
      yield* pages();
    } finally {
      release();
    }
  }
  async function* pages(): AsyncGenerator<(string | null)[][]> {
    let after: PagePosition | undefined;
    while (filter) {
      const started = performance.now();
      const rows = await findCasePage(ctx.db, actor, { ...filter, after, limit: EXPORT_PAGE });
      const page = rows.slice(0, EXPORT_PAGE);
      const answers = await findCaseAnswers(ctx.db, page);
      yield page.map((row) => {
        const summary = presentSummary(row, now);
        const answered = answers.get(row.id);
        return [...EXPORT_COLUMNS.map(([, value]) => value(summary)), answered ? answersText(answered) : null];
      });
      const last = page.at(-1);
      if (rows.length <= EXPORT_PAGE || !last) break;
      after = { at: last.position_at, id: last.id };
      // Rest as long as the page took: an export uses at most half of the server's and the
      // database's time, so the requests that come meanwhile keep their latency.
      await new Promise((resolve) => setTimeout(resolve, performance.now() - started));
    }
  }
  return { count, pages: inTurn() };
}

/** The cases a list query matches, as CSV (UTF-8 with a byte-order mark, so that spreadsheet programs read the Chinese text). */
export async function exportCases(
  ctx: AppContext,
  actor: Actor,
  query: Omit<CaseListQuery, "limit" | "cursor">,
): Promise<{ count: number; csv: AsyncIterable<string> }> {
  const { count, pages } = await exportCaseRows(ctx, actor, query);
  async function* lines(): AsyncGenerator<string> {
    yield `\uFEFF${csvLine([...EXPORT_HEADERS])}`;
    for await (const page of pages) yield page.map((cells) => csvLine(cells.map(csvCell))).join("");
  }
  return { count, csv: lines() };
}

type Counts = { total: number; open: number; overdue: number; byStatus: Partial<Record<CaseStatus, number>> };
const noCounts = (): Counts => ({ total: 0, open: 0, overdue: 0, byStatus: {} });

/**
 * A dashboard of a division in the actor's scope (their own scope by default): its cases by status,
 * open and overdue, in total and per street, community or grid one level below.
 */
export async function getCaseStats(ctx: AppContext, actor: Actor, division = actor.scopeCode ?? "") {
  requirePermission(actor, "case.read");
  if (!codeInScope(actor, division)) throw notFound("division_not_found", `No division ${division}`);
  if (![6, 9, 12].includes(division.length)) throw badRequest("invalid_division", "Statistics are kept for a district, a street or a community");
  const [counted, returns, onSpot] = await Promise.all([
    countCasesUnder(ctx.db, actor, division, OPEN, new Date()),
    countReturnsByDepartment(ctx.db, division),
    countOnSpotUnder(ctx.db, actor, division),
  ]);
  const totals = noCounts();
  const children = new Map<string, Counts>();
  const countsOf = (code: string) => {
    const child = children.get(code) ?? noCounts();
    children.set(code, child);
    return [totals, child];
  };
  for (const row of counted.byStatus) {
    for (const counts of countsOf(row.code)) {
      counts.total += row.cases;
      counts.byStatus[row.status as CaseStatus] = (counts.byStatus[row.status as CaseStatus] ?? 0) + row.cases;
      if ((OPEN as readonly string[]).includes(row.status)) counts.open += row.cases;
    }
  }
  for (const row of counted.overdue) for (const counts of countsOf(row.code)) counts.overdue += row.cases;
  return {
    division,
    ...totals,
    children: [...children.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([code, counts]) => ({ code, ...counts })),
    returnsByDepartment: returns.map((row) => ({ departmentCode: row.department_code, requested: row.requested, approved: row.approved })),
    handledOnSpot: onSpot,
  };
}

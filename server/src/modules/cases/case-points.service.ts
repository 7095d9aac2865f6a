import { createHash } from "node:crypto";
import type { AppContext } from "../../context.ts";
import { badRequest } from "../../errors.ts";
import type { Actor } from "../auth/actor.ts";
import { casePointsFingerprint, findCasePoints, fingerprint, type Bbox, type LightClock, type PointColumn } from "./case-points.repository.ts";
import { OPEN, resolveFilter, type CaseListQuery } from "./case-queue.service.ts";
import { calendarFor, regionsWithOwnCalendar } from "./calendars.ts";
import { nearDueLimit, type DeadlineStatus } from "./deadlines.ts";

/** The most points one answer holds; a wider view must be narrowed by the box or the filters. */
export const POINTS_MAX = 100_000;

export type CasePointsQuery = Omit<CaseListQuery, "limit" | "cursor" | "q"> & { bbox?: string; fields?: string; limit: number };

/** The points as columns: the i-th entry of every array belongs to the same case; a field not asked for is absent. */
export type CasePoints = {
  count: number;
  truncated: boolean;
  id?: string[];
  number?: string[];
  lng?: number[];
  lat?: number[];
  status?: string[];
  light?: DeadlineStatus[];
  category?: (string | null)[];
  level?: string[];
  source?: string[];
};

/** The answer's columns, and what each is read from. */
const FIELD_COLUMNS = {
  id: "ids",
  number: "numbers",
  lng: "lngs",
  lat: "lats",
  status: "statuses",
  light: "lights",
  category: "categories",
  level: "levels",
  source: "sources",
} as const satisfies Record<string, PointColumn>;

export type PointField = keyof typeof FIELD_COLUMNS;
export const POINT_FIELDS = Object.keys(FIELD_COLUMNS) as PointField[];

/** `fields`, a comma-separated list of the answer's columns; every column when absent. */
export function parseFields(text: string | undefined): Set<PointField> {
  if (text === undefined) return new Set(POINT_FIELDS);
  const names = text.split(",");
  const unknown = names.filter((name) => !(POINT_FIELDS as string[]).includes(name));
  if (unknown.length > 0) {
    throw badRequest("invalid_fields", `fields must name columns among ${POINT_FIELDS.join(", ")}, separated by commas`, { fields: text, unknown });
  }
  return new Set(names as PointField[]);
}

const NUMBER = /^-?\d{1,3}(\.\d{1,15})?$/;

/** `minLng,minLat,maxLng,maxLat` in WGS-84 degrees, each within its range and the minimum not above the maximum. */
export function parseBbox(text: string): Bbox {
  const parts = text.split(",");
  const invalid = (why: string) => badRequest("invalid_bbox", `bbox must be minLng,minLat,maxLng,maxLat in degrees: ${why}`, { bbox: text });
  if (parts.length !== 4 || !parts.every((part) => NUMBER.test(part))) throw invalid("four decimal numbers separated by commas");
  const [minLng, minLat, maxLng, maxLat] = parts.map(Number);
  if (minLng < -180 || maxLng > 180 || minLat < -90 || maxLat > 90) throw invalid("longitudes from -180 to 180, latitudes from -90 to 90");
  if (minLng > maxLng || minLat > maxLat) throw invalid("the minimum above the maximum");
  return { minLng, minLat, maxLng, maxLat };
}

/** The first `count` entries of a comma-separated list (the read holds one more than the limit). */
function cut(text: string, count: number): string {
  let end = -1;
  for (let k = 0; k < count; k++) {
    end = text.indexOf(",", end + 1);
    if (end === -1) return text;
  }
  return text.slice(0, end);
}

/** An answer given before: whose and of what it was, and its cases' fingerprint (their lights with them). */
type Given = { key: string; fingerprint: string };

/** Answers remembered per database, by ETag: enough for every open map of a busy centre. */
const GIVEN_MAX = 500;
const given = new WeakMap<object, Map<string, Given>>();

function givenOf(db: object): Map<string, Given> {
  let answers = given.get(db);
  if (!answers) {
    answers = new Map();
    given.set(db, answers);
  }
  return answers;
}

/** Who asks and what: an answer is only ever reused for the same user, scope, roles and query. */
function requestKey(actor: Actor, query: CasePointsQuery): string {
  const asked = Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify([actor.userId, actor.scopeCode, actor.departmentId, [...actor.roles].sort(), asked]);
}

/** The clock of the lights at `now`: the national calendar's near-due limit, and those of the regions with their own. */
function lightClock(now: Date): LightClock {
  const regions = regionsWithOwnCalendar();
  return { now, otherwise: nearDueLimit(now, calendarFor("default")), regions, limits: regions.map((region) => nearDueLimit(now, calendarFor(region))) };
}

/** The ETags an If-None-Match header names, without their weak prefix. */
const namedEtags = (ifNoneMatch: string | undefined) => (ifNoneMatch ?? "").split(",").map((tag) => tag.trim().replace(/^W\//, "")).filter(Boolean);

/**
 * The open cases in the actor's scope that the list's filters (and a box) match, as compact
 * columns for a map, at most `limit` (say `truncated` when there were more, and then keep the newest). Each
 * case's light is the list's deadline state: overdue past its handling deadline, near due within
 * the near-due limit of its region's calendar, as of the start of the current minute. The answer
 * comes serialised with a strong ETag of its bytes and the caller's scope.
 *
 * A poll that names an ETag this server gave the same caller for the same query is answered
 * without building the answer again (`body` null: not modified) when one small read finds its
 * cases' fingerprint unchanged, their lights at this minute with them.
 */
export async function casePoints(ctx: AppContext, actor: Actor, query: CasePointsQuery, ifNoneMatch?: string): Promise<{ body: string | null; etag: string }> {
  // Lights to the minute: every poll within a minute gets the same answer, and its 304.
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const statuses = (query.statuses ?? OPEN).filter((status) => (OPEN as readonly string[]).includes(status));
  const filter = resolveFilter(actor, { ...query, statuses }, now);
  const bbox = query.bbox === undefined ? undefined : parseBbox(query.bbox);
  const fields = parseFields(query.fields);
  // The near-due limit is one instant per calendar: the database reads each case's light against its region's.
  const clock = lightClock(now);

  const answers = givenOf(ctx.db);
  const key = requestKey(actor, query);
  if (filter) {
    for (const etag of namedEtags(ifNoneMatch)) {
      const known = answers.get(etag);
      if (known?.key !== key) continue;
      if ((await casePointsFingerprint(ctx.db, actor, filter, bbox, clock)) === known.fingerprint) return { body: null, etag };
      break;
    }
  }

  const read = new Set([...fields].map((field) => FIELD_COLUMNS[field]));
  let columns = filter ? await findCasePoints(ctx.db, actor, filter, bbox, query.limit, read, false, clock) : null;
  // Cut off: read again, newest first, so that the answer keeps the newest.
  if (filter && columns && columns.n > query.limit) columns = await findCasePoints(ctx.db, actor, filter, bbox, query.limit, read, true, clock);
  const count = Math.min(columns?.n ?? 0, query.limit);
  const truncated = (columns?.n ?? 0) > query.limit;
  /** A column of codes, numbers or ids (no quote, backslash or comma in any), as JSON without parsing it. */
  const codes = (text: string | null | undefined) => (count === 0 || !text ? "[]" : `["${cut(text, count).replaceAll(",", '","')}"]`);
  const numbers = (text: string | null | undefined) => (count === 0 || !text ? "[]" : `[${cut(text, count)}]`);
  const json: Record<PointField, () => string> = {
    id: () => codes(columns?.ids),
    number: () => codes(columns?.numbers),
    lng: () => numbers(columns?.lngs),
    lat: () => numbers(columns?.lats),
    status: () => codes(columns?.statuses),
    light: () => codes(columns?.lights),
    category: () => JSON.stringify(count === 0 || !columns?.categories ? [] : columns.categories.split(",", count).map((value) => value || null)),
    level: () => codes(columns?.levels),
    source: () => codes(columns?.sources),
  };
  const parts = [`"count":${count}`, `"truncated":${truncated}`];
  for (const field of POINT_FIELDS) if (fields.has(field)) parts.push(`"${field}":${json[field]()}`);
  const body = `{${parts.join(",")}}`;
  const hash = createHash("sha256").update(actor.scopeCode ?? "").update("\n").update(body).digest("base64url").slice(0, 32);
  const etag = `"${hash}"`;
  // A cut-off answer's fingerprint is of its rows, not of every match: such an answer is built each time.
  if (columns && !truncated) {
    answers.delete(etag);
    answers.set(etag, { key, fingerprint: fingerprint(columns) });
    if (answers.size > GIVEN_MAX) answers.delete(answers.keys().next().value as string);
  }
  return { body, etag };
}

/** Whether an If-None-Match header names this ETag (weakly, as RFC 9110 compares for GET), or is `*`. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((tag) => {
    const trimmed = tag.trim();
    return trimmed === "*" || trimmed.replace(/^W\//, "") === etag;
  });
}

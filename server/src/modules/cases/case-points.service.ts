import { createHash } from "node:crypto";
import type { AppContext } from "../../context.ts";
import { badRequest } from "../../errors.ts";
import type { Actor } from "../auth/actor.ts";
import { findCasePoints, type Bbox } from "./case-points.repository.ts";
import { OPEN, resolveFilter, type CaseListQuery } from "./case-queue.service.ts";
import { calendarFor } from "./calendars.ts";
import { nearDueLimit, type DeadlineStatus } from "./deadlines.ts";

/** The most points one answer holds; a wider view must be narrowed by the box or the filters. */
export const POINTS_MAX = 100_000;

export type CasePointsQuery = Omit<CaseListQuery, "limit" | "cursor" | "q"> & { bbox?: string; limit: number };

/** The points as columns: the i-th entry of every array belongs to the same case. */
export type CasePoints = {
  count: number;
  truncated: boolean;
  id: string[];
  number: string[];
  lng: number[];
  lat: number[];
  status: string[];
  light: DeadlineStatus[];
  category: (string | null)[];
  level: string[];
  source: string[];
};

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

/** Seven decimals of a degree are about a centimetre: more says nothing and costs bytes. */
const round = (degrees: number) => Math.round(degrees * 1e7) / 1e7;

/**
 * The open cases in the actor's scope that the list's filters (and a box) match, as compact
 * columns for a map, newest first, at most `limit` (say `truncated` when there were more). Each
 * case's light is the list's deadline state: overdue past its handling deadline, near due within
 * the near-due limit of its region's calendar. The answer comes serialised with a strong ETag of
 * its bytes and the caller's scope, so that a poll whose answer has not changed can be a 304.
 */
export async function casePoints(ctx: AppContext, actor: Actor, query: CasePointsQuery): Promise<{ body: string; etag: string }> {
  const now = new Date();
  const statuses = (query.statuses ?? OPEN).filter((status) => (OPEN as readonly string[]).includes(status));
  const filter = resolveFilter(actor, { ...query, statuses }, now);
  const bbox = query.bbox === undefined ? undefined : parseBbox(query.bbox);
  const rows = filter ? await findCasePoints(ctx.db, actor, filter, bbox, query.limit) : [];
  const kept = rows.slice(0, query.limit);
  const points: CasePoints = {
    count: kept.length,
    truncated: rows.length > query.limit,
    id: [],
    number: [],
    lng: [],
    lat: [],
    status: [],
    light: [],
    category: [],
    level: [],
    source: [],
  };
  // The near-due limit is one instant per region: one calendar walk per region, not per case.
  const limits = new Map<string, number>();
  for (const row of kept) {
    let nearDueUntil = limits.get(row.region_code);
    if (nearDueUntil === undefined) {
      nearDueUntil = nearDueLimit(now, calendarFor(row.region_code)).getTime();
      limits.set(row.region_code, nearDueUntil);
    }
    const handleBy = row.handle_by.getTime();
    points.id.push(row.id);
    points.number.push(row.number);
    points.lng.push(round(row.lng));
    points.lat.push(round(row.lat));
    points.status.push(row.status);
    points.light.push(handleBy < now.getTime() ? "overdue" : handleBy <= nearDueUntil ? "near_due" : "on_time");
    points.category.push(row.category_code);
    points.level.push(row.level);
    points.source.push(row.source);
  }
  const body = JSON.stringify(points);
  const hash = createHash("sha256").update(actor.scopeCode ?? "").update("\n").update(body).digest("base64url").slice(0, 32);
  return { body, etag: `"${hash}"` };
}

/** Whether an If-None-Match header names this ETag (weakly, as RFC 9110 compares for GET), or is `*`. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((tag) => {
    const trimmed = tag.trim();
    return trimmed === "*" || trimmed.replace(/^W\//, "") === etag;
  });
}

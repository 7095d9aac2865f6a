import crypto from "node:crypto";
import type net from "node:net";
import { sql, type Selectable } from "kysely";
import { randomToken, uuidv7 } from "../../ids.ts";
import type { AppContext } from "../../context.ts";
import type { CategoryTable } from "../../db/schema.ts";
import { AppError } from "../../errors.ts";
import { allowedNetworks, OutboundError, outboundRequest } from "../../http/outbound.ts";
import { uploadPhoto } from "../attachments/attachments.service.ts";
import { DEFAULT_PHOTO_LIMITS } from "../attachments/photos.ts";
import { publicPhotoLinks } from "../attachments/public-photos.service.ts";
import { writeAudit } from "../audit/audit.repository.ts";
import { inScope, type Actor } from "../auth/actor.ts";
import { insertCaseEvent, type Open311Request } from "../cases/cases.repository.ts";
import { intakeCase, type IntakeInput } from "../cases/cases.service.ts";
import { activeCategories } from "../cases/categories.service.ts";
import { checkAnswers, questionsFor } from "../cases/category-questions.ts";
import { findPlaces } from "../divisions/places.repository.ts";
import { placeTerms, pointOf } from "../divisions/places.service.ts";
import { STAFF_ROLES } from "../people/roles.ts";
import { attributeOf, attributeValue, parseWireTime, type Form, statusText, updateStatus, wireStatus, wireTime, type WireRecord } from "./open311-format.ts";
import { tokenWriterFor } from "./token-writer.ts";
import { findRequestByToken, findRequests, findUpdates, type RequestRow } from "./open311.repository.ts";
import { retryFinderFor } from "./retry-finder.ts";

/**
 * Open311 GeoReport v2 and mySociety's servicerequestupdates over our own use cases
 * (docs/open311.md, docs/decisions/0039): services are the public categories, a posted request is
 * a case taken in by the intake, its updates are the public events of its timeline. Errors are
 * AppErrors with the status the specification names (400, 403, 404); the routes write them.
 */

type CategoryRow = Selectable<CategoryTable>;

const refusedKey = (message: string) => new AppError(403, "open311_api_key", message);
const bad = (message: string) => new AppError(400, "open311_bad_request", message);
const missing = (message: string) => new AppError(404, "open311_not_found", message);

/** A request's media_url: the whole exchange within this time. */
const MEDIA_TIMEOUT_MS = 15_000;
/** At most this many requests or updates in one answer, as the specification allows a server to limit. */
export const MAX_RESULTS = 1_000;
/** The default window of GET requests: the last 90 days. */
const DEFAULT_DAYS = 90;

/**
 * Beyond the key's `report` scope (checked when the key is admitted), its user must be able to
 * report under our own channel for machine clients: a staff account with an area.
 */
export function requireReportingKey(actor: Actor): void {
  if (actor.scopeCode === null || !actor.roles.some((role) => STAFF_ROLES.includes(role))) {
    throw refusedKey("This api_key may not report: its account is no staff account with an area");
  }
}

/** Open311's answer to an `api_key` that names no valid key (unknown, revoked or expired): 403, as the specification writes. */
export const invalidKey = () => refusedKey("The api_key is not valid");

/** A key that may report, for the calls that change something. */
function reportingKey(actor: Actor | null): Actor {
  if (!actor) throw refusedKey("An api_key is required");
  requireReportingKey(actor);
  return actor;
}

const isService = (category: CategoryRow) => category.public && category.parent_code !== null;

/** Public, active categories under a parent (the leaves a case is filed under), by code, with their group's name. */
async function publicServices(ctx: AppContext): Promise<{ category: CategoryRow; group: string | null }[]> {
  const categories = await activeCategories(ctx.db);
  const names = new Map(categories.map((category) => [category.code, category.name]));
  return categories
    .filter(isService)
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
    .map((category) => ({ category, group: category.parent_code ? (names.get(category.parent_code) ?? null) : null }));
}

async function publicService(ctx: AppContext, code: string): Promise<CategoryRow> {
  const found = (await activeCategories(ctx.db)).find((category) => category.code === code && isService(category));
  if (!found) throw missing(`No service ${code}`);
  return found;
}

const publicQuestions = (category: CategoryRow) => questionsFor(category.questions ?? [], "public");

/** GET services: every public category as a service. */
export async function listServices(ctx: AppContext): Promise<WireRecord[]> {
  return (await publicServices(ctx)).map(({ category, group }) => ({
    service_code: category.code,
    service_name: category.name,
    description: group ? `${group} / ${category.name}` : category.name,
    metadata: publicQuestions(category).length > 0,
    type: "realtime",
    keywords: category.keywords.join(","),
    group,
  }));
}

/** GET services/{code}: the category's public questions as attributes. */
export async function serviceDefinition(ctx: AppContext, code: string): Promise<WireRecord> {
  const category = await publicService(ctx, code);
  return { service_code: category.code, attributes: publicQuestions(category).map((question, index) => attributeOf(question, index + 1)) };
}

/** The discovery document: this server's one endpoint, in both formats. */
export function discovery(baseUrl: string): WireRecord {
  return {
    changeset: "2026-12-05T00:00:00+08:00",
    contact: "请联系本区数字城管中心 (the district's digital city management centre)",
    key_service: "API keys are issued by the district's administrators (gridgov console: API keys)",
    endpoints: [
      {
        specification: "http://wiki.open311.org/GeoReport_v2",
        url: `${baseUrl}/open311/v2`,
        changeset: "2026-12-05T00:00:00+08:00",
        type: "production",
        formats: ["text/xml", "application/json"],
      },
    ],
  };
}

const allowedByContext = new WeakMap<AppContext["config"], net.BlockList>();
function outboundAllowed(ctx: AppContext): net.BlockList {
  let list = allowedByContext.get(ctx.config);
  if (!list) allowedByContext.set(ctx.config, (list = allowedNetworks(ctx.config.outboundAllowedNetworks)));
  return list;
}

/** Fetches a request's photo under the outbound rules and takes it in as an upload: re-encoded, EXIF stripped. */
async function fetchPhoto(ctx: AppContext, actor: Actor, url: string): Promise<string> {
  let body: Buffer;
  try {
    const answer = await outboundRequest({ url, timeoutMs: MEDIA_TIMEOUT_MS, maxResponseBytes: DEFAULT_PHOTO_LIMITS.maxBytes }, outboundAllowed(ctx));
    if (answer.status !== 200) throw bad(`media_url answered HTTP ${answer.status}`);
    body = answer.body;
  } catch (error) {
    if (error instanceof OutboundError) throw bad(`media_url refused: ${error.message}`);
    throw error;
  }
  try {
    return (await uploadPhoto(ctx, actor, body)).id;
  } catch (error) {
    if (error instanceof AppError && error.statusCode !== 503) throw bad(`media_url is no usable photo: ${error.message}`);
    throw error;
  }
}

const number = (name: string, text: string | undefined): number | undefined => {
  if (text === undefined || text.trim() === "") return undefined;
  const value = Number(text);
  if (!/^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/.test(text) || !Number.isFinite(value)) throw bad(`${name} is not a number`);
  return value;
};

/** Where a request is: lat/long, else a building or courtyard by id, else the best place whose name matches. */
async function locationOf(ctx: AppContext, actor: Actor, form: Form): Promise<Pick<IntakeInput, "location" | "buildingCode">> {
  const lat = number("lat", form.fields.get("lat"));
  const lng = number("long", form.fields.get("long"));
  if (lat !== undefined || lng !== undefined) {
    if (lat === undefined || lng === undefined) throw bad("lat and long go together");
    if (Math.abs(lat) > 90 || Math.abs(lng) > 180) throw bad("lat/long are no WGS-84 coordinates");
    return { location: { lat, lng, crs: "wgs84" } };
  }
  const addressId = form.fields.get("address_id")?.trim();
  if (addressId) {
    const place = await ctx.db
      .selectFrom("divisions")
      .select(["code", "level", "lat", "lng", "geometry"])
      .where("code", "=", addressId)
      .where("level", "in", ["building", "courtyard"])
      .executeTakeFirst();
    if (!place) throw bad(`address_id ${addressId} is no building or courtyard`);
    if (place.level === "building") return { buildingCode: place.code };
    const point = pointOf(place);
    if (!point) throw bad(`address_id ${addressId} has no location`);
    return { location: { ...point, crs: "wgs84" } };
  }
  const address = form.fields.get("address_string")?.trim();
  if (address) {
    const terms = placeTerms(address);
    const [place] = await findPlaces(ctx.db, { scope: actor.scopeCode ?? "", text: terms.length ? address : address.replace(/\s+/g, ""), terms, limit: 1 });
    const point = place ? pointOf(place) : null;
    if (!place || !point) throw bad(`No place named like "${address}" in the district`);
    return place.kind === "building" ? { buildingCode: place.code } : { location: { ...point, crs: "wgs84" } };
  }
  throw bad("A location is required: lat and long, address_string or address_id");
}

/** The answers to a category's public questions from `attribute[code]`, or 400 naming the first failing attribute. */
function answersOf(category: CategoryRow, form: Form): Record<string, unknown> {
  const questions = category.questions ?? [];
  const given: Record<string, unknown> = {};
  // An attribute that names no question of the category is a client's own (FixMyStreet adds some
  // for its councils) and is left aside; one that names a staff-only question is refused below.
  for (const [code, text] of form.attributes) {
    const question = questions.find((candidate) => candidate.code === code);
    if (question) given[code] = attributeValue(question, text);
  }
  const { problems } = checkAnswers(questions, given, "public");
  if (problems.length > 0) {
    const first = problems[0];
    const why: Record<string, string> = {
      required: "is required",
      wrong_type: "has the wrong datatype",
      not_a_choice: "is not one of its values",
      below_min: "is below its minimum",
      above_max: "is above its maximum",
      too_long: "is too long",
      not_asked: "is not an attribute of this service",
    };
    throw bad(`attribute[${first.code}] ${why[first.problem] ?? first.problem}`);
  }
  return given;
}

const optional = (form: Form, name: string, max: number): string | undefined => {
  const value = form.fields.get(name)?.trim();
  if (value === undefined || value === "") return undefined;
  if (value.length > max) throw bad(`${name} is longer than ${max} characters`);
  return value;
};

/** The intake's errors as the specification's: a place outside the district or the key's area, or refused answers, are bad requests. */
function asOpen311Error(error: unknown): unknown {
  if (!(error instanceof AppError)) return error;
  if (error.code === "outside_district") return bad("The location lies outside the district");
  if (error.code === "outside_scope") return bad("The location lies outside this api_key's area");
  if (error.code === "building_not_found") return bad("The building has no location in the district");
  if (error.code === "idempotency_key_reused") return bad("This Idempotency-Key was used with another request");
  if (error.statusCode === 422 || error.statusCode === 413 || error.statusCode === 415) return bad(error.message);
  return error;
}

/**
 * POST requests: a case taken in through the intake (routing, deadlines, duplicates, audit, events
 * and counts as for any report), under the channel `api`, with the photo at media_url. Answers the
 * case number at once, and a token that resolves to it. The same key posting the same request again
 * within a day (a client retrying after a lost answer) gets the same case back.
 */
export async function postRequest(ctx: AppContext, caller: Actor | null, form: Form, idempotencyKey: string | undefined): Promise<WireRecord[]> {
  const actor = reportingKey(caller);
  const serviceCode = form.fields.get("service_code")?.trim();
  if (!serviceCode) throw bad("service_code is required");
  const category = await publicService(ctx, serviceCode);
  const answers = answersOf(category, form);
  const contact = { email: optional(form, "email", 200) ?? null, device_id: optional(form, "device_id", 200) ?? null, account_id: optional(form, "account_id", 200) ?? null };
  const requestHash = hashOfRequest(actor.userId, form);
  const embedded = ctx.config.database.kind !== "postgres";
  const retries = retryFinderFor(ctx.db, embedded);
  const retried = await retries.find(actor.userId, requestHash);
  // Every answer carries a new token, a retry's too: the client may have lost the first.
  const token = randomToken(18);
  const request = { token_hash: sha256(token), user_id: actor.userId, request_hash: requestHash, ...contact };
  // A new case writes the token row in its own statement; a retry's case only needs the row.
  const made = retried ? { id: retried.case_id, number: retried.case_number, written: false } : await createCase(ctx, actor, category, form, answers, idempotencyKey, request);
  const regionCode = made.number.slice(0, 6);
  if (!made.written) await tokenWriterFor(ctx.db).write({ ...request, region_code: regionCode, case_id: made.id, case_number: made.number });
  retries.remember(actor.userId, requestHash, { case_number: made.number, region_code: regionCode, case_id: made.id });
  return [{ service_request_id: made.number, token, service_notice: serviceNotice(made.number), account_id: contact.account_id }];
}

/** The case of a posted request, through the intake. */
async function createCase(
  ctx: AppContext,
  actor: Actor,
  category: CategoryRow,
  form: Form,
  answers: Record<string, unknown>,
  idempotencyKey: string | undefined,
  request: Open311Request,
) {
  const description = optional(form, "description", 2000) ?? category.name;
  const name = [optional(form, "last_name", 25), optional(form, "first_name", 25)].filter(Boolean).join("");
  const phone = optional(form, "phone", 20);
  if (phone !== undefined && !/^[0-9+\- ]{5,20}$/.test(phone)) throw bad("phone is not a phone number");
  const place = await locationOf(ctx, actor, form);
  const mediaUrl = optional(form, "media_url", 2000);
  const photoIds = mediaUrl ? [await fetchPhoto(ctx, actor, mediaUrl)] : [];
  const input: IntakeInput = {
    description: description.length >= 2 ? description : `${category.name}：${description}`,
    categoryCode: category.code,
    source: "api",
    ...place,
    ...(name || phone ? { reporter: { ...(name ? { name: name.slice(0, 50) } : {}), ...(phone ? { phone } : {}) } } : {}),
    ...(photoIds.length ? { photoIds } : {}),
    answers,
    answerer: "public",
  };
  try {
    const result = await intakeCase(ctx, actor, input, idempotencyKey, request);
    return { id: result.body.case.id, number: result.body.case.number, written: !result.replayed };
  } catch (error) {
    throw asOpen311Error(error);
  }
}

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");
const serviceNotice = (caseNumber: string) => `已收到，案件编号 ${caseNumber}；可凭编号拨打热线查询`;

/** The same fields with the same values, in any order, from the same key's user. */
function hashOfRequest(userId: string, form: Form): string {
  const fields = [...form.fields].filter(([name]) => name !== "api_key").sort(([a], [b]) => a.localeCompare(b));
  const attributes = [...form.attributes].sort(([a], [b]) => a.localeCompare(b));
  return crypto.createHmac("sha256", `open311 request\0${userId}`).update(JSON.stringify([fields, attributes])).digest("hex");
}

/** GET tokens/{token}: the request the token was given for. */
export async function requestOfToken(ctx: AppContext, token: string): Promise<WireRecord[]> {
  const found = await findRequestByToken(ctx.db, sha256(token));
  if (!found) throw missing(`No token ${token}`);
  return [{ service_request_id: found.case_number, token }];
}

// Runs of digits long enough to be a phone, an ID card or an account number are masked in public descriptions.
const LONG_NUMBERS = /\d{7,}[\dXx]?/g;
const maskNumbers = (text: string) => text.replace(LONG_NUMBERS, (run) => `${run.slice(0, 3)}${"*".repeat(Math.max(run.length - 7, 4))}${run.slice(-4)}`);

/** One case as a service request: no reporter, long numbers in its text masked, its first public photo. */
function requestOf(ctx: AppContext, row: RequestRow, baseUrl: string): WireRecord {
  const where = ctx.grids.locate(row.lng, row.lat);
  const address = where ? `${where.street.name}${where.community.name}${row.building_name ?? where.grid.name}` : (row.building_name ?? null);
  const [photo] = publicPhotoLinks(row, row.photos);
  const closed = wireStatus(row.status) === "closed";
  return {
    service_request_id: row.number,
    status: wireStatus(row.status),
    status_notes: row.status_note ?? statusText(row.status),
    service_name: row.category_name,
    service_code: row.category_code,
    description: maskNumbers(row.description).slice(0, 4000),
    agency_responsible: row.department_name,
    service_notice: statusText(row.status),
    requested_datetime: wireTime(row.created_at),
    updated_datetime: wireTime(closed ? (row.closed_at ?? row.updated_at) : row.updated_at),
    expected_datetime: wireTime(row.handle_by),
    address,
    address_id: row.building_code,
    zipcode: null,
    lat: row.lat,
    long: row.lng,
    media_url: photo ? `${baseUrl}${photo.url}` : null,
  };
}

function timeParameter(name: string, text: string | undefined): Date | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const instant = parseWireTime(text);
  if (!instant) throw bad(`${name} is not a W3C datetime, e.g. 2026-12-05T09:30:00+08:00`);
  return instant;
}

const list = (text: string | undefined) =>
  text === undefined || text.trim() === ""
    ? undefined
    : text
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean);

/** GET requests: by number list (which overrides the rest), else by service, status and period (the last 90 days by default). */
export async function listRequests(ctx: AppContext, actor: Actor | null, query: Record<string, string | undefined>, baseUrl: string): Promise<WireRecord[]> {
  const numbers = list(query.service_request_id);
  if (numbers) {
    if (numbers.length > MAX_RESULTS) throw bad(`At most ${MAX_RESULTS} service_request_id`);
    const rows = await findRequests(ctx.db, { actor, numbers, limit: MAX_RESULTS });
    return rows.map((row) => requestOf(ctx, row, baseUrl));
  }
  const statuses = list(query.status);
  if (statuses?.some((status) => status !== "open" && status !== "closed")) throw bad("status is open or closed");
  const to = timeParameter("end_date", query.end_date) ?? new Date();
  const from = timeParameter("start_date", query.start_date) ?? new Date(to.getTime() - DEFAULT_DAYS * 86_400_000);
  if (from > to) throw bad("start_date is after end_date");
  const ourStatuses = statuses && statuses.length === 1 ? ourStatusesOf(statuses[0] as "open" | "closed") : undefined;
  const rows = await findRequests(ctx.db, { actor, serviceCodes: list(query.service_code), statuses: ourStatuses, from, to, limit: MAX_RESULTS });
  return rows.map((row) => requestOf(ctx, row, baseUrl));
}

const STATUSES_BY_WIRE: Record<"open" | "closed", string[]> = {
  open: ["reported", "accepted", "registered", "dispatched", "in_progress", "suspended", "handled"],
  closed: ["closed", "evaluated", "rejected", "merged"],
};
const ourStatusesOf = (status: "open" | "closed") => STATUSES_BY_WIRE[status];

/** GET requests/{id}: one case of a public category (in the key's area, with a key), else 404. */
export async function getRequest(ctx: AppContext, actor: Actor | null, caseNumber: string, baseUrl: string): Promise<WireRecord[]> {
  const [row] = /^\d{6}-\d{8}-\d{5}$/.test(caseNumber) ? await findRequests(ctx.db, { actor, numbers: [caseNumber], limit: 1 }) : [];
  if (!row) throw missing(`No service request ${caseNumber}`);
  return [requestOf(ctx, row, baseUrl)];
}

/** GET servicerequestupdates: the public updates of a period (the last day by default), oldest first. */
export async function listUpdates(ctx: AppContext, actor: Actor | null, query: Record<string, string | undefined>): Promise<WireRecord[]> {
  const to = timeParameter("end_date", query.end_date) ?? new Date();
  const from = timeParameter("start_date", query.start_date) ?? new Date(to.getTime() - 86_400_000);
  if (from > to) throw bad("start_date is after end_date");
  const rows = await findUpdates(ctx.db, { actor, from, to, limit: MAX_RESULTS });
  return rows.map((row) => ({
    update_id: row.id,
    service_request_id: row.number,
    status: updateStatus(row.to_status),
    updated_datetime: wireTime(row.at),
    description: row.note ?? statusText(row.to_status),
    external_status_code: row.to_status,
    media_url: null,
  }));
}

/**
 * POST servicerequestupdates: a resident's comment, relayed by a client, on the timeline of a case
 * in the key's area as a public further report (补充反映), audited. The case's state is not
 * changed: a client's `status` is its own view, not a decision of ours. The same `update_id_ext`
 * posted again answers the first update.
 */
export async function postUpdate(ctx: AppContext, caller: Actor | null, form: Form): Promise<WireRecord[]> {
  const actor = reportingKey(caller);
  const caseNumber = form.fields.get("service_request_id")?.trim();
  if (!caseNumber) throw bad("service_request_id is required");
  const description = optional(form, "description", 2000);
  if (!description) throw bad("description is required");
  const external = optional(form, "update_id_ext", 100);
  const email = optional(form, "email", 200) ?? null;
  const name = [optional(form, "last_name", 25), optional(form, "first_name", 25)].filter((part) => part && part !== "-").join("");
  const row = /^\d{6}-\d{8}-\d{5}$/.test(caseNumber)
    ? await ctx.db
        .selectFrom("cases")
        .innerJoin("categories", "categories.code", "cases.category_code")
        .select(["cases.region_code", "cases.id", "cases.status", "cases.level", "cases.number"])
        .where("cases.region_code", "=", caseNumber.slice(0, 6))
        .where("cases.number", "=", caseNumber)
        .where("categories.public", "=", true)
        .where(inScope(actor, sql.ref("cases.community_code")))
        .executeTakeFirst()
    : undefined;
  if (!row) throw missing(`No service request ${caseNumber}`);
  const eventId = await ctx.db.transaction().execute(async (trx) => {
    const id = uuidv7();
    if (external) {
      // Claimed first: a concurrent post of the same comment waits here, then answers the first one's update.
      const claimed = await trx
        .insertInto("open311_update_posts")
        .values({ user_id: actor.userId, update_id_ext: external, region_code: row.region_code, case_id: row.id, event_id: id, email })
        .onConflict((conflict) => conflict.columns(["user_id", "update_id_ext"]).doNothing())
        .returning("event_id")
        .executeTakeFirst();
      if (!claimed) {
        const first = await trx.selectFrom("open311_update_posts").select("event_id").where("user_id", "=", actor.userId).where("update_id_ext", "=", external).executeTakeFirstOrThrow();
        return first.event_id;
      }
    }
    await insertCaseEvent(trx, {
      id,
      regionCode: row.region_code,
      caseId: row.id,
      actorId: actor.userId,
      action: "follow_up",
      from: row.status,
      to: row.status,
      level: row.level,
      note: description,
      publicNote: true,
      details: { channel: "open311", ...(name ? { caller: { name } } : {}), ...(external ? { updateIdExt: external } : {}) },
    });
    await writeAudit(trx, {
      regionCode: row.region_code,
      actorId: actor.userId,
      action: "case.open311_comment",
      targetType: "case",
      targetId: row.id,
      details: { number: row.number, event: id, ...(external ? { updateIdExt: external } : {}) },
    });
    return id;
  });
  return [{ update_id: eventId }];
}

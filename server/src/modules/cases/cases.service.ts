import crypto from "node:crypto";
import type { Kysely, Updateable } from "kysely";
import { randomToken, uuidv7 } from "../../ids.ts";
import type { AppContext } from "../../context.ts";
import type { CaseAnswer, CaseRow, CaseTable, CategoryQuestion, DB } from "../../db/schema.ts";
import { AppError, notFound } from "../../errors.ts";
import { linkPhotos } from "../attachments/attachments.service.ts";
import { publicPhotoLinks } from "../attachments/public-photos.service.ts";
import { writeAudit } from "../audit/audit.repository.ts";
import { codeInScope, requirePermission, type Actor } from "../auth/actor.ts";
import { ancestorCode } from "../divisions/division-codes.ts";
import { toWgs84, type Crs } from "../grids/grids.service.ts";
import { maskPhone } from "../people/people.presenters.ts";
import { STAFF_ROLES } from "../people/roles.ts";
import { calendarFor } from "./calendars.ts";
import { momentsOf } from "./counted-moments.ts";
import {
  findCaseDetailInScope,
  findCaseByNumber,
  findCaseInScope,
  findTrackedCase,
  findNearbyOpenCases,
  insertReportedCases,
  responseHours,
  routedDepartment,
  type CaseDetailRow,
  type NearbyCase,
  type NearbyWindow,
  type NewReport,
  type Open311Request,
  writeTransition,
} from "./cases.repository.ts";
import { activeCategories } from "./categories.service.ts";
import { answererOf, answerValues, checkAnswers, publicAnswers, type Answerer } from "./category-questions.ts";
import { requireActiveReason } from "./case-reasons.service.ts";
import { countReturn } from "./case-reasons.repository.ts";
import { computeDeadlines, DEFAULT_POLICY, policyFor, workingMinutesUntil, type Urgency } from "./deadlines.ts";
import { checkIdempotencyKey, idempotencySecrets, openAnswer, requestMac, sealAnswer } from "./idempotency.ts";
import { claimIdempotencyKey, findIdempotencyKey, storeIdempotentAnswer } from "./idempotency.repository.ts";
import { distanceMeters, searchTerms, suggestCategories, termSimilarity, termsOf } from "./text.ts";
import { closedOnSpot, ON_SPOT_EVENTS, onSpotRefusal } from "./on-the-spot.ts";
import {
  applyCommand,
  availableActions,
  isFinal,
  mayRedactPhotos,
  pendingCoHandlers,
  WorkflowError,
  type Assignment,
  type CaseState,
  type CaseStatus,
  type ClosureLevel,
  type CoHandler,
  type Command,
  type ReturnRequest,
  type WorkflowActor,
} from "./workflow.ts";

export type IntakeInput = {
  description: string;
  title?: string;
  categoryCode?: string;
  urgency?: Urgency;
  source?: (typeof SOURCES)[number];
  location?: { lat: number; lng: number; crs?: Crs };
  gridCode?: string;
  buildingCode?: string;
  reporter?: { name?: string; phone?: string };
  photoIds?: string[];
  /** Answers to the category's extra questions, by question code. */
  answers?: Record<string, unknown>;
  /** Who the answers are asked of, when not the actor's own: a machine client relays the public's. */
  answerer?: Answerer;
  /** Already handled by the grid worker who reports it (就地处置): closed on report, with after-photos. */
  handledOnSpot?: boolean;
  afterPhotoIds?: string[];
};

/** Every channel a case comes in by. */
export const SOURCES = ["resident_web", "resident_app", "hotline", "grid_worker", "supervisor_patrol", "volunteer", "camera", "api", "staff"] as const;
/**
 * The channels a member of the public reports by. The others are staff's to name: a hotline call
 * needs no photo, and a patrol or camera report is trusted as staff's own.
 */
export const PUBLIC_SOURCES: readonly string[] = ["resident_web", "resident_app"];
/** The urgencies a member of the public may claim; an emergency (a 30-minute deadline to accept) is declared by staff. */
export const PUBLIC_URGENCIES: readonly Urgency[] = ["normal", "urgent"];

/** Staff report on behalf of others; anonymous callers, residents and merchants report for themselves. */
const isStaff = (actor: Actor | null): actor is Actor => actor !== null && actor.roles.some((role) => STAFF_ROLES.includes(role));

/** Refuses a channel or urgency that only staff may name. */
function checkPublicReport(actor: Actor | null, input: IntakeInput): void {
  if (isStaff(actor)) return;
  if (input.source !== undefined && !PUBLIC_SOURCES.includes(input.source)) {
    throw new AppError(403, "source_not_allowed", `Only staff report by ${input.source}; residents report by ${PUBLIC_SOURCES.join(" or ")}`);
  }
  if (input.urgency !== undefined && !PUBLIC_URGENCIES.includes(input.urgency)) {
    throw new AppError(403, "urgency_not_allowed", `Only staff declare an ${input.urgency}; residents may mark a report ${PUBLIC_URGENCIES.join(" or ")}`);
  }
}

/**
 * The answers a case stores for a category's questions, or 422 answers_invalid naming every failing
 * question. Without a category nothing may be answered.
 */
export function answersFor(questions: readonly CategoryQuestion[] | undefined, given: Record<string, unknown>, answerer: Answerer): Record<string, CaseAnswer> {
  const { answers, problems } = checkAnswers(questions ?? [], given, answerer);
  if (problems.length > 0) {
    throw new AppError(422, "answers_invalid", `Answers refused: ${problems.map((p) => `${p.code} (${p.problem})`).join(", ")}`, { questions: problems });
  }
  return answers;
}

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");
const shanghaiDay = (instant: Date) => new Date(instant.getTime() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll("-", "");

/** The channel a case came in by, from who reported it when the request does not say. */
function defaultSource(actor: Actor | null): string {
  if (!isStaff(actor)) return "resident_web";
  if (actor.roles.includes("seat_operator")) return "hotline";
  if (actor.roles.includes("supervisor")) return "supervisor_patrol";
  if (actor.roles.includes("grid_worker")) return "grid_worker";
  if (actor.roles.includes("volunteer") || actor.roles.includes("building_head")) return "volunteer";
  if (actor.roles.includes("resident")) return "resident_web";
  return "staff";
}

/** Where the case is: a point (any CRS), a building, or a grid; always resolved to a grid. */
async function locate(ctx: AppContext, input: IntakeInput): Promise<Place> {
  if (input.location) {
    const [lng, lat] = toWgs84(input.location.lng, input.location.lat, input.location.crs ?? "wgs84");
    const found = ctx.grids.locate(lng, lat);
    if (!found) throw notFound("outside_district", "The location lies outside every grid of the district");
    return { lat, lng, gridCode: found.grid.code, buildingCode: null };
  }
  if (input.buildingCode) {
    const building = await ctx.db
      .selectFrom("divisions")
      .select(["code", "lat", "lng"])
      .where("code", "=", input.buildingCode)
      .where("level", "=", "building")
      .executeTakeFirst();
    const found = building?.lat != null && building.lng != null ? ctx.grids.locate(building.lng, building.lat) : undefined;
    if (!building || !found || building.lat == null || building.lng == null) throw notFound("building_not_found", `No building ${input.buildingCode}`);
    return { lat: building.lat, lng: building.lng, gridCode: found.grid.code, buildingCode: building.code };
  }
  if (input.gridCode) {
    const point = ctx.grids.interiorPoint(input.gridCode);
    if (!point) throw notFound("grid_not_found", `No grid ${input.gridCode}`);
    return { lat: point[1], lng: point[0], gridCode: input.gridCode, buildingCode: null };
  }
  throw new AppError(400, "location_required", "Give a location, a building code or a grid code");
}

/**
 * The open cases near a new report whose text is similar: offered to the reporter and the
 * dispatcher as probable duplicates, most similar first.
 */
function rankDuplicates(actor: Actor, nearby: NearbyCase[], place: { lat: number; lng: number }, searchText: string, config: AppContext["config"]["duplicates"]) {
  // Distance first: it is cheap, and text similarity is only worth computing for near cases.
  const reportTerms = termsOf(searchText);
  return nearby
    .filter((row) => codeInScope(actor, row.community_code))
    .map((row) => ({ row, distanceMeters: Math.round(distanceMeters(place.lat, place.lng, row.lat, row.lng)) }))
    .filter((candidate) => candidate.distanceMeters <= config.radiusMeters)
    .map(({ row, distanceMeters }) => ({
      id: row.id,
      number: row.number,
      title: row.title,
      status: row.status,
      createdAt: new Date(row.created_at).toISOString(),
      similarity: Math.round(termSimilarity(reportTerms, termsOf(row.search_text)) * 1000) / 1000,
      distanceMeters,
    }))
    .filter((candidate) => candidate.similarity >= config.minSimilarity)
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, 5);
}

/**
 * The probable duplicates the reporter is shown: only to staff who may read cases, and only those
 * in their scope. A member of the public sees no other case.
 */
function duplicatesFor(actor: Actor | null, nearby: NearbyCase[], place: { lat: number; lng: number }, searchText: string, config: AppContext["config"]["duplicates"]) {
  if (!actor?.permissions.has("case.read")) return [];
  return rankDuplicates(actor, nearby, place, searchText, config);
}

export type IntakeResult = {
  statusCode: 201;
  body: { case: PresentedCase; trackingToken?: string; duplicates: DuplicateCandidate[] };
  /** The answer kept for an Idempotency-Key used before: this call wrote nothing. */
  replayed?: true;
};
export type DuplicateCandidate = ReturnType<typeof rankDuplicates>[number];

export type Place = { lat: number; lng: number; gridCode: string; buildingCode: string | null };

/**
 * The case and first event a report writes: its level, deadlines (from `now`, on the region's
 * calendar), search terms and tracking token. Shared by every intake path, so that a case imported
 * from a file is the same as one taken on the phone.
 */
export function newReport(
  actor: Actor | null,
  input: IntakeInput,
  plan: {
    place: Place;
    category: { code: string; closure_level: CaseRow["level"]; deadline_policy: string; department_code: string | null } | undefined;
    suggested: string | null;
    source: string;
    answers: Record<string, CaseAnswer>;
    id: string;
    now: Date;
    photoIds: readonly string[];
  },
): { report: NewReport; trackingToken: string } {
  const { place, category, suggested, source, answers, id, now, photoIds } = plan;
  const communityCode = ancestorCode(place.gridCode, "community");
  const regionCode = ancestorCode(place.gridCode, "district");
  const policy = policyFor(category?.deadline_policy ?? "dukao130", input.urgency ?? "normal");
  const deadlines = computeDeadlines(policy, now, calendarFor(regionCode));
  const trackingToken = randomToken(18);
  const text = `${input.title ?? ""} ${input.description}`;
  const report: NewReport = {
    day: shanghaiDay(now),
    defaultDepartment: category?.department_code ?? null,
    case: {
      region_code: regionCode,
      id,
      created_at: now,
      status: "reported",
      level: category?.closure_level ?? "community",
      source,
      category_code: category?.code ?? null,
      suggested_category_code: suggested,
      urgency: input.urgency ?? "normal",
      title: input.title ?? input.description.slice(0, 40),
      description: input.description,
      search_text: searchTerms(text),
      lat: place.lat,
      lng: place.lng,
      grid_code: place.gridCode,
      community_code: communityCode,
      street_code: ancestorCode(place.gridCode, "street"),
      building_code: place.buildingCode,
      reporter_user_id: actor?.userId ?? null,
      reporter_name: input.reporter?.name ?? null,
      reporter_phone: input.reporter?.phone ?? null,
      tracking_token_hash: sha256(trackingToken),
      accept_by: deadlines.acceptBy,
      dispatch_by: deadlines.dispatchBy,
      feedback_by: deadlines.feedbackBy,
      handle_by: deadlines.handleBy,
      answers,
    },
    event: { actorId: actor?.userId ?? null, apiKeyId: actor?.apiKey?.id ?? null, details: { source, gridCode: place.gridCode, suggestedCategory: suggested, photos: [...photoIds] } },
  };
  return { report, trackingToken };
}

/**
 * Takes a case in from any channel: locates it on its grid, classifies it (or suggests a category
 * from its text), routes it, sets its level, deadlines and per-district number, and writes the
 * case and its first event in one transaction. With an Idempotency-Key a retry returns the first
 * answer; the same key with another body is refused (422).
 */
export async function intakeCase(
  ctx: AppContext,
  actor: Actor | null,
  input: IntakeInput,
  idempotencyKey?: string,
  /** Written with the case (not with a replayed answer's). */
  open311Request?: Open311Request,
): Promise<IntakeResult> {
  checkPublicReport(actor, input);
  if (idempotencyKey !== undefined) checkIdempotencyKey(idempotencyKey, actor === null);
  const idempotency = idempotencyKey === undefined ? undefined : idempotencySecrets(actor ? `user:${actor.userId}` : "anonymous", idempotencyKey);
  checkOnSpotReport(input);
  const place = await locate(ctx, input);
  if (input.handledOnSpot) {
    const refusal = onSpotRefusal(actor ? workflowActor(actor) : ANONYMOUS, ancestorCode(place.gridCode, "community"));
    if (refusal) throw new AppError(refusal.status, refusal.code, refusal.message);
  }
  if (actor?.scopeCode && !codeInScope(actor, place.gridCode)) {
    throw notFound("outside_scope", "The location lies outside your area");
  }
  const categories = await activeCategories(ctx.db);
  const suggested = suggestCategories(input.description + (input.title ?? ""), categories.filter((c) => c.parent_code !== null))[0]?.code ?? null;
  const category = input.categoryCode ? categories.find((c) => c.code === input.categoryCode) : undefined;
  if (input.categoryCode && !category) throw new AppError(400, "unknown_category", `No category ${input.categoryCode}`);
  const source = input.source ?? defaultSource(actor);
  // A hotline caller cannot send a photo; every other channel must when the category asks for one.
  if (category?.photo_required && source !== "hotline" && !input.photoIds?.length) {
    throw new AppError(400, "photo_required", `A case of ${category.name} needs a photo`);
  }
  const answers = answersFor(category?.questions, input.answers ?? {}, input.answerer ?? answererOf(actor));
  const id = uuidv7();
  const photoIds = input.photoIds ?? [];
  const { report, trackingToken } = newReport(actor, input, { place, category, suggested, source, answers, id, now: new Date(), photoIds });
  if (open311Request) report.open311Request = open311Request;
  const regionCode = report.case.region_code;
  const answer = ({ row, nearby }: { row: CaseRow; nearby: NearbyCase[] }): IntakeResult => ({
    statusCode: 201,
    body: { case: presentCase(row, actor, []), trackingToken, duplicates: duplicatesFor(actor, nearby, place, report.case.search_text, ctx.config.duplicates) },
  });

  // The common report, without photos or a key, goes in the next batch; the others need a transaction.
  if (!idempotency && photoIds.length === 0) return answer(await ctx.reports.write(report));
  return ctx.db.transaction().execute(async (trx) => {
    if (idempotency) {
      const mac = requestMac(idempotency, JSON.stringify(input));
      if (!(await claimIdempotencyKey(trx, idempotency, mac))) {
        const first = await findIdempotencyKey(trx, idempotency);
        // Gone only if it expired between the claim and this read: not the same request any more.
        if (!first || !crypto.timingSafeEqual(first.request_mac, mac)) {
          throw new AppError(422, "idempotency_key_reused", "This Idempotency-Key was used with another request body");
        }
        return { statusCode: 201, body: openAnswer(idempotency, first.response) as IntakeResult["body"], replayed: true };
      }
    }
    let [written] = await insertReportedCases(trx, [report], ctx.config.duplicates);
    await linkPhotos(trx, photoIds, { caseId: id, regionCode, kind: "before", uploaderId: actor?.userId ?? null });
    if (input.handledOnSpot && actor) written = { ...written, row: await closeOnSpot(trx, written.row, actor, input.afterPhotoIds ?? []) };
    const result = answer(written);
    if (idempotency) await storeIdempotentAnswer(trx, idempotency, result.statusCode, sealAnswer(idempotency, result.body));
    return result;
  });
}

const ANONYMOUS: WorkflowActor = { userId: "", roles: [], scopeCode: null, departmentId: null };

/** A report handled on the spot names its after-photos and has before-photos; no other report names after-photos. */
function checkOnSpotReport(input: IntakeInput): void {
  if (!input.handledOnSpot) {
    if (input.afterPhotoIds !== undefined) throw new AppError(400, "invalid_report", "afterPhotoIds go with handledOnSpot: true");
    return;
  }
  if (!input.photoIds?.length || !input.afterPhotoIds?.length) {
    throw new AppError(400, "on_spot_photos_required", "A problem handled on the spot is reported with at least one before-photo (photoIds) and one after-photo (afterPhotoIds)");
  }
  if (input.photoIds.some((photoId) => input.afterPhotoIds?.includes(photoId))) {
    throw new AppError(400, "invalid_photo", "A photo is either a before- or an after-photo");
  }
}

/**
 * Records a report as handled on the spot and closed by its finder, inside the intake's
 * transaction: two transitions, each with its event and its move in the status counts, so that
 * the timeline reads reported → handled on the spot → closed.
 */
async function closeOnSpot(trx: Kysely<DB>, reported: CaseRow, finder: Actor, afterPhotoIds: readonly string[]): Promise<CaseRow> {
  const closed = closedOnSpot(stateOf(reported), finder.userId);
  await linkPhotos(trx, afterPhotoIds, { caseId: reported.id, regionCode: reported.region_code, kind: "after", uploaderId: finder.userId });
  let row = reported;
  for (const step of ON_SPOT_EVENTS) {
    const now = new Date();
    const written = await writeTransition(trx, {
      before: row,
      changes: {
        status: step.to,
        level: closed.level,
        assignment: JSON.stringify(closed.assignment),
        handled_on_spot: true,
        // Found and handled at once: registered (立案) and handled by the finder at the report.
        registered_at: row.registered_at ?? now,
        handled_at: row.handled_at ?? now,
        handled_by: finder.userId,
        closed_at: step.to === "closed" ? now : null,
        version: row.version + 1,
        updated_at: now,
      },
      event: {
        regionCode: row.region_code,
        caseId: row.id,
        actorId: finder.userId,
        action: step.action,
        from: step.from,
        to: step.to,
        level: closed.level,
        publicNote: false,
        details: step.to === "handled" ? { photos: afterPhotoIds, assignment: closed.assignment } : {},
      },
    });
    if (!written) throw new Error(`The case ${row.id} changed while it was reported`);
    row = written;
  }
  // A closure without dispatch or verification: audited, as the sample review that checks it is.
  await writeAudit(trx, {
    regionCode: row.region_code,
    actorId: finder.userId,
    action: "case.handle_on_spot",
    targetType: "case",
    targetId: row.id,
    details: { number: row.number, photos: afterPhotoIds },
  });
  return row;
}

/**
 * What creating this case would find, without writing anything: where it lies (grid, community,
 * street), the category suggested by its text, the urgency it would have (an emergency category
 * makes it an emergency), the department and deadlines that would follow, and the open cases it
 * probably duplicates (staff who may read cases only, in their scope), so that a seat operator can
 * add the caller to one of those instead (`follow_up`). The same checks as intake answer the same
 * errors.
 */
export async function previewIntake(ctx: AppContext, actor: Actor | null, input: IntakeInput) {
  checkPublicReport(actor, input);
  const place = await locate(ctx, input);
  if (actor?.scopeCode && !codeInScope(actor, place.gridCode)) {
    throw notFound("outside_scope", "The location lies outside your area");
  }
  const categories = await activeCategories(ctx.db);
  const suggestions = suggestCategories(input.description + (input.title ?? ""), categories.filter((c) => c.parent_code !== null));
  const category = input.categoryCode ? categories.find((c) => c.code === input.categoryCode) : undefined;
  if (input.categoryCode && !category) throw new AppError(400, "unknown_category", `No category ${input.categoryCode}`);
  // Answers are not checked here: a preview is asked for while the call is still being taken down.
  const suggested = suggestions[0] ? categories.find((c) => c.code === suggestions[0].code) : undefined;
  const effective = category ?? suggested;
  const urgency: Urgency = effective?.emergency ? "emergency" : (input.urgency ?? "normal");
  const communityCode = ancestorCode(place.gridCode, "community");
  const regionCode = ancestorCode(place.gridCode, "district");
  const deadlines = computeDeadlines(policyFor(effective?.deadline_policy ?? DEFAULT_POLICY, urgency), new Date(), calendarFor(regionCode));
  const department = effective ? ((await routedDepartment(ctx.db, effective.code, communityCode)) ?? effective.department_code) : null;
  const where = ctx.grids.locate(place.lng, place.lat);
  let duplicates: DuplicateCandidate[] = [];
  if (actor?.permissions.has("case.read") && effective) {
    const nearby = await findNearbyOpenCases(ctx.db, actor, { regionCode, lat: place.lat, lng: place.lng, categories: [effective.code] }, ctx.config.duplicates);
    duplicates = rankDuplicates(actor, nearby, place, searchTerms(`${input.title ?? ""} ${input.description}`), ctx.config.duplicates);
  }
  const named = (row: { code: string; name: string } | undefined) => (row ? { code: row.code, name: row.name } : null);
  return {
    location: { lat: place.lat, lng: place.lng },
    grid: named(where?.grid) ?? { code: place.gridCode, name: place.gridCode },
    community: named(where?.community) ?? { code: communityCode, name: communityCode },
    street: named(where?.street) ?? { code: ancestorCode(place.gridCode, "street"), name: ancestorCode(place.gridCode, "street") },
    buildingCode: place.buildingCode,
    category: named(category),
    suggestedCategories: suggestions.slice(0, 3).flatMap((suggestion) => {
      const row = categories.find((c) => c.code === suggestion.code);
      return row ? [{ code: row.code, name: row.name }] : [];
    }),
    urgency,
    departmentCode: department,
    deadlines: {
      acceptBy: deadlines.acceptBy.toISOString(),
      dispatchBy: deadlines.dispatchBy.toISOString(),
      feedbackBy: deadlines.feedbackBy.toISOString(),
      handleBy: deadlines.handleBy.toISOString(),
    },
    duplicates,
  };
}

export type PresentedCase = ReturnType<typeof presentCase>;

/** The API view of a case: the reporter's contact masked, with the actions this actor may take now. */
export function presentCase(row: CaseRow, actor: Actor | null, actions: string[], departments: DepartmentNames = new Map()) {
  return {
    id: row.id,
    number: row.number,
    version: row.version,
    status: row.status,
    level: row.level,
    source: row.source,
    categoryCode: row.category_code,
    suggestedCategoryCode: row.suggested_category_code,
    departmentCode: row.department_code,
    urgency: row.urgency,
    title: row.title,
    description: row.description,
    location: { lat: row.lat, lng: row.lng },
    gridCode: row.grid_code,
    communityCode: row.community_code,
    streetCode: row.street_code,
    buildingCode: row.building_code,
    reporter: {
      name: row.reporter_name,
      phone: maskPhone(row.reporter_phone),
      own: actor !== null && row.reporter_user_id === actor.userId,
      // Whether POST …/reporter-contact would show this actor the full number.
      canReveal: row.reporter_phone !== null && actor !== null && actor.permissions.has("case.reveal_contact"),
    },
    assignment: row.assignment,
    reworkCount: row.rework_count,
    reopenCount: row.reopen_count,
    satisfaction: row.satisfaction,
    resolved: row.resolved,
    handledOnSpot: row.handled_on_spot,
    spotReview: row.spot_review,
    mergedInto: row.merged_into,
    pendingExtensionDays: row.pending_extension_days,
    coHandlers: (row.co_handlers ?? []).map((co) => ({
      departmentCode: departments.get(co.departmentId)?.code ?? null,
      departmentName: departments.get(co.departmentId)?.name ?? null,
      state: co.state,
    })),
    returnRequest: row.return_request ? { reasonCode: row.return_request.reasonCode, requestedBy: row.return_request.requestedBy } : null,
    deadlines: {
      acceptBy: row.accept_by.toISOString(),
      dispatchBy: row.dispatch_by.toISOString(),
      feedbackBy: row.feedback_by.toISOString(),
      handleBy: row.handle_by.toISOString(),
    },
    deadlineWorkingMinutes: deadlineWorkingMinutes(row, new Date()),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    closedAt: row.closed_at?.toISOString() ?? null,
    answers: answererOf(actor) === "staff" ? row.answers : publicAnswers(row.answers),
    actions,
  };
}

/** The working minutes left to each stage's deadline, on the case's calendar; negative once past. */
function deadlineWorkingMinutes(row: CaseRow, now: Date) {
  const calendar = calendarFor(row.region_code);
  return {
    acceptBy: workingMinutesUntil(row.accept_by, now, calendar),
    dispatchBy: workingMinutesUntil(row.dispatch_by, now, calendar),
    feedbackBy: workingMinutesUntil(row.feedback_by, now, calendar),
    handleBy: workingMinutesUntil(row.handle_by, now, calendar),
  };
}

/** Department codes and names by id, for the co-handlers a case shows. */
type DepartmentNames = Map<string, { code: string; name: string }>;

async function departmentNames(ctx: AppContext, ids: readonly string[]): Promise<DepartmentNames> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.db.selectFrom("departments").select(["id", "code", "name"]).where("id", "in", ids).execute();
  return new Map(rows.map((row) => [row.id, { code: row.code, name: row.name }]));
}

const coHandlerIds = (row: CaseRow) => (row.co_handlers ?? []).map((co) => co.departmentId);

export function stateOf(row: CaseRow): CaseState {
  return {
    status: row.status as CaseStatus,
    level: row.level,
    communityCode: row.community_code,
    streetCode: row.street_code,
    districtCode: row.region_code,
    assignment: (row.assignment as Assignment | null) ?? null,
    suspendedFrom: (row.suspended_from as CaseStatus | null) ?? null,
    pendingExtensionDays: row.pending_extension_days,
    extensionRequestedBy: row.extension_requested_by,
    reworkCount: row.rework_count,
    reopenCount: row.reopen_count,
    satisfaction: (row.satisfaction as CaseState["satisfaction"]) ?? null,
    mergedInto: row.merged_into,
    coHandlers: (row.co_handlers ?? []) as CoHandler[],
    returnRequest: (row.return_request as ReturnRequest | null) ?? null,
    handledOnSpot: row.handled_on_spot,
    spotReview: row.spot_review,
  };
}

export const workflowActor = (actor: Actor): WorkflowActor => ({
  userId: actor.userId,
  roles: actor.roles,
  scopeCode: actor.scopeCode,
  departmentId: actor.departmentId,
});

const caseNotFound = (id: string) => notFound("case_not_found", `No case ${id}`);

/** A case with its timeline and the actions the actor may take now; outside the actor's scope: 404. */
export async function getCase(ctx: AppContext, actor: Actor, id: string) {
  requirePermission(actor, "case.read");
  const row = await findCaseDetailInScope(ctx.db, actor, id, ctx.config.duplicates);
  if (!row) throw caseNotFound(id);
  return caseDetail(ctx, actor, row, await departmentNames(ctx, coHandlerIds(row)));
}

/**
 * The detail view of a case read in the actor's scope with its timeline and photos, and the open
 * cases in the actor's scope that are probably the same problem as this open case (near it, of its
 * category, recent, with similar text): what a merge needs of them.
 */
function caseDetail(ctx: AppContext, actor: Actor, { timeline, photos, nearby, ...row }: CaseDetailRow, departments: DepartmentNames) {
  return {
    case: presentCase(row, actor, availableActions(stateOf(row), workflowActor(actor)), departments),
    photos,
    canRedactPhotos: mayRedactPhotos(workflowActor(actor), stateOf(row)),
    timeline: timeline.map((event) => ({
      id: event.id,
      at: new Date(event.at).toISOString(),
      action: event.action,
      from: event.from_status,
      to: event.to_status,
      level: event.level,
      actor: event.actor_name,
      apiKey: event.api_key,
      note: event.note,
      details: event.details as Record<string, unknown>,
    })),
    duplicates: rankDuplicates(actor, nearby, row, row.search_text, ctx.config.duplicates),
  };
}

export const etagOf = (version: number) => `"${version}"`;

export type TransitionInput = {
  action: Command["action"];
  note?: string;
  publicNote?: boolean;
  to?: { departmentCode?: string; userId?: string; divisionCode?: string };
  days?: number;
  satisfaction?: "satisfied" | "basically_satisfied" | "dissatisfied";
  /** evaluate: whether the problem was solved (是否解决); a resident always answers it. */
  resolved?: boolean;
  into?: string;
  photoIds?: string[];
  /** dispatch: the co-handling departments (协办) besides the lead in `to`. */
  coHandlers?: string[];
  /** return, reject: the code of a configured reason of that kind. */
  reasonCode?: string;
  /** release_co_handler: the co-handling department released. */
  departmentCode?: string;
  /** follow_up: who called again about the case; the timeline keeps the phone masked. */
  caller?: { name?: string; phone?: string };
  /** register and reclassify: the category, closure level and urgency (each unchanged when absent). */
  categoryCode?: string;
  /** register and reclassify: answers to the category's questions, added to those the case has. */
  answers?: Record<string, unknown>;
  level?: ClosureLevel;
  urgency?: Urgency;
};

const CLASSIFYING: readonly string[] = ["register", "reclassify"];

const outOfReach = (code: string, message: string) => new AppError(422, code, message);

/** Whom a case may be dispatched to by name: a handler, or a grid worker of the case's community. */
const USER_ASSIGNEE_ROLES: readonly string[] = ["handler", "grid_worker"];

/**
 * Whom a case may be dispatched to: a department that serves the case's division (its division
 * lies above the case's community), or an active handler or grid worker who works there (their
 * scope covers the community, and their department, if any, serves it). Anyone else could never see the case, and
 * it would stay dispatched to nobody who can act.
 */
async function assignmentOf(ctx: AppContext, row: CaseRow, to: NonNullable<TransitionInput["to"]>): Promise<Assignment | undefined> {
  if (to.departmentCode) {
    const department = await ctx.db.selectFrom("departments").select(["id", "division_code"]).where("code", "=", to.departmentCode).executeTakeFirst();
    if (!department) throw notFound("department_not_found", `No department ${to.departmentCode}`);
    if (!row.community_code.startsWith(department.division_code)) {
      throw outOfReach("department_out_of_reach", `The department ${to.departmentCode} does not serve the case's community ${row.community_code}`);
    }
    return { kind: "department", departmentId: department.id };
  }
  if (to.userId) {
    const user = await ctx.db
      .selectFrom("users")
      .leftJoin("departments", "departments.id", "users.department_id")
      .select(["users.id", "users.roles", "users.scope_code", "users.disabled_at", "departments.code as department_code", "departments.division_code as department_division"])
      .where("users.id", "=", to.userId)
      .executeTakeFirst();
    if (!user || !USER_ASSIGNEE_ROLES.some((role) => user.roles.includes(role))) throw notFound("user_not_found", `No handler or grid worker ${to.userId}`);
    if (user.disabled_at) throw outOfReach("handler_disabled", `The handler ${to.userId} is disabled`);
    if (user.scope_code === null || !row.community_code.startsWith(user.scope_code)) {
      throw outOfReach("handler_out_of_reach", `The handler ${to.userId} works outside the case's community ${row.community_code}`);
    }
    if (user.department_division != null && !row.community_code.startsWith(user.department_division)) {
      throw outOfReach("handler_out_of_reach", `The handler's department ${user.department_code} does not serve the case's community ${row.community_code}`);
    }
    return { kind: "user", userId: user.id };
  }
  if (to.divisionCode) {
    if (!row.community_code.startsWith(to.divisionCode)) throw notFound("division_not_found", `No division ${to.divisionCode} above the case`);
    return { kind: "division", divisionCode: to.divisionCode };
  }
  return undefined;
}

/** Turns the request into a workflow command, checking that what it names exists and is within reach. */
async function commandOf(ctx: AppContext, actor: Actor, row: CaseRow, input: TransitionInput): Promise<Command> {
  const need = (field: string): never => {
    throw new AppError(400, "invalid_transition_input", `The action ${input.action} needs ${field}`);
  };
  if (input.caller !== undefined && input.action !== "follow_up") {
    throw new AppError(400, "invalid_transition_input", "Only follow_up takes a caller");
  }
  if (!CLASSIFYING.includes(input.action) && (input.categoryCode !== undefined || input.level !== undefined || input.urgency !== undefined || input.answers !== undefined)) {
    throw new AppError(400, "invalid_transition_input", "Only register and reclassify take categoryCode, level, urgency and answers");
  }
  switch (input.action) {
    case "register":
    case "reclassify":
      if (input.action === "reclassify" && input.categoryCode === undefined && input.level === undefined && input.urgency === undefined && input.answers === undefined) {
        need("categoryCode, level, urgency or answers");
      }
      return { action: input.action, level: input.level, note: input.note };
    case "dispatch":
    case "reassign": {
      const assignment = (await assignmentOf(ctx, row, input.to ?? need("to"))) ?? need("to.departmentCode, to.userId or to.divisionCode");
      const coHandlers = [];
      // Each co-handler is checked for reach like the lead: its staff must be able to serve the case.
      for (const departmentCode of input.coHandlers ?? []) {
        const department = await assignmentOf(ctx, row, { departmentCode });
        if (department?.kind === "department") coHandlers.push(department.departmentId);
      }
      if (input.action === "reassign") return { action: "reassign", to: assignment, coHandlers, note: input.note ?? need("a note (why it is reassigned)") };
      return { action: "dispatch", to: assignment, coHandlers, note: input.note };
    }
    case "reject":
    case "return": {
      const reasonCode = input.reasonCode ?? need("reasonCode, one of GET /api/v1/case-reasons");
      await requireActiveReason(ctx, input.action, reasonCode);
      return { action: input.action, reasonCode, note: input.note };
    }
    case "release_co_handler": {
      const code = input.departmentCode ?? need("departmentCode");
      const department = await ctx.db.selectFrom("departments").select("id").where("code", "=", code).executeTakeFirst();
      if (!department) throw notFound("department_not_found", `No department ${code}`);
      return { action: "release_co_handler", departmentId: department.id, note: input.note ?? need("a note (the reason)") };
    }
    case "deny_return":
    case "co_report":
      return { action: input.action, note: input.note ?? need("a note") };
    case "suspend":
    case "verify_fail":
    case "review_fail":
    case "handle":
    case "follow_up":
      return { action: input.action, note: input.note ?? need("a note") };
    case "request_extension":
      return { action: "request_extension", days: input.days ?? need("days"), note: input.note ?? need("a note") };
    case "evaluate":
      return { action: "evaluate", satisfaction: input.satisfaction ?? need("satisfaction"), note: input.note };
    case "merge": {
      const into = input.into ?? need("into");
      if (into === row.id) throw new AppError(400, "invalid_transition_input", "A case cannot be merged into itself");
      // A target outside the caller's scope answers exactly like one that does not exist.
      const target = await findCaseInScope(ctx.db, actor, into);
      if (!target || target.region_code !== row.region_code || isFinal(target.status as CaseStatus)) {
        throw notFound("case_not_found", `No open case ${into}`);
      }
      return { action: "merge", into: target.id, note: input.note };
    }
    default:
      return { action: input.action, note: input.note };
  }
}

/**
 * Applies one workflow action to a case, guarded by its version (If-Match): the changed case and
 * its event are written in one statement (a transaction with after-photos), or nothing is. The
 * statement answers with the timeline and photos too, so a transition is one read and one write.
 */
export async function transitionCase(ctx: AppContext, actor: Actor, id: string, ifMatch: string | undefined, input: TransitionInput, idempotencyKey?: string) {
  requirePermission(actor, "case.read");
  if (idempotencyKey === undefined) return transitionOnce(ctx, actor, id, ifMatch, input);
  checkIdempotencyKey(idempotencyKey, false);
  // A key is the caller's own for one case: a client may number its queued actions per case.
  const secrets = idempotencySecrets(`user:${actor.userId}:case:${id}`, idempotencyKey);
  const mac = requestMac(secrets, JSON.stringify(input));
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await claimIdempotencyKey(trx, secrets, mac))) {
      const first = await findIdempotencyKey(trx, secrets);
      if (!first || !crypto.timingSafeEqual(first.request_mac, mac)) {
        throw new AppError(422, "idempotency_key_reused", "This Idempotency-Key was used with another request body");
      }
      return openAnswer(secrets, first.response) as TransitionAnswer;
    }
    // A refusal rolls the claim back with everything else: a retry is taken afresh.
    const answer = await transitionOnce({ ...ctx, db: trx }, actor, id, ifMatch, input);
    await storeIdempotentAnswer(trx, secrets, 200, sealAnswer(secrets, answer));
    return answer;
  });
}

type TransitionAnswer = Awaited<ReturnType<typeof transitionOnce>>;

/** The photos each action takes, and the kind they are kept as. */
const PHOTO_KINDS: Partial<Record<Command["action"], "after" | "verification">> = {
  handle: "after",
  co_report: "after",
  verify_pass: "verification",
  verify_fail: "verification",
  review_pass: "verification",
  review_fail: "verification",
};

/** One transition as the request asks it, checked against the case as read. */
async function transitionOnce(ctx: AppContext, actor: Actor, id: string, ifMatch: string | undefined, input: TransitionInput) {
  const row = await findCaseInScope(ctx.db, actor, id);
  if (!row) throw caseNotFound(id);
  if (!ifMatch) throw new AppError(428, "precondition_required", "Send If-Match with the case's ETag");
  if (ifMatch !== etagOf(row.version)) throw new AppError(412, "version_mismatch", "The case changed since you read it; reload it");
  if (input.photoIds?.length && !PHOTO_KINDS[input.action]) {
    throw new AppError(
      400,
      "invalid_transition_input",
      "Photos go with the handle and co_report actions (after-photos) and with verify_pass, verify_fail, review_pass and review_fail (verification photos)",
    );
  }
  if (input.resolved !== undefined && input.action !== "evaluate") throw new AppError(400, "invalid_transition_input", "Only evaluate takes resolved");
  if (input.coHandlers !== undefined && input.action !== "dispatch" && input.action !== "reassign") {
    throw new AppError(400, "invalid_transition_input", "Only dispatch and reassign take coHandlers");
  }
  if (input.reasonCode !== undefined && input.action !== "return" && input.action !== "reject") {
    throw new AppError(400, "invalid_transition_input", "Only return and reject take a reasonCode");
  }
  if (input.departmentCode !== undefined && input.action !== "release_co_handler") {
    throw new AppError(400, "invalid_transition_input", "Only release_co_handler takes a departmentCode");
  }
  const command = await commandOf(ctx, actor, row, input);
  const updated = await applyTransition(ctx, row, workflowActor(actor), actor.userId, command, input, ctx.config.duplicates);
  // The same answer as a read of the case right after, so that the client shows it as it is.
  return caseDetail(ctx, actor, updated, await departmentNames(ctx, coHandlerIds(updated)));
}

/**
 * One case of a bulk action: the checks and the write of `transitionCase` (scope, the action offered
 * now, what it names within reach), the version checked only when given, and an answer of the new
 * version and status instead of the case's page.
 */
export async function transitionCaseInBulk(ctx: AppContext, actor: Actor, id: string, version: number | undefined, input: TransitionInput) {
  requirePermission(actor, "case.read");
  const row = await findCaseInScope(ctx.db, actor, id);
  if (!row) throw caseNotFound(id);
  if (version !== undefined && version !== row.version) throw new AppError(412, "version_mismatch", "The case changed since you read it; reload it");
  const command = await commandOf(ctx, actor, row, input);
  const updated = await applyTransition(ctx, row, workflowActor(actor), actor.userId, command, input);
  return { version: updated.version, status: updated.status };
}

/** Writes a workflow transition and its event, if the case still has the version that was read. */
async function applyTransition(
  ctx: AppContext,
  row: CaseRow,
  actor: WorkflowActor,
  actorId: string | null,
  command: Command,
  input: {
    note?: string;
    publicNote?: boolean;
    photoIds?: string[];
    categoryCode?: string;
    urgency?: Urgency;
    answers?: Record<string, unknown>;
    caller?: TransitionInput["caller"];
    resolved?: boolean;
  },
  /** The window of the open cases near it that the answer lists, for a caller that shows the case's page; none by default. */
  nearby: NearbyWindow | null = null,
): Promise<CaseDetailRow> {
  let transition;
  try {
    transition = applyCommand(stateOf(row), actor, command);
  } catch (error) {
    if (error instanceof WorkflowError) {
      const status = { forbidden_action: 403, self_approval: 403, transition_not_allowed: 409, invalid_transition_input: 400, escalation_required: 422, co_handling_pending: 409 }[error.code];
      if (error.code === "co_handling_pending") {
        // Named by code, as the dispatch named them.
        const names = await departmentNames(ctx, pendingCoHandlers(stateOf(row)));
        throw new AppError(status, error.code, error.message, { pending: [...names.values()].map((department) => department.code) });
      }
      throw new AppError(status, error.code, error.message);
    }
    throw error;
  }
  const next = transition.state;
  const now = new Date();
  const calendar = calendarFor(row.region_code);
  const deadlines: Partial<Record<"accept_by" | "dispatch_by" | "feedback_by" | "handle_by", Date>> = {};
  const classified = CLASSIFYING.includes(command.action) ? await classify(ctx, row, input) : undefined;
  if (classified) Object.assign(deadlines, classified.deadlines);
  if (command.action === "approve_extension" && row.pending_extension_days) {
    deadlines.handle_by = calendar.addWorkingDays(row.handle_by, row.pending_extension_days);
  }
  if (command.action === "resume" && row.suspended_at) {
    // The clock stood still while the case was suspended.
    for (const column of ["dispatch_by", "feedback_by", "handle_by"] as const) {
      deadlines[column] = calendar.extendBySuspension(row[column], row.suspended_at, now);
    }
  }
  if (command.action === "reassign") Object.assign(deadlines, reassignedDeadlines(row, now));
  if (command.action === "escalate" || (command.action === "evaluate" && next.status === "registered")) {
    const category = (await activeCategories(ctx.db)).find((c) => c.code === row.category_code);
    const fresh = computeDeadlines(policyFor(category?.deadline_policy ?? "dukao130", row.urgency as Urgency), now, calendar);
    deadlines.dispatch_by = fresh.dispatchBy;
    deadlines.feedback_by = fresh.feedbackBy;
    deadlines.handle_by = fresh.handleBy;
  }
  const returned = await returnDepartment(ctx, command, stateOf(row));
  const write = async (db: Kysely<DB>) => {
    const updated = await writeTransition(db, {
      before: row,
      changes: {
        ...(await countedMoments(ctx, row, command, actorId, now)),
        status: next.status,
        level: next.level as ClosureLevel,
        assignment: next.assignment ? JSON.stringify(next.assignment) : null,
        co_handlers: JSON.stringify(next.coHandlers),
        return_request: next.returnRequest ? JSON.stringify(next.returnRequest) : null,
        suspended_from: next.suspendedFrom,
        suspended_at: next.status === "suspended" ? now : null,
        pending_extension_days: next.pendingExtensionDays,
        extension_requested_by: next.extensionRequestedBy,
        rework_count: next.reworkCount,
        reopen_count: next.reopenCount,
        satisfaction: next.satisfaction,
        merged_into: next.mergedInto,
        closed_at: next.status === "closed" ? now : next.status === "registered" ? null : row.closed_at,
        version: row.version + 1,
        updated_at: now,
        ...deadlines,
        // A moved deadline is judged afresh by the sweep, which urges again when it is near or past.
        ...(deadlines.handle_by ? { deadline_state: "on_time" as const } : {}),
        ...classified?.changes,
        spot_review: next.spotReview ?? null,
        // A review passed leaves the closure as it was; a failed one reopens the case for rework.
        ...(command.action === "review_pass" ? { closed_at: row.closed_at } : command.action === "review_fail" ? { closed_at: null } : {}),
        ...(command.action === "evaluate" ? { resolved: input.resolved ?? null } : {}),
      },
      event: {
        regionCode: row.region_code,
        caseId: row.id,
        actorId,
        action: command.action,
        from: transition.from,
        to: transition.to,
        level: transition.level,
        note: input.note,
        publicNote: input.publicNote,
        details: {
          ...transition.details,
          ...returned,
          ...classified?.details,
          ...(input.photoIds?.length ? { photos: input.photoIds } : {}),
          ...(command.action === "evaluate" && input.resolved !== undefined ? { resolved: input.resolved } : {}),
          ...(input.caller ? { caller: { name: input.caller.name ?? null, phone: maskPhone(input.caller.phone ?? null) } } : {}),
        },
      },
    }, nearby);
    if (!updated) throw new AppError(412, "version_mismatch", "The case changed since you read it; reload it");
    return updated;
  };
  const changedClassification = classified !== undefined && (Object.keys(classified.details).length > 0 || transition.details.level !== undefined);
  // A change of category, level or urgency moves deadlines and money (indicators), and a sample
  // review judges a worker's closure: audited with the case's event.
  const audited = (changedClassification || AUDITED_ACTIONS.includes(command.action)) && actorId !== null;
  // The department's return counter moves with the event, or not at all.
  const counted = command.action === "return" ? "requested" : command.action === "approve_return" ? "approved" : undefined;
  const countedDepartment = counted ? returned.department : undefined;
  // One statement is atomic; photos, the audit entry and the counter go in the same transaction, or not at all.
  const photoIds = input.photoIds ?? [];
  if (!audited && photoIds.length === 0 && !countedDepartment) return write(ctx.db);
  return inTransaction(ctx.db, async (trx) => {
    await linkPhotos(trx, photoIds, { caseId: row.id, regionCode: row.region_code, kind: PHOTO_KINDS[command.action] ?? "after", uploaderId: actorId });
    const updated = await write(trx);
    if (audited && actorId !== null) {
      await writeAudit(trx, {
        regionCode: row.region_code,
        actorId,
        action: `case.${command.action}`,
        targetType: "case",
        targetId: row.id,
        details: { ...transition.details, ...classified?.details, ...(photoIds.length ? { photos: photoIds } : {}) },
      });
    }
    if (counted && countedDepartment) await countReturn(trx, { regionCode: row.region_code, communityCode: row.community_code, departmentCode: countedDepartment }, counted);
    return updated;
  });
}

/** The moments indicators count by that this action sets (`momentsOf`); the response limit is read only for an acknowledgement. */
async function countedMoments(ctx: AppContext, row: CaseRow, command: Command, actorId: string | null, now: Date): Promise<Updateable<CaseTable>> {
  const limitHours = command.action === "acknowledge" && !row.acknowledged_at ? await responseHours(ctx.db, row.region_code) : 0;
  return momentsOf(row, command.action, now, actorId, calendarFor(row.region_code), limitHours);
}

/** Actions audited besides a change of classification. */
const AUDITED_ACTIONS: readonly string[] = ["review_pass", "review_fail"];

/** Runs `work` in the transaction `db` already is, or in a new one. */
const inTransaction = <T>(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> =>
  db.isTransaction ? work(db) : db.transaction().execute(work);

/**
 * The new assignee's clock after a reassignment: the feedback and handling time a dispatch at this
 * moment would leave, never less than the case had (an extension granted stays granted).
 */
function reassignedDeadlines(row: CaseRow, now: Date): Partial<Record<"feedback_by" | "handle_by", Date>> {
  const calendar = calendarFor(row.region_code);
  const later = (a: Date, b: Date) => (a.getTime() >= b.getTime() ? a : b);
  // The stage lengths of the case's own deadlines (from its report), counted again from now.
  const fromReport = (deadline: Date) => calendar.workingMillisBetween(row.created_at, deadline);
  return {
    feedback_by: later(row.feedback_by, calendar.addWorkingHours(now, fromReport(row.feedback_by) / 3_600_000)),
    handle_by: later(row.handle_by, calendar.addWorkingHours(now, fromReport(row.handle_by) / 3_600_000)),
  };
}

/**
 * The department a return, its approval or its denial counts against: the lead's, or the
 * assigned handler's department. Recorded on the event, so that returns are counted per department.
 */
async function returnDepartment(ctx: AppContext, command: Command, before: CaseState): Promise<{ department?: string }> {
  if (!["return", "approve_return", "deny_return"].includes(command.action) || !before.assignment) return {};
  const assignment = before.assignment;
  const query = ctx.db.selectFrom("departments").select("departments.code");
  const found =
    assignment.kind === "department"
      ? await query.where("departments.id", "=", assignment.departmentId).executeTakeFirst()
      : assignment.kind === "user"
        ? await query.innerJoin("users", "users.department_id", "departments.id").where("users.id", "=", assignment.userId).executeTakeFirst()
        : undefined;
  return found ? { department: found.code } : {};
}

const URGENCY_ORDER: readonly Urgency[] = ["normal", "urgent", "emergency"];
const DEADLINE_COLUMNS = { accept_by: "acceptBy", dispatch_by: "dispatchBy", feedback_by: "feedbackBy", handle_by: "handleBy" } as const;

/**
 * What registering or reclassifying changes besides the workflow state: the category (an active
 * one), the urgency (an emergency category raises it to emergency), the department the category is
 * routed to in the case's community, and the stage deadlines under the category's policy and the
 * urgency, counted again from the report. Details name each change, before → after.
 */
async function classify(ctx: AppContext, row: CaseRow, input: { categoryCode?: string; urgency?: Urgency; answers?: Record<string, unknown> }) {
  const categories = await activeCategories(ctx.db);
  const category = input.categoryCode === undefined ? undefined : categories.find((c) => c.code === input.categoryCode);
  if (input.categoryCode !== undefined && !category) throw new AppError(400, "unknown_category", `No active category ${input.categoryCode}`);
  const current = categories.find((c) => c.code === row.category_code);
  const effective = category ?? current;
  let urgency = input.urgency ?? (row.urgency as Urgency);
  if (effective?.emergency && URGENCY_ORDER.indexOf(urgency) < URGENCY_ORDER.indexOf("emergency")) urgency = "emergency";

  const changes: Updateable<CaseTable> = {};
  const details: Record<string, unknown> = {};
  const deadlines: Partial<Record<keyof typeof DEADLINE_COLUMNS, Date>> = {};
  if (category && category.code !== row.category_code) {
    changes.category_code = category.code;
    details.category = { from: row.category_code, to: category.code };
    const department = await routedDepartment(ctx.db, category.code, row.community_code);
    const departmentCode = department ?? category.department_code;
    if (departmentCode !== row.department_code) {
      changes.department_code = departmentCode;
      details.department = { from: row.department_code, to: departmentCode };
    }
  }
  // The answers to the category's questions: under the same category those the case has (for the
  // questions it still asks) with the ones given now on top; under a new one only those given now.
  // Once classified every required question, staff-only ones too, must be answered.
  const kept = category && category.code !== row.category_code ? {} : answerValues(row.answers);
  const stillAsked = Object.fromEntries(Object.entries(kept).filter(([code]) => effective?.questions.some((q) => q.code === code)));
  const answers = answersFor(effective?.questions, { ...stillAsked, ...input.answers }, "staff");
  if (!sameAnswers(answers, row.answers)) {
    changes.answers = JSON.stringify(answers);
    details.answers = { from: answerValues(row.answers), to: answerValues(answers) };
  }
  if (urgency !== row.urgency) {
    changes.urgency = urgency;
    details.urgency = { from: row.urgency, to: urgency };
  }
  if (details.category || details.urgency) {
    const fresh = computeDeadlines(policyFor(effective?.deadline_policy ?? DEFAULT_POLICY, urgency), row.created_at, calendarFor(row.region_code));
    const from: Record<string, string> = {};
    const to: Record<string, string> = {};
    for (const [column, field] of Object.entries(DEADLINE_COLUMNS) as [keyof typeof DEADLINE_COLUMNS, (typeof DEADLINE_COLUMNS)[keyof typeof DEADLINE_COLUMNS]][]) {
      if (fresh[field].getTime() === row[column].getTime()) continue;
      deadlines[column] = fresh[field];
      from[field] = row[column].toISOString();
      to[field] = fresh[field].toISOString();
    }
    if (Object.keys(to).length > 0) details.deadlines = { from, to };
  }
  return { changes, details, deadlines };
}

/** Whether two sets of answers hold the same values (the database keeps jsonb keys in its own order). */
function sameAnswers(a: Record<string, CaseAnswer>, b: Record<string, CaseAnswer>): boolean {
  const codes = Object.keys(a);
  return codes.length === Object.keys(b).length && codes.every((code) => b[code] !== undefined && b[code].value === a[code].value);
}

/** The reporter's phone number in full, for a call back; every reveal is audited. */
export async function revealReporterContact(ctx: AppContext, actor: Actor, id: string) {
  requirePermission(actor, "case.reveal_contact");
  const row = await findCaseInScope(ctx.db, actor, id);
  if (!row) throw caseNotFound(id);
  await writeAudit(ctx.db, {
    regionCode: row.region_code,
    actorId: actor.userId,
    action: "case.reveal_contact",
    targetType: "case",
    targetId: row.id,
  });
  return { name: row.reporter_name, phone: row.reporter_phone };
}

/** The case `found` when the token is its tracking token; a wrong token answers exactly like an unknown number. */
function withToken<T extends CaseRow>(found: T | undefined, number: string, token: string): T {
  const given = Buffer.from(sha256(token));
  if (!found || !crypto.timingSafeEqual(given, Buffer.from(found.tracking_token_hash))) {
    throw notFound("case_not_found", `No case ${number}`);
  }
  return found;
}

async function caseByToken(ctx: AppContext, number: string, token: string): Promise<CaseRow> {
  return withToken(await findCaseByNumber(ctx.db, number), number, token);
}

/** What a resident sees of their case with its number and secret token: status and public notes, no personal data. */
export async function trackCase(ctx: AppContext, number: string, token: string) {
  // One read: the case, its public events and photos, and the case it was merged into (a merged
  // report follows that case, so its reporter learns the outcome too).
  const { timeline, photos, merged_target: target, ...row } = withToken(await findTrackedCase(ctx.db, number), number, token);
  return {
    mergedInto: target ? { number: target.number, status: target.status, closedAt: target.closed_at ? new Date(target.closed_at).toISOString() : null } : null,
    number: row.number,
    version: row.version,
    status: row.status,
    title: row.title,
    categoryCode: row.category_code,
    answers: publicAnswers(row.answers),
    createdAt: row.created_at.toISOString(),
    closedAt: row.closed_at?.toISOString() ?? null,
    satisfaction: row.satisfaction,
    resolved: row.resolved,
    canEvaluate: row.status === "closed",
    photos: publicPhotoLinks(row, photos),
    timeline: timeline.map((event) => ({
      at: new Date(event.at).toISOString(),
      action: event.action,
      status: event.to_status,
      note: event.note,
    })),
  };
}

/**
 * The resident rates the result of their closed case: was the problem solved (是否解决) and how
 * satisfied they are (满意 / 基本满意 / 不满意), once per closure.
 */
export async function evaluateByReporter(
  ctx: AppContext,
  number: string,
  token: string,
  rating: { satisfaction: NonNullable<TransitionInput["satisfaction"]>; resolved: boolean; comment?: string },
) {
  const row = await caseByToken(ctx, number, token);
  const reporter: WorkflowActor = { userId: row.reporter_user_id ?? "reporter", roles: ["reporter"], scopeCode: null, departmentId: null };
  const note = rating.comment;
  await applyTransition(ctx, row, reporter, row.reporter_user_id, { action: "evaluate", satisfaction: rating.satisfaction, note }, { note, publicNote: true, resolved: rating.resolved });
  return trackCase(ctx, number, token);
}

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { resolveActor } from "../../http/authentication.ts";
import { AppError } from "../../errors.ts";
import { BuildingCode, CategoryCode, DepartmentCode, errors, GridCode, Nullable, Uuid } from "../../http/schemas.ts";
import { downloadPhoto, uploadPhoto } from "../attachments/attachments.service.ts";
import { DEFAULT_PHOTO_LIMITS } from "../attachments/photos.ts";
import { Crs } from "../grids/grids.schemas.ts";
import { getCase, intakeCase, previewIntake, etagOf, PUBLIC_SOURCES, SOURCES, evaluateByReporter, revealReporterContact, trackCase, transitionCase } from "./cases.service.ts";
import { ACTIONS, LEVELS, SATISFACTION } from "./workflow.ts";

const Answer = Type.Object({
  value: Type.Union([Type.Number(), Type.String(), Type.Boolean()]),
  label: Type.Object({ zh: Type.String(), en: Type.String() }),
  type: Type.String(),
  public: Type.Boolean(),
  position: Type.Integer({ description: "The question's place in the category's list when asked" }),
  choice: Type.Optional(Type.Object({ zh: Type.String(), en: Type.String() })),
});
const Answers = Type.Record(Type.String(), Answer, {
  description: "Answers to the category's extra questions by question code, each with the question as it was asked; the public sees only public ones",
});
/** Answers given: number, text (a choice's value) or yes/no, by question code; checked against the category's questions. */
const GivenAnswers = Type.Record(Type.String({ pattern: "^[a-z][a-z0-9_]{0,39}$" }), Type.Union([Type.Number(), Type.String({ maxLength: 2000 }), Type.Boolean(), Type.Null()]), {
  maxProperties: 30,
  description:
    "Answers to the category's extra questions by question code (number, text or a choice's value, true/false for yes/no). A missing required answer, a wrong type, a value out of bounds or an answer to a question not asked: 422 `answers_invalid` with `details.questions` [{ code, problem }]",
});

const Case = Type.Object({
  id: Type.String(),
  number: Type.String({ description: "Per-district case number, e.g. 530103-20261122-00042" }),
  version: Type.Integer(),
  status: Type.String(),
  level: Type.String(),
  source: Type.String(),
  categoryCode: Nullable(Type.String()),
  suggestedCategoryCode: Nullable(Type.String()),
  departmentCode: Nullable(Type.String()),
  urgency: Type.String(),
  title: Type.String(),
  description: Type.String(),
  location: Type.Object({ lat: Type.Number(), lng: Type.Number() }),
  gridCode: Type.String(),
  communityCode: Type.String(),
  streetCode: Type.String(),
  buildingCode: Nullable(Type.String()),
  reporter: Type.Object({
    name: Nullable(Type.String()),
    phone: Nullable(Type.String({ description: "Masked" })),
    own: Type.Boolean(),
    canReveal: Type.Boolean({ description: "Whether the caller may see the full number with POST /cases/{id}/reporter-contact (audited)" }),
  }),
  assignment: Nullable(Type.Record(Type.String(), Type.String())),
  reworkCount: Type.Integer(),
  reopenCount: Type.Integer(),
  satisfaction: Nullable(Type.String()),
  resolved: Nullable(Type.Boolean({ description: "Whether the reporter said the problem was solved (是否解决); null until rated, or when a call did not ask" })),
  handledOnSpot: Type.Boolean({ description: "Handled on the spot (就地处置) by its finder and closed at community level on report; the finder is the assignee" }),
  spotReview: Nullable(
    Type.Enum(["passed", "failed"], { description: "The supervisors' sample review (抽查) of a case handled on the spot; a failure stays recorded after the rework" }),
  ),
  mergedInto: Nullable(Type.String()),
  pendingExtensionDays: Nullable(Type.Integer()),
  coHandlers: Type.Array(
    Type.Object({
      departmentCode: Nullable(Type.String()),
      departmentName: Nullable(Type.String()),
      state: Type.Enum(["dispatched", "acknowledged", "reported", "released"]),
    }),
    { description: "The co-handling departments (协办) of the current dispatch; the lead (主办) is the assignment" },
  ),
  returnRequest: Nullable(
    Type.Object(
      { reasonCode: Type.String(), requestedBy: Type.String() },
      { description: "A return (退回) waiting for the owning centre: approve_return sends the case back for re-dispatch, deny_return leaves it with the department" },
    ),
  ),
  deadlines: Type.Object({ acceptBy: Type.String(), dispatchBy: Type.String(), feedbackBy: Type.String(), handleBy: Type.String() }),
  deadlineWorkingMinutes: Type.Object(
    { acceptBy: Type.Integer(), dispatchBy: Type.Integer(), feedbackBy: Type.Integer(), handleBy: Type.Integer() },
    { description: "Working minutes left to each deadline on the region's calendar when answered; negative, by the working minutes since, once past" },
  ),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  closedAt: Nullable(Type.String()),
  answers: Answers,
  actions: Type.Array(Type.String(), { description: "The actions the caller may take now" }),
});

const TimelineEvent = Type.Object({
  id: Type.String(),
  at: Type.String(),
  action: Type.String(),
  from: Nullable(Type.String()),
  to: Type.String(),
  level: Type.String(),
  actor: Nullable(Type.String()),
  apiKey: Type.Optional(
    Nullable(Type.Object({ id: Type.String(), name: Type.String(), organisation: Type.String() }, { description: "The API key the step was taken with, if any" })),
  ),
  note: Nullable(Type.String()),
  details: Type.Record(Type.String(), Type.Unknown()),
});

const Photo = Type.Object({
  id: Type.String(),
  kind: Nullable(Type.String()),
  mime: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
  redaction: Nullable(
    Type.Object(
      {
        regions: Type.Array(Type.Object({ x: Type.Number(), y: Type.Number(), width: Type.Number(), height: Type.Number() })),
        redacted: Type.Boolean({ description: "Whether a blurred copy exists (GET …/redacted); false: reviewed, nothing to blur" }),
        createdAt: Type.String(),
      },
      { description: "The areas blurred for the public (PUT …/redaction), or null" },
    ),
  ),
  public: Type.Boolean({ description: "Whether the reporter's tracking page shows it: the reporter's own, or reviewed by staff (docs/decisions/0026)" }),
});
const PhotoIds = Type.Array(Uuid, { maxItems: 9, uniqueItems: true, description: "Ids from POST /api/v1/attachments" });

const Named = Type.Object({ code: Type.String(), name: Type.String() });
const Duplicate = Type.Object({
  id: Type.String(),
  number: Type.String(),
  title: Type.String(),
  status: Type.String(),
  createdAt: Type.String(),
  similarity: Type.Number({ description: "Cosine similarity of the texts' terms, 0 to 1" }),
  distanceMeters: Type.Number(),
});
const CaseDetail = Type.Object({
  case: Case,
  photos: Type.Array(Photo),
  canRedactPhotos: Type.Boolean({ description: "Whether the caller may redact this case's photos (PUT /cases/{id}/attachments/{attachmentId}/redaction)" }),
  timeline: Type.Array(TimelineEvent),
  duplicates: Type.Array(Duplicate, {
    description:
      "Open cases in the caller's scope near this open case, of its category (given or suggested), recent, with similar text, most similar first (at most 5): candidates for merge (`into`). Empty for a finished case",
  }),
});

export const IntakeBody = Type.Object(
  {
    description: Type.String({ minLength: 2, maxLength: 2000 }),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    categoryCode: Type.Optional(CategoryCode),
    urgency: Type.Optional(
      Type.Enum(["normal", "urgent", "emergency"], { description: "Only staff declare an emergency (else 403 urgency_not_allowed)" }),
    ),
    source: Type.Optional(
      Type.Enum(SOURCES, { description: `The channel; residents and anonymous reporters may name only ${PUBLIC_SOURCES.join(" or ")} (else 403 source_not_allowed)` }),
    ),
    location: Type.Optional(
      Type.Object(
        { lat: Type.Number({ minimum: -90, maximum: 90 }), lng: Type.Number({ minimum: -180, maximum: 180 }), crs: Type.Optional(Crs) },
        { additionalProperties: false },
      ),
    ),
    gridCode: Type.Optional(GridCode),
    buildingCode: Type.Optional(BuildingCode),
    reporter: Type.Optional(
      Type.Object(
        { name: Type.Optional(Type.String({ maxLength: 50 })), phone: Type.Optional(Type.String({ pattern: "^[0-9+\\- ]{5,20}$" })) },
        { additionalProperties: false },
      ),
    ),
    photoIds: Type.Optional(PhotoIds),
    answers: Type.Optional(GivenAnswers),
    handledOnSpot: Type.Optional(
      Type.Boolean({
        description:
          "Handled on the spot (就地处置): a grid worker reports a problem they already fixed, inside their own community (else 403 on_spot_outside_community; other roles 403 on_spot_not_allowed), " +
          "with before-photos in `photoIds` and after-photos in `afterPhotoIds`, at least one each (else 400 on_spot_photos_required). " +
          "The case is closed at community level with the reporter as handler: its timeline reads report → handle_on_spot → close_on_spot, and supervisors review a sample of such cases",
      }),
    ),
    afterPhotoIds: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 9, uniqueItems: true, description: "With handledOnSpot: the after-photos, ids from POST /api/v1/attachments" })),
  },
  { additionalProperties: false },
);

const TransitionBody = Type.Object(
  {
    action: Type.Enum(ACTIONS),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    publicNote: Type.Optional(Type.Boolean({ description: "Show the note to the reporter" })),
    to: Type.Optional(
      Type.Object(
        { departmentCode: Type.Optional(DepartmentCode), userId: Type.Optional(Uuid), divisionCode: Type.Optional(Type.String({ pattern: "^[0-9]{6,12}$" })) },
        { additionalProperties: false },
      ),
    ),
    days: Type.Optional(Type.Integer()),
    satisfaction: Type.Optional(Type.Enum(SATISFACTION)),
    resolved: Type.Optional(Type.Boolean({ description: "evaluate: whether the reporter says the problem was solved (是否解决), when the call asked" })),
    into: Type.Optional(Uuid),
    photoIds: Type.Optional(
      Type.Array(Uuid, {
        maxItems: 9,
        uniqueItems: true,
        description:
          "Ids from POST /api/v1/attachments: after-photos with handle and co_report, verification photos with verify_pass, verify_fail, review_pass and review_fail (staff only, never public); other actions: 400 invalid_transition_input",
      }),
    ),
    coHandlers: Type.Optional(
      Type.Array(DepartmentCode, {
        maxItems: 10,
        uniqueItems: true,
        description: "dispatch, reassign: departments that co-handle (协办) besides the lead in `to`, each within reach (else 422 department_out_of_reach)",
      }),
    ),
    reasonCode: Type.Optional(
      Type.String({ pattern: "^[a-z0-9_]{1,50}$", description: "return, reject: an active reason of that kind from GET /api/v1/case-reasons (else 422 unknown_reason)" }),
    ),
    departmentCode: Type.Optional(DepartmentCode),
    categoryCode: Type.Optional(
      Type.String({
        pattern: "^[a-z0-9_.]{1,100}$",
        description:
          "register, reclassify: the case's category (an active one, else 400 unknown_category); its department and deadlines follow, counted from the report. An emergency category raises the urgency to emergency",
      }),
    ),
    level: Type.Optional(
      Type.Enum(LEVELS, {
        description: "register, reclassify: the closure level, the acting centre's level or a lower one (higher: 422 escalation_required; use escalate)",
      }),
    ),
    urgency: Type.Optional(Type.Enum(["normal", "urgent", "emergency"], { description: "register, reclassify: the urgency; the deadlines follow" })),
    answers: Type.Optional(GivenAnswers),
    caller: Type.Optional(
      Type.Object(
        { name: Type.Optional(Type.String({ maxLength: 50 })), phone: Type.Optional(Type.String({ pattern: "^[0-9+\\- ]{5,20}$" })) },
        { additionalProperties: false, description: "follow_up: who called again about this case (the timeline keeps the phone masked)" },
      ),
    ),
  },
  { additionalProperties: false },
);

const CaseNumber = Type.String({ pattern: "^[0-9]{6}-[0-9]{8}-[0-9]{5}$" });
const TrackingToken = Type.String({ minLength: 10, maxLength: 64 });
const Tracked = Type.Object({
  number: Type.String(),
  version: Type.Integer(),
  status: Type.String(),
  title: Type.String(),
  categoryCode: Nullable(Type.String()),
  answers: Answers,
  createdAt: Type.String(),
  closedAt: Nullable(Type.String()),
  satisfaction: Nullable(Type.String()),
  resolved: Nullable(Type.Boolean({ description: "Whether the reporter said the problem was solved" })),
  canEvaluate: Type.Boolean(),
  photos: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.Enum(["before", "after"]),
      width: Type.Integer(),
      height: Type.Integer(),
      redacted: Type.Boolean({ description: "Areas of it are blurred" }),
      url: Type.String({ description: "GET this for the image (the blurred copy when there is one); valid about 15 minutes, no token in it" }),
    }),
    { description: "The photos the public may see: the reporter's own and those staff reviewed (docs/decisions/0026)" },
  ),
  mergedInto: Nullable(Type.Object({ number: Type.String(), status: Type.String(), closedAt: Nullable(Type.String()) })),
  timeline: Type.Array(Type.Object({ at: Type.String(), action: Type.String(), status: Type.String(), note: Nullable(Type.String()) })),
});

export async function caseRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // Photos are sent as the raw body; what they really are is decided from their bytes, not this header.
  app.addContentTypeParser(["image/jpeg", "image/png", "image/webp"], { parseAs: "buffer", bodyLimit: DEFAULT_PHOTO_LIMITS.maxBytes }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    "/attachments",
    {
      config: { public: true, limited: true, apiKeyScope: "report" },
      schema: {
        operationId: "uploadPhoto",
        tags: ["cases"],
        summary:
          "Upload one photo (JPEG, PNG or WebP body, at most 10 MiB, 50 MP and 150 MB decoded, else 413); it is re-encoded without EXIF. Attach it by id to a report or a handling step within UNATTACHED_UPLOAD_HOURS. 503 busy with Retry-After when too many photos wait to be decoded",
        response: {
          201: Type.Object({ attachment: Type.Object({ id: Type.String(), mime: Type.String(), width: Type.Integer(), height: Type.Integer(), bytes: Type.Integer() }) }),
          ...errors(400, 413, 415, 429, 503),
        },
      },
    },
    async (request, reply) => {
      if (!Buffer.isBuffer(request.body)) throw new AppError(415, "unsupported_media_type", "Send the photo as image/jpeg, image/png or image/webp");
      const attachment = await uploadPhoto(ctx, await resolveActor(request), request.body);
      return reply.status(201).send({ attachment });
    },
  );

  app.get(
    "/cases/:id/attachments/:attachmentId",
    {
      schema: {
        operationId: "downloadPhoto",
        tags: ["cases"],
        summary: "A photo of a case",
        params: Type.Object({ id: Uuid, attachmentId: Uuid }),
        response: { 200: Type.Unknown({ description: "The image" }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const photo = await downloadPhoto(ctx, request.actor, request.params.id, request.params.attachmentId);
      return reply.type(photo.mime).header("x-content-type-options", "nosniff").header("cache-control", "private, max-age=3600").send(photo.data);
    },
  );

  app.post(
    "/cases",
    {
      config: { public: true, limited: true, apiKeyScope: "report" },
      schema: {
        operationId: "createCase",
        tags: ["cases"],
        summary: "Report a case (anonymous residents too); Idempotency-Key makes retries safe",
        headers: Type.Object({
          // Checked by the service, so that every refusal of a key has one code: invalid_idempotency_key.
          "idempotency-key": Type.Optional(
            Type.String({
              description:
                "8 to 128 characters of A–Z a–z 0–9 - _ + / = . : ; without a session at least 22 (128 random bits, e.g. 16 random bytes in base64url). A retry within 24 hours returns the first answer",
            }),
          ),
        }),
        body: IntakeBody,
        response: {
          201: Type.Object({
            case: Case,
            trackingToken: Type.Optional(Type.String({ description: "Secret for following the case; shown once" })),
            duplicates: Type.Array(Duplicate, {
              description: "Open cases near the report with similar text, for staff who may read cases (in their scope); always empty for the public",
            }),
          }),
          ...errors(400, 401, 403, 404, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const actor = await resolveActor(request);
      const result = await intakeCase(ctx, actor, request.body, request.headers["idempotency-key"]);
      return reply.status(result.statusCode).header("etag", etagOf(result.body.case.version)).send(result.body);
    },
  );

  app.post(
    "/cases/preview",
    {
      config: { public: true, limited: true, apiKeyScope: "report" },
      schema: {
        operationId: "previewCase",
        tags: ["cases"],
        summary: "What creating this case would find, without writing anything: place, suggested category, urgency, department, deadlines and possible duplicates",
        description:
          "The same body and checks as `createCase` (and its request limit), but nothing is written; the answers to the category's questions are checked only by `createCase`, as a preview is asked for while the report is still being taken down. Staff who may read cases also get the open cases in their scope that the report probably duplicates, most similar first: add the caller to one of them with the `follow_up` action instead of creating a case. An emergency category (given, else suggested) makes the urgency `emergency`.",
        body: IntakeBody,
        response: {
          200: Type.Object({
            location: Type.Object({ lat: Type.Number(), lng: Type.Number() }),
            grid: Named,
            community: Named,
            street: Named,
            buildingCode: Nullable(Type.String()),
            category: Nullable(Named),
            suggestedCategories: Type.Array(Named, { description: "From the text, best first (at most 3)" }),
            urgency: Type.String(),
            departmentCode: Nullable(Type.String({ description: "Where the category is routed in this community" })),
            deadlines: Type.Object({ acceptBy: Type.String(), dispatchBy: Type.String(), feedbackBy: Type.String(), handleBy: Type.String() }, { description: "If it were reported now" }),
            duplicates: Type.Array(Duplicate, { description: "For staff who may read cases (in their scope); always empty for the public" }),
          }),
          ...errors(400, 401, 403, 404, 429),
        },
      },
    },
    async (request) => previewIntake(ctx, await resolveActor(request), request.body),
  );

  app.get(
    "/cases/:id",
    {
      schema: {
        operationId: "getCase",
        tags: ["cases"],
        summary: "A case, its timeline, photos, possible duplicates, and the actions the caller may take now",
        params: Type.Object({ id: Uuid }),
        response: { 200: CaseDetail, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const result = await getCase(ctx, request.actor, request.params.id);
      return reply.header("etag", etagOf(result.case.version)).send(result);
    },
  );

  app.post(
    "/cases/:id/transitions",
    {
      schema: {
        operationId: "transitionCase",
        tags: ["cases"],
        summary: "Take one workflow action on a case (If-Match with its ETag)",
        description:
          "`register` (立案) and `reclassify` (dispatchers of the owning centre, while the case is open) take `categoryCode`, `level`, `urgency` and `answers`; " +
          "once classified every required question of the category, staff-only ones too, must be answered (422 `answers_invalid`); a new category starts from the answers given with it; " +
          "the event records each change (category, department, level, urgency, deadlines before → after) and the change is audited. " +
          "Other actions refuse those fields (400 invalid_transition_input); `reclassify` needs at least one of them. " +
          "`follow_up` (seat operators and dispatchers covering the case, while it is open) records another caller about the same case (`note`, optional `caller`) without changing its state: how a hotline seat attaches a caller to a duplicate instead of creating a case. " +
          "`dispatch` may name co-handling departments (`coHandlers`); each acknowledges (`co_acknowledge`) and reports its part (`co_report`, a note and optional photos), " +
          "and the lead's `handle` is refused (409 co_handling_pending, the pending department codes in `details.pending`) until all have reported or the dispatcher released them (`release_co_handler`, `departmentCode` and a note). " +
          "`reassign` (改派: the owning centre's dispatchers, a dispatched or in-progress case with no return or extension request pending) takes `to` (and `coHandlers`) as `dispatch` does, within reach (422 department_out_of_reach, handler_out_of_reach), and a `note`, the reason: " +
          "the case waits for the new assignee's acknowledgement, its feedback and handling deadlines start again from now, and the event records `previousAssignment` and `assignment`. " +
          "`return` (by the assignee) and `reject` (by the owning centre's dispatcher) need a configured `reasonCode`; a return is a request the centre approves (`approve_return`: back for re-dispatch; not by who asked, 403 self_approval) or denies (`deny_return`, a note): the case stays with the department until then. " +
          "`dispatch` may name a handler or a grid worker of the case's community in `to.userId` (else 404 user_not_found, 422 handler_out_of_reach); a grid worker also works what is dispatched to their community (`to.divisionCode`). " +
          "`verify_pass` and `verify_fail` take verification photos (`photoIds`). " +
          "`review_pass` and `review_fail` (supervisors covering the case's community) record the sample review (抽查) of a closed case handled on the spot, once: `review_fail` needs a note and sends the case back to its finder for rework (in_progress, the rework counted), as a failed verification does; both take verification photos. " +
          "`evaluate` takes `satisfaction` and, when the caller was asked, `resolved` (是否解决).",
        params: Type.Object({ id: Uuid }),
        headers: Type.Object({
          "if-match": Type.Optional(Type.String()),
          "idempotency-key": Type.Optional(
            Type.String({
              description:
                "8 to 128 characters of A–Z a–z 0–9 - _ + / = . : (else 400 invalid_idempotency_key), the caller's own for this case. A retry with the same key and body within 24 hours answers the first answer, " +
                "even after the case moved on, without acting again; the same key with another body: 422 idempotency_key_reused. A refused action keeps no answer: its retry is taken afresh",
            }),
          ),
        }),
        body: TransitionBody,
        response: { 200: CaseDetail, ...errors(400, 401, 403, 404, 409, 412, 422, 428) },
      },
    },
    async (request, reply) => {
      const result = await transitionCase(ctx, request.actor, request.params.id, request.headers["if-match"], request.body, request.headers["idempotency-key"]);
      return reply.header("etag", etagOf(result.case.version)).send(result);
    },
  );

  app.post(
    "/cases/:id/reporter-contact",
    {
      schema: {
        operationId: "revealReporterContact",
        tags: ["cases"],
        summary: "The reporter's full phone number, for a call back (audited)",
        params: Type.Object({ id: Uuid }),
        response: { 200: Type.Object({ name: Nullable(Type.String()), phone: Nullable(Type.String()) }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => revealReporterContact(ctx, request.actor, request.params.id),
  );

  app.get(
    "/public/cases/:number",
    {
      config: { public: true, limited: true },
      schema: {
        operationId: "trackCase",
        tags: ["cases"],
        summary: "A resident follows a case with its number and secret token",
        description:
          "Send the token in the `X-Tracking-Token` header, which stays out of access logs; `?token=` is still read. Without either: 400 tracking_token_required.",
        params: Type.Object({ number: CaseNumber }),
        headers: Type.Object({ "x-tracking-token": Type.Optional(TrackingToken) }),
        querystring: Type.Object({ token: Type.Optional(TrackingToken) }, { additionalProperties: false }),
        response: { 200: Tracked, ...errors(400, 404, 429) },
      },
    },
    async (request) => {
      const token = request.headers["x-tracking-token"] ?? request.query.token;
      if (!token) throw new AppError(400, "tracking_token_required", "Send the case's tracking token in the X-Tracking-Token header");
      return trackCase(ctx, request.params.number, token);
    },
  );

  app.post(
    "/public/cases/:number/evaluation",
    {
      config: { public: true, limited: true },
      schema: {
        operationId: "evaluateCase",
        tags: ["cases"],
        summary: "A resident rates the result of a closed case: solved or not (是否解决) and satisfaction, once per closure",
        description:
          "Only while the case is closed (`canEvaluate`), else 409 transition_not_allowed: a case is rated once. A dissatisfied rating reopens the case under the reopen policy; the comment is shown on the tracking page.",
        params: Type.Object({ number: CaseNumber }),
        body: Type.Object(
          {
            token: TrackingToken,
            resolved: Type.Boolean({ description: "Was the problem solved (是否解决); the resolution rate (解决率) counts it" }),
            satisfaction: Type.Enum(SATISFACTION),
            comment: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Tracked, ...errors(400, 404, 409, 429) },
      },
    },
    async (request) => {
      const { token, ...rating } = request.body;
      return evaluateByReporter(ctx, request.params.number, token, rating);
    },
  );
}

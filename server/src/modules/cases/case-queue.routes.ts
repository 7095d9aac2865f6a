import { Readable } from "node:stream";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { errors, Nullable, Uuid } from "../../http/schemas.ts";
import { caseNeighbours, EXPORT_MAX_CASES, exportCases, getCaseStats, listCases, QUEUES } from "./case-queue.service.ts";
import { NEAR_DUE_WORKING_HOURS } from "./deadlines.ts";
import { LEVELS, STATUSES } from "./workflow.ts";
import { COUNTED_INDICATORS } from "./counted-cases.ts";


const ANY_STATUS = `(${STATUSES.join("|")})`;
const DEFAULT_LIMIT = 50;

const CaseSummary = Type.Object({
  id: Type.String(),
  number: Type.String(),
  status: Type.String(),
  level: Type.String(),
  categoryCode: Nullable(Type.String()),
  title: Type.String(),
  gridCode: Type.String(),
  communityCode: Type.String(),
  streetCode: Type.String(),
  source: Type.String(),
  urgency: Type.String(),
  reporterPhone: Nullable(Type.String({ description: "Masked: 138****5678" })),
  handleBy: Type.String(),
  deadline: Nullable(
    Type.Enum(["on_time", "near_due", "overdue"], {
      description: `Against handleBy now: overdue once past it, near_due with at most ${NEAR_DUE_WORKING_HOURS} working hours left (working days of the region's calendar); null for a finished case`,
    }),
  ),
  handleWorkingMinutes: Nullable(
    Type.Integer({
      description:
        "Working minutes left until handleBy on the case's working calendar (a working day counts 24 hours); negative once past it, " +
        "by the working minutes since; null for a finished case",
    }),
  ),
  createdAt: Type.String(),
  returnRequested: Type.Boolean({ description: "A return (退回) waits for the owning centre's approval" }),
  location: Type.Object(
    { lat: Type.Number(), lng: Type.Number() },
    { description: "The case's point (WGS-84): a field app orders a worker's tasks by distance from where they stand, on the device" },
  ),
});

export const CaseListQuery = Type.Object(
  {
    queue: Type.Optional(
      Type.Enum(QUEUES, {
        description:
          "mine: dispatched to the caller, their department or division, or co-handled by their department while its part is open, not yet verified (a grid worker: dispatched to them or to their community); centre: waiting for the caller's centre " +
          `(reported, accepted, registered at the caller's level, or a return waiting for approval); near_due: open, at most ${NEAR_DUE_WORKING_HOURS} working hours left before the handling deadline; overdue: open, past it`,
      }),
    ),
    status: Type.Optional(Type.String({ pattern: `^${ANY_STATUS}(,${ANY_STATUS})*$`, description: "One status or a comma-separated list" })),
    category: Type.Optional(Type.String({ pattern: "^[a-z0-9_.]{1,100}$", description: "A category code; includes its subcategories" })),
    division: Type.Optional(Type.String({ pattern: "^[0-9]{6}([0-9]{3}){0,2}$", description: "A district, street or community code in the caller's scope" })),
    level: Type.Optional(Type.Enum(LEVELS)),
    source: Type.Optional(Type.String({ pattern: "^[a-z_]{1,40}$" })),
    from: Type.Optional(Type.String({ format: "date", description: "Created on or after this day (China Standard Time); with counted, the indicator's first day" })),
    to: Type.Optional(Type.String({ format: "date", description: "Created on or before this day (China Standard Time); with counted, the indicator's last day" })),
    counted: Type.Optional(
      Type.Enum(COUNTED_INDICATORS, {
        description:
          "The cases an indicator of GET /indicators counts from `from` to `to` (both required): the drill-down of its figure. " +
          "With the division and the group's filter (department, person, grid, category, level, source, reporter) it lists exactly the cases of that figure",
      }),
    ),
    department: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9_.-]{0,64}$", description: "The department the case counts for (its lead department); empty: none" })),
    person: Type.Optional(Type.String({ pattern: "^([0-9a-f-]{36})?$", description: "The person it counts for: its assignee, else who handled it; empty: none" })),
    grid: Type.Optional(Type.String({ pattern: "^[0-9]{12,20}$", description: "A grid code" })),
    reporter: Type.Optional(Type.String({ pattern: "^[0-9a-f-]{36}$", description: "Reported by this user" })),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description:
          "Words that must all occur in the title or description, or a case number: whole (530103-20261122-00042), its day and ordinal in the caller's district (20261122-00042), its day (20261122 or 530103-20261122: the cases created that day), or its ordinal alone (00042 or 42: cases with that ordinal on any day, and cases whose text holds the digits)",
      }),
    ),
    handledOnSpot: Type.Optional(Type.Boolean({ description: "Only cases handled on the spot (就地处置) by their finder (true), or only the others (false)" })),
    reviewed: Type.Optional(
      Type.Boolean({
        description:
          "With handledOnSpot=true: whether the supervisors' sample review (抽查) was made. handledOnSpot=true&reviewed=false&status=closed is a supervisor's review list; review_pass / review_fail record the review",
      }),
    ),
    sort: Type.Optional(
      Type.Enum(["created", "deadline"], {
        description: "created (the default): newest first; deadline: the handling deadline first, so overdue and near-due cases lead (a worker's task list)",
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: DEFAULT_LIMIT })),
    cursor: Type.Optional(Type.String({ description: "nextCursor of the previous page" })),
  },
  { additionalProperties: false },
);

export async function caseQueueRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/cases",
    {
      schema: {
        operationId: "listCases",
        tags: ["cases"],
        summary: "Cases in the caller's scope, newest first, in pages: work queues, filters and text search",
        querystring: CaseListQuery,
        response: {
          200: Type.Object({ cases: Type.Array(CaseSummary), nextCursor: Nullable(Type.String()) }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      // The validator has filled in the default limit; the fallback only narrows the type.
      const { status, limit, ...query } = request.query;
      return listCases(ctx, request.actor, { ...query, statuses: status?.split(","), limit: limit ?? DEFAULT_LIMIT });
    },
  );

  app.get(
    "/cases/export",
    {
      config: { apiKeyScope: "exchange" },
      schema: {
        operationId: "exportCases",
        tags: ["cases"],
        summary: `The cases a list query matches as CSV (UTF-8, at most ${EXPORT_MAX_CASES}), phones masked; every export is audited`,
        querystring: Type.Omit(CaseListQuery, ["limit", "cursor"]),
        response: {
          // Sent as a stream: the schema admits the Readable, the document shows a string.
          200: { description: "CSV, one case per line after a header line", content: { "text/csv": { schema: Type.Unsafe<string | Readable>(Type.String()) } } },
          ...errors(400, 401, 403, 404, 422),
        },
      },
    },
    async (request, reply) => {
      const { status, ...query } = request.query;
      const { csv } = await exportCases(ctx, request.actor, { ...query, statuses: status?.split(",") });
      const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="cases-${day}.csv"`)
        .send(Readable.from(csv));
    },
  );

  const Neighbour = Nullable(Type.Object({ id: Type.String(), number: Type.String(), title: Type.String() }));
  app.get(
    "/cases/:id/neighbours",
    {
      schema: {
        operationId: "getCaseNeighbours",
        tags: ["cases"],
        summary: "The cases just before and after a case in a list: the same queue and filters as GET /cases, in its order",
        description:
          "`previous` is the case listed just above (newer), `next` the one just below (older); null at either end. The case itself need not match the filters any more (an action may have moved it out of the queue): its place in the order counts.",
        params: Type.Object({ id: Uuid }),
        querystring: Type.Omit(CaseListQuery, ["limit", "cursor", "sort"]),
        response: { 200: Type.Object({ previous: Neighbour, next: Neighbour }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { status, ...query } = request.query;
      return caseNeighbours(ctx, request.actor, request.params.id, { ...query, statuses: status?.split(",") });
    },
  );

  const Counts = {
    total: Type.Integer(),
    open: Type.Integer(),
    overdue: Type.Integer({ description: "Open and past the handling deadline" }),
    byStatus: Type.Record(Type.String(), Type.Integer()),
  };
  app.get(
    "/cases/stats",
    {
      schema: {
        operationId: "getCaseStats",
        tags: ["cases"],
        summary: "A dashboard of a district, street or community: cases by status, open and overdue, per division or grid one level below",
        querystring: Type.Object(
          { division: Type.Optional(Type.String({ pattern: "^[0-9]{6}([0-9]{3}){0,2}$", description: "Defaults to the caller's scope" })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            division: Type.String(),
            ...Counts,
            children: Type.Array(Type.Object({ code: Type.String(), ...Counts })),
            returnsByDepartment: Type.Array(
              Type.Object({
                departmentCode: Type.String(),
                requested: Type.Integer({ description: "Returns (退回) the department asked for" }),
                approved: Type.Integer({ description: "Of them, approved by the centre: the case went back for re-dispatch" }),
              }),
              { description: "Returns of the division's cases per department, all time, as the events recorded them" },
            ),
            handledOnSpot: Type.Object(
              {
                handled: Type.Integer({ description: "Cases handled on the spot (就地处置) and closed at community level by their finder, all time" }),
                reviewed: Type.Integer({ description: "Of them, sampled by a supervisor (抽查)" }),
                failed: Type.Integer({ description: "Of those, failed the review and went back for rework" }),
              },
              { description: "The division's on-the-spot closures and their sample review" },
            ),
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => getCaseStats(ctx, request.actor, request.query.division),
  );
}

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { errors, Uuid } from "../../http/schemas.ts";
import { DEFAULT_TRACK_LIMITS, MAX_PATROL_AGE_DAYS, MAX_PATROL_HOURS } from "./patrol-track.ts";
import { getPatrol, listPatrolDays, MAX_REPORT_DAYS, recordPatrol } from "./patrols.service.ts";

/** At most this many fixes in one patrol: one every three seconds for eight hours fits in the request limit. */
export const MAX_TRACK_POINTS = 10_000;

const Gap = Type.Object(
  {
    from: Type.Integer({ description: "Index of the fix before the gap" }),
    to: Type.Integer({ description: "Index of the fix after it (from + 1)" }),
    reason: Type.Enum(["silence", "jump"], {
      description: `silence: more than ${DEFAULT_TRACK_LIMITS.gapSeconds} s without a fix; jump: further than ${DEFAULT_TRACK_LIMITS.maxSpeedMetersPerSecond} m/s beyond both fixes' accuracy`,
    }),
    seconds: Type.Integer(),
  },
  { description: "Two consecutive fixes that are not joined: neither drawn nor counted in the distance or tracked time" },
);

const PatrolSummary = {
  id: Type.String(),
  userId: Type.String(),
  day: Type.String({ description: "The day of startedAt in China Standard Time, YYYY-MM-DD" }),
  startedAt: Type.String(),
  endedAt: Type.String(),
  durationSeconds: Type.Integer({ description: "From start to end" }),
  trackedSeconds: Type.Integer({ description: "Covered by the track's joined segments (the gaps left out)" }),
  distanceMeters: Type.Integer({ description: "Along the joined segments only, rounded to the metre; never across a gap" }),
  pointCount: Type.Integer(),
  gaps: Type.Array(Gap),
};

const Day = Type.String({ format: "date", description: "A day in China Standard Time" });

export async function patrolRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    "/patrols",
    {
      schema: {
        operationId: "recordPatrol",
        tags: ["patrols"],
        summary: "Record a patrol (巡查) with its GPS track, sent when it ends; Idempotency-Key makes retries safe",
        description:
          `Grid workers and supervisors (patrol.write). The track is the fixes in time order, each inside the patrol's times (else 422 invalid_track); ` +
          `a patrol ends after it starts, lasts at most ${MAX_PATROL_HOURS} hours, does not end in the future and is sent within ${MAX_PATROL_AGE_DAYS} days (else 422 invalid_patrol_times). ` +
          `At most ${MAX_TRACK_POINTS} fixes: send a longer patrol in parts. Two fixes more than ${DEFAULT_TRACK_LIMITS.gapSeconds} s apart, or too far apart to have been travelled, are a gap: ` +
          "the distance and tracked time count only the joined segments. The patrol counts for the patroller's scope and the day it started.",
        headers: Type.Object({
          "idempotency-key": Type.Optional(
            Type.String({ description: "8 to 128 characters of A–Z a–z 0–9 - _ + / = . : (else 400 invalid_idempotency_key); a retry within 24 hours answers the first answer" }),
          ),
        }),
        body: Type.Object(
          {
            startedAt: Type.String({ format: "date-time" }),
            endedAt: Type.String({ format: "date-time" }),
            points: Type.Array(
              Type.Object(
                {
                  lng: Type.Number({ minimum: -180, maximum: 180 }),
                  lat: Type.Number({ minimum: -90, maximum: 90 }),
                  t: Type.Integer({ minimum: 0, description: "When the fix was taken, epoch milliseconds" }),
                  accuracy: Type.Number({ minimum: 0, maximum: 10_000, description: "The fix's accuracy radius in metres" }),
                },
                { additionalProperties: false },
              ),
              { maxItems: MAX_TRACK_POINTS, description: "GPS fixes (WGS-84) in time order" },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ patrol: Type.Object(PatrolSummary) }), ...errors(400, 401, 403, 422) },
      },
    },
    async (request, reply) => reply.status(201).send(await recordPatrol(ctx, request.actor, request.body, request.headers["idempotency-key"])),
  );

  app.get(
    "/patrols",
    {
      schema: {
        operationId: "listPatrolDays",
        tags: ["patrols"],
        summary: "Patrol time and distance per patroller and day under a division (supervisors and leaders, patrol.read)",
        querystring: Type.Object(
          {
            division: Type.Optional(Type.String({ pattern: "^[0-9]{6}([0-9]{3}){0,2}$", description: "A district, street or community in the caller's scope (default: the caller's scope)" })),
            from: Type.Optional(Type.String({ format: "date", description: "First day (default: `to`, else today)" })),
            to: Type.Optional(Type.String({ format: "date", description: `Last day, included (default: \`from\`, else today); at most ${MAX_REPORT_DAYS} days in all` })),
            userId: Type.Optional(Uuid),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            division: Type.String(),
            from: Day,
            to: Day,
            days: Type.Array(
              Type.Object({
                day: Day,
                userId: Type.String(),
                name: Type.String(),
                patrols: Type.Integer(),
                patrolIds: Type.Array(Type.String(), { description: "In start order: GET /patrols/{id} for each track" }),
                durationSeconds: Type.Integer({ description: "Patrol time: the patrols' start-to-end times added" }),
                trackedSeconds: Type.Integer(),
                distanceMeters: Type.Integer(),
                gaps: Type.Integer({ description: "Gaps in the day's tracks" }),
              }),
              { description: "Newest day first, then by name" },
            ),
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => listPatrolDays(ctx, request.actor, request.query),
  );

  app.get(
    "/patrols/:id",
    {
      schema: {
        operationId: "getPatrol",
        tags: ["patrols"],
        summary: "One patrol with its track cut at its gaps into the lines a map draws (patrol.read, in scope)",
        params: Type.Object({ id: Uuid }),
        response: {
          200: Type.Object({
            patrol: Type.Object({
              ...PatrolSummary,
              name: Type.String(),
              segments: Type.Array(
                Type.Array(Type.Object({ lng: Type.Number(), lat: Type.Number(), at: Type.String(), accuracy: Type.Number() })),
                { description: "The track between gaps; never join two segments with a line" },
              ),
            }),
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => getPatrol(ctx, request.actor, request.params.id),
  );
}

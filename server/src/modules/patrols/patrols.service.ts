import crypto from "node:crypto";
import { uuidv7 } from "../../ids.ts";
import type { AppContext } from "../../context.ts";
import { AppError, badRequest, notFound } from "../../errors.ts";
import { regionOf, writeAudit } from "../audit/audit.repository.ts";
import { codeInScope, requirePermission, type Actor } from "../auth/actor.ts";
import { checkIdempotencyKey, idempotencySecrets, openAnswer, requestMac, sealAnswer } from "../cases/idempotency.ts";
import { claimIdempotencyKey, findIdempotencyKey, storeIdempotentAnswer } from "../cases/idempotency.repository.ts";
import { patrolProblem, summariseTrack, trackSegments, type TrackGap, type TrackPoint } from "./patrol-track.ts";
import { findPatrolInScope, insertPatrol, sumPatrolDays } from "./patrols.repository.ts";

export type PatrolInput = { startedAt: string; endedAt: string; points: TrackPoint[] };

/** The calendar day of an instant in China Standard Time (UTC+8 all year), YYYY-MM-DD. */
const shanghaiDay = (instant: Date) => new Date(instant.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/** The patrol as answered: its times, figures and gaps. */
function presentPatrol(patrol: {
  id: string;
  userId: string;
  startedAt: Date;
  endedAt: Date;
  day: string;
  pointCount: number;
  distanceMeters: number;
  trackedSeconds: number;
  gaps: TrackGap[];
}) {
  return {
    id: patrol.id,
    userId: patrol.userId,
    day: patrol.day,
    startedAt: patrol.startedAt.toISOString(),
    endedAt: patrol.endedAt.toISOString(),
    durationSeconds: Math.round((patrol.endedAt.getTime() - patrol.startedAt.getTime()) / 1000),
    trackedSeconds: patrol.trackedSeconds,
    distanceMeters: Math.round(patrol.distanceMeters),
    pointCount: patrol.pointCount,
    gaps: patrol.gaps,
  };
}

export type RecordedPatrol = { patrol: ReturnType<typeof presentPatrol> };

/**
 * Records a patrol a grid worker or supervisor sends when it ends (or when the phone is online
 * again): the track is checked, split at its gaps and measured once here. With an Idempotency-Key
 * a retry answers the first answer; the same key with another body is refused (422). Audited.
 */
export async function recordPatrol(ctx: AppContext, actor: Actor, input: PatrolInput, idempotencyKey?: string): Promise<RecordedPatrol> {
  requirePermission(actor, "patrol.write");
  if (actor.scopeCode === null) throw new AppError(403, "forbidden", "Patrols are recorded by staff with a scope");
  if (idempotencyKey !== undefined) checkIdempotencyKey(idempotencyKey, false);
  const startedAt = new Date(input.startedAt);
  const endedAt = new Date(input.endedAt);
  const problem = patrolProblem(startedAt, endedAt, input.points, new Date());
  if (problem) throw new AppError(422, problem.code, problem.message);
  const summary = summariseTrack(input.points);
  const id = uuidv7();
  const day = shanghaiDay(startedAt);
  const scopeCode = actor.scopeCode;
  const answer: RecordedPatrol = {
    patrol: presentPatrol({ id, userId: actor.userId, startedAt, endedAt, day, pointCount: input.points.length, ...summary }),
  };
  const secrets = idempotencyKey === undefined ? undefined : idempotencySecrets(`user:${actor.userId}:patrols`, idempotencyKey);
  return ctx.db.transaction().execute(async (trx) => {
    if (secrets) {
      const mac = requestMac(secrets, JSON.stringify(input));
      if (!(await claimIdempotencyKey(trx, secrets, mac))) {
        const first = await findIdempotencyKey(trx, secrets);
        if (!first || !crypto.timingSafeEqual(first.request_mac, mac)) {
          throw new AppError(422, "idempotency_key_reused", "This Idempotency-Key was used with another request body");
        }
        return openAnswer(secrets, first.response) as RecordedPatrol;
      }
    }
    await insertPatrol(trx, {
      regionCode: regionOf(scopeCode),
      id,
      userId: actor.userId,
      divisionCode: scopeCode,
      startedAt,
      endedAt,
      day,
      track: input.points.map((point) => [point.lng, point.lat, point.t, point.accuracy]),
      gaps: summary.gaps,
      distanceMeters: summary.distanceMeters,
      trackedSeconds: summary.trackedSeconds,
    });
    await writeAudit(trx, {
      regionCode: regionOf(scopeCode),
      actorId: actor.userId,
      action: "patrol.record",
      targetType: "patrol",
      targetId: id,
      details: { day, points: input.points.length, distanceMeters: answer.patrol.distanceMeters, gaps: summary.gaps.length },
    });
    if (secrets) await storeIdempotentAnswer(trx, secrets, 201, sealAnswer(secrets, answer));
    return answer;
  });
}

/** The longest span of days a patrol report covers. */
export const MAX_REPORT_DAYS = 62;

/**
 * Patrol time and distance per patroller and day under a division in the reader's scope (their
 * own by default), from `from` to `to` (China Standard Time days, today by default).
 */
export async function listPatrolDays(ctx: AppContext, actor: Actor, query: { division?: string; from?: string; to?: string; userId?: string }) {
  requirePermission(actor, "patrol.read");
  const division = query.division ?? actor.scopeCode ?? "";
  if (!codeInScope(actor, division)) throw notFound("division_not_found", `No division ${division}`);
  const today = shanghaiDay(new Date());
  const to = query.to ?? query.from ?? today;
  const from = query.from ?? to;
  const span = (Date.parse(to) - Date.parse(from)) / 86_400_000;
  if (span < 0) throw badRequest("invalid_period", "from comes on or before to");
  if (span >= MAX_REPORT_DAYS) throw badRequest("invalid_period", `A report covers at most ${MAX_REPORT_DAYS} days`);
  const rows = await sumPatrolDays(ctx.db, actor, { division, from, to, userId: query.userId });
  return {
    division,
    from,
    to,
    days: rows.map((row) => ({
      day: row.day,
      userId: row.user_id,
      name: row.display_name,
      patrols: row.patrol_ids.length,
      patrolIds: row.patrol_ids,
      durationSeconds: row.duration_seconds,
      trackedSeconds: row.tracked_seconds,
      distanceMeters: Math.round(row.distance_meters),
      gaps: row.gaps,
    })),
  };
}

/** One patrol in the reader's scope with its track, cut into the lines between its gaps. */
export async function getPatrol(ctx: AppContext, actor: Actor, id: string) {
  requirePermission(actor, "patrol.read");
  const row = await findPatrolInScope(ctx.db, actor, id);
  if (!row) throw notFound("patrol_not_found", `No patrol ${id}`);
  const points = row.track.map(([lng, lat, t, accuracy]) => ({ lng, lat, at: new Date(t).toISOString(), accuracy }));
  return {
    patrol: {
      ...presentPatrol({
        id: row.id,
        userId: row.user_id,
        startedAt: row.started_at,
        endedAt: row.ended_at,
        day: row.day_text,
        pointCount: row.point_count,
        distanceMeters: row.distance_meters,
        trackedSeconds: row.tracked_seconds,
        gaps: row.gaps,
      }),
      name: row.display_name,
      segments: trackSegments(points, row.gaps),
    },
  };
}

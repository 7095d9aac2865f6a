import crypto from "node:crypto";
import type { AppContext } from "../../context.ts";
import { AppError, badRequest } from "../../errors.ts";
import { regionOf, writeAudit } from "../audit/audit.repository.ts";
import { requirePermission, type Actor } from "../auth/actor.ts";
import { transitionCaseInBulk, type TransitionInput } from "./cases.service.ts";
import { checkIdempotencyKey, idempotencySecrets, openAnswer, requestMac, sealAnswer } from "./idempotency.ts";
import { claimIdempotencyKey, findIdempotencyKey, releaseIdempotencyKey, storeIdempotentAnswer } from "./idempotency.repository.ts";

/** The actions staff take on many cases at once: dispatch registered cases, urge open ones, reassign dispatched ones. */
export const BULK_ACTIONS = ["dispatch", "urge", "reassign"] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export const BULK_MAX_CASES = 1_000;
/** Cases handled between two turns of the event loop, so that other requests keep their latency. */
const CHUNK = 10;

export type BulkInput = {
  action: BulkAction;
  cases: { id: string; version?: number }[];
  note?: string;
  publicNote?: boolean;
  to?: TransitionInput["to"];
};

export type BulkResult =
  | { id: string; ok: true; version: number; status: string }
  | { id: string; ok: false; error: { status: number; code: string; message: string } };

export type BulkAnswer = { action: BulkAction; succeeded: number; refused: number; results: BulkResult[] };

/** Bulk actions run one at a time in this process, the others wait their turn: they share the database with every other request. */
let bulkTurn: Promise<void> = Promise.resolve();
async function takeBulkTurn(): Promise<() => void> {
  const before = bulkTurn;
  let done = () => {};
  bulkTurn = new Promise((resolve) => (done = resolve));
  await before;
  return done;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * One action on many cases, each checked and answered on its own as a single transition is (outside
 * the scope: case_not_found; not offered now: transition_not_allowed or forbidden_action; version
 * given and changed: version_mismatch), each in its own transaction: the answer lists every case,
 * done or refused with its reason, in the order asked. With an Idempotency-Key a retry answers the
 * first answer and changes nothing; one audit entry records the batch and every case's outcome.
 */
export async function bulkTransition(
  ctx: AppContext,
  actor: Actor,
  input: BulkInput,
  idempotencyKey?: string,
  onUnexpected: (caseId: string, error: unknown) => void = () => {},
): Promise<BulkAnswer> {
  requirePermission(actor, "case.read");
  const ids = new Set<string>();
  for (const { id } of input.cases) {
    const key = id.toLowerCase();
    if (ids.has(key)) throw badRequest("duplicate_case", `The case ${id} is listed twice`);
    ids.add(key);
  }
  if (input.action === "urge" && input.to !== undefined) throw badRequest("invalid_transition_input", "Only dispatch and reassign take to");
  if (idempotencyKey !== undefined) checkIdempotencyKey(idempotencyKey, false);
  const idempotency = idempotencyKey === undefined ? undefined : idempotencySecrets(`user:${actor.userId}:bulk`, idempotencyKey);
  const mac = idempotency && requestMac(idempotency, JSON.stringify(input));
  if (idempotency && mac && !(await claimIdempotencyKey(ctx.db, idempotency, mac))) {
    const first = await findIdempotencyKey(ctx.db, idempotency);
    if (!first || !crypto.timingSafeEqual(first.request_mac, mac)) {
      throw new AppError(422, "idempotency_key_reused", "This Idempotency-Key was used with another request body");
    }
    if (first.status_code === 0) throw new AppError(409, "idempotency_key_in_use", "The first request with this Idempotency-Key is still running; retry in a moment");
    return openAnswer(idempotency, first.response) as BulkAnswer;
  }
  const release = await takeBulkTurn();
  try {
    const { to, note, publicNote } = input;
    const transition: TransitionInput = { action: input.action, note, publicNote, to };
    const results: BulkResult[] = [];
    for (const [index, { id, version }] of input.cases.entries()) {
      if (index > 0 && index % CHUNK === 0) await nextTurn();
      try {
        results.push({ id, ok: true, ...(await transitionCaseInBulk(ctx, actor, id, version, transition)) });
      } catch (error) {
        if (error instanceof AppError) {
          results.push({ id, ok: false, error: { status: error.statusCode, code: error.code, message: error.message } });
        } else {
          // The case's own transaction rolled back; the rest go on, and this one is reported.
          onUnexpected(id, error);
          results.push({ id, ok: false, error: { status: 500, code: "internal_error", message: "The case could not be changed; retry it" } });
        }
      }
    }
    const succeeded = results.filter((result) => result.ok).length;
    const answer: BulkAnswer = { action: input.action, succeeded, refused: results.length - succeeded, results };
    await writeAudit(ctx.db, {
      regionCode: regionOf(actor.scopeCode),
      actorId: actor.userId,
      action: `case.bulk_${input.action}`,
      targetType: "case",
      targetId: null,
      details: {
        ...(to ? { to } : {}),
        done: results.filter((result) => result.ok).map((result) => result.id),
        refused: results.flatMap((result) => (result.ok ? [] : [{ id: result.id, code: result.error.code }])),
      },
    });
    if (idempotency) await storeIdempotentAnswer(ctx.db, idempotency, 200, sealAnswer(idempotency, answer));
    return answer;
  } catch (error) {
    if (idempotency) await releaseIdempotencyKey(ctx.db, idempotency);
    throw error;
  } finally {
    release();
  }
}

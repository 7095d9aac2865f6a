import { uuidv7 } from "../../ids.ts";
import type { AppContext } from "../../context.ts";
import { AppError, notFound } from "../../errors.ts";
import { writeAudit } from "../audit/audit.repository.ts";
import { codeInScope, requirePermission, type Actor } from "../auth/actor.ts";
import { findCaseInScope, writeTransition } from "../cases/cases.repository.ts";

export type AppealStatus = "pending" | "accepted" | "refused";

/**
 * A street, community or department appeals (考核申诉) a case counted against it: the case is one it
 * can read; one appeal waits per case; a case already left out cannot be appealed again.
 */
export async function fileAppeal(ctx: AppContext, actor: Actor, input: { caseId: string; reason: string }) {
  requirePermission(actor, "appeal.write");
  const row = await findCaseInScope(ctx.db, actor, input.caseId);
  if (!row) throw notFound("case_not_found", `No case ${input.caseId}`);
  if (row.evaluation_excluded) throw new AppError(409, "already_excluded", "The case is already left out of the evaluation");
  const department = actor.departmentId
    ? await ctx.db.selectFrom("departments").select("code").where("id", "=", actor.departmentId).executeTakeFirst()
    : undefined;
  const id = uuidv7();
  return ctx.db.transaction().execute(async (trx) => {
    const pending = await trx.selectFrom("case_appeals").select("id").where("region_code", "=", row.region_code).where("case_id", "=", row.id).where("status", "=", "pending").executeTakeFirst();
    if (pending) throw new AppError(409, "appeal_pending", "An appeal of this case waits for a decision");
    const appeal = await trx
      .insertInto("case_appeals")
      .values({ id, region_code: row.region_code, case_id: row.id, unit_code: department?.code ?? actor.scopeCode ?? "", reason: input.reason, filed_by: actor.userId })
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(trx, { regionCode: row.region_code, actorId: actor.userId, action: "appeal.file", targetType: "case", targetId: row.id, details: { appeal: id, reason: input.reason } });
    return { appeal: present(appeal, row.number) };
  });
}

/**
 * The evaluation office (a leader of the whole region) accepts an appeal, which leaves the case out
 * of the due figures with an event on its timeline that records it, or refuses it. An appeal outside
 * the caller's region answers 404 as one that does not exist.
 */
export async function decideAppeal(ctx: AppContext, actor: Actor, id: string, input: { accept: boolean; note: string }) {
  requirePermission(actor, "appeal.decide");
  const appeal = await ctx.db.selectFrom("case_appeals").selectAll().where("id", "=", id).executeTakeFirst();
  if (!appeal || !codeInScope(actor, appeal.region_code)) throw notFound("appeal_not_found", `No appeal ${id}`);
  if (actor.scopeCode !== appeal.region_code) throw new AppError(403, "forbidden", "Appeals are decided by the evaluation office of the whole region");
  if (appeal.status !== "pending") throw new AppError(409, "appeal_decided", `The appeal was ${appeal.status} already`);
  if (appeal.filed_by === actor.userId) throw new AppError(403, "self_approval", "An appeal is decided by someone other than who filed it");
  return ctx.db.transaction().execute(async (trx) => {
    const decided = await trx
      .updateTable("case_appeals")
      .set({ status: input.accept ? "accepted" : "refused", decided_by: actor.userId, decided_at: new Date(), decision_note: input.note })
      .where("id", "=", id)
      .where("status", "=", "pending")
      .returningAll()
      .executeTakeFirst();
    if (!decided) throw new AppError(409, "appeal_decided", "The appeal was decided meanwhile");
    const row = await trx.selectFrom("cases").selectAll().where("region_code", "=", appeal.region_code).where("id", "=", appeal.case_id).executeTakeFirstOrThrow();
    if (input.accept) {
      const written = await writeTransition(trx, {
        before: row,
        changes: { evaluation_excluded: true, version: row.version + 1, updated_at: new Date() },
        event: {
          regionCode: row.region_code,
          caseId: row.id,
          actorId: actor.userId,
          action: "exclude_from_evaluation",
          from: row.status,
          to: row.status,
          level: row.level,
          note: input.note,
          details: { appeal: id, unit: appeal.unit_code },
        },
      });
      if (!written) throw new AppError(409, "version_mismatch", "The case changed meanwhile; decide again");
    }
    await writeAudit(trx, {
      regionCode: row.region_code,
      actorId: actor.userId,
      action: input.accept ? "appeal.accept" : "appeal.refuse",
      targetType: "case",
      targetId: row.id,
      details: { appeal: id, note: input.note },
    });
    return { appeal: present(decided, row.number) };
  });
}

/** Appeals of cases in the caller's scope (the whole region for the evaluation office), newest first. */
export async function listAppeals(ctx: AppContext, actor: Actor, query: { status?: AppealStatus }) {
  if (!actor.permissions.has("appeal.decide")) requirePermission(actor, "appeal.write");
  const scope = actor.scopeCode ?? "";
  const rows = await ctx.db
    .selectFrom("case_appeals")
    .innerJoin("cases", (join) => join.onRef("cases.region_code", "=", "case_appeals.region_code").onRef("cases.id", "=", "case_appeals.case_id"))
    .selectAll("case_appeals")
    .select("cases.number")
    .where("case_appeals.region_code", "=", scope.slice(0, 6))
    .where("cases.community_code", "like", `${scope}%`)
    .$if(query.status !== undefined, (q) => q.where("case_appeals.status", "=", query.status as AppealStatus))
    .orderBy("case_appeals.filed_at", "desc")
    .limit(500)
    .execute();
  return { appeals: rows.map((row) => present(row, row.number)) };
}

type AppealRow = {
  id: string;
  case_id: string;
  unit_code: string;
  reason: string;
  status: AppealStatus;
  filed_by: string;
  filed_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  decision_note: string | null;
};

const present = (row: AppealRow, number: string) => ({
  id: row.id,
  caseId: row.case_id,
  caseNumber: number,
  unitCode: row.unit_code,
  reason: row.reason,
  status: row.status,
  filedBy: row.filed_by,
  filedAt: new Date(row.filed_at).toISOString(),
  decidedBy: row.decided_by,
  decidedAt: row.decided_at ? new Date(row.decided_at).toISOString() : null,
  decisionNote: row.decision_note,
});

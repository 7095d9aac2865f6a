import type { AppContext } from "../../context.ts";
import type { CaseReasonTable } from "../../db/schema.ts";
import type { Selectable } from "kysely";
import { AppError } from "../../errors.ts";
import { writeAudit } from "../audit/audit.repository.ts";
import { requirePermission, type Actor } from "../auth/actor.ts";
import { findReason, findReasons, type ReasonKind } from "./case-reasons.repository.ts";

const DISTRICT_CODE_LENGTH = 6;

const presentReason = (row: Selectable<CaseReasonTable>) => ({
  kind: row.kind,
  code: row.code,
  labelZh: row.label_zh,
  labelEn: row.label_en,
  position: row.position,
  active: row.active,
});

/** The configured reasons of returns and rejections, in their order; the inactive ones only for who edits them. */
export async function listReasons(ctx: AppContext, actor: Actor, kind: ReasonKind | undefined) {
  requirePermission(actor, "case.read");
  const rows = await findReasons(ctx.db, kind, !actor.permissions.has("category.write"));
  return rows.map(presentReason);
}

export type ReasonChange = { labelZh: string; labelEn: string; position?: number; active?: boolean };

/**
 * Adds or changes a reason (a district administrator's, as the list serves every street). A
 * reason is never deleted, since past events name it: it is made inactive. Audited.
 */
export async function putReason(ctx: AppContext, actor: Actor, kind: ReasonKind, code: string, change: ReasonChange) {
  requirePermission(actor, "category.write");
  if (actor.scopeCode === null || actor.scopeCode.length > DISTRICT_CODE_LENGTH) {
    throw new AppError(403, "district_scope_required", "Only an administrator of the whole district edits the reasons, which every street shares");
  }
  return ctx.db.transaction().execute(async (trx) => {
    const previous = await findReason(trx, kind, code);
    const values = { label_zh: change.labelZh, label_en: change.labelEn, position: change.position ?? previous?.position ?? 0, active: change.active ?? previous?.active ?? true };
    const row = await trx
      .insertInto("case_reasons")
      .values({ kind, code, ...values })
      .onConflict((conflict) => conflict.columns(["kind", "code"]).doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(trx, {
      regionCode: "000000",
      actorId: actor.userId,
      action: "case_reason.put",
      targetType: "case_reason",
      targetId: `${kind}:${code}`,
      details: { previous: previous ? presentReason(previous) : null, change },
    });
    return presentReason(row);
  });
}

/** The active reason of this kind, or a 422 that names the list to choose from. */
export async function requireActiveReason(ctx: AppContext, kind: ReasonKind, code: string): Promise<void> {
  const reason = await findReason(ctx.db, kind, code);
  if (!reason?.active) {
    throw new AppError(422, "unknown_reason", `No active ${kind} reason ${code}: choose one from GET /api/v1/case-reasons?kind=${kind}`);
  }
}

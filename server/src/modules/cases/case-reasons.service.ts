import type { Kysely, Selectable } from "kysely";
import type { AppContext } from "../../context.ts";
import type { CaseReasonTable, DB } from "../../db/schema.ts";
import { AppError } from "../../errors.ts";
import { writeAudit } from "../audit/audit.repository.ts";
import { requirePermission, type Actor } from "../auth/actor.ts";
import { findReason, findReasons, type ReasonKind } from "./case-reasons.repository.ts";

const DISTRICT_CODE_LENGTH = 6;

/** The reasons every deployment starts from, in their order: those 12345 centres and 数字城管 use most. */
const REASON_SEEDS: [kind: ReasonKind, code: string, zh: string, en: string][] = [
  ["return", "not_our_duty", "不属于本单位职责", "Not within this department's duties"],
  ["return", "wrong_location", "地址不详或定位错误", "Address unclear or wrongly located"],
  ["return", "wrong_category", "案件分类错误", "Wrong category"],
  ["return", "private_property", "属私人或物业管理范围", "Private or property-managed area"],
  ["return", "needs_joint_handling", "需多部门联合处置", "Needs several departments"],
  ["return", "already_handled", "问题已处置或不存在", "Already handled or not found on site"],
  ["reject", "duplicate", "重复上报", "Duplicate report"],
  ["reject", "outside_area", "不在本辖区", "Outside the district"],
  ["reject", "not_governance", "不属于城市管理范围", "Not a matter for city management"],
  ["reject", "judicial", "涉及诉讼或已进入司法程序", "Under litigation or in court"],
  ["reject", "insufficient", "诉求不明确且无法联系", "Unclear and the reporter cannot be reached"],
  ["reject", "invalid", "无效信息（恶意或测试）", "Not a real report (abusive or a test)"],
];

/** Loads the common reasons into an empty list (every deployment starts from them). */
export async function ensureCaseReasons(db: Kysely<DB>): Promise<void> {
  const any = await db.selectFrom("case_reasons").select("code").limit(1).executeTakeFirst();
  if (any) return;
  await db
    .insertInto("case_reasons")
    .values(REASON_SEEDS.map(([kind, code, zh, en], index) => ({ kind, code, label_zh: zh, label_en: en, position: (index + 1) * 10 })))
    .onConflict((conflict) => conflict.doNothing())
    .execute();
}

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

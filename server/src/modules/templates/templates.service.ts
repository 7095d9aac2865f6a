import type { Kysely } from "kysely";
import { uuidv7 } from "../../ids.ts";
import type { AppContext } from "../../context.ts";
import type { DB } from "../../db/schema.ts";
import { AppError, badRequest, notFound } from "../../errors.ts";
import { writeAudit } from "../audit/audit.repository.ts";
import { requirePermission, type Actor } from "../auth/actor.ts";
import { unknownPlaceholders } from "./template-placeholders.ts";
import { findTemplates, type TemplateRow } from "./templates.repository.ts";

const DISTRICT_CODE_LENGTH = 6;

export type TemplateInput = {
  categoryCode: string | null;
  action: string | null;
  visibility: "staff" | "public";
  title: string;
  body: string;
};

export function presentTemplate(row: TemplateRow) {
  return {
    id: row.id,
    categoryCode: row.category_code,
    action: row.action,
    visibility: row.visibility,
    title: row.title,
    body: row.body,
    version: row.version,
  };
}

/** The district whose templates a staff member reads: the one their scope lies in. */
function districtOf(actor: Actor): string {
  if (actor.scopeCode === null || actor.scopeCode.length < DISTRICT_CODE_LENGTH) {
    throw new AppError(403, "scope_not_in_one_district", "Response templates belong to one district: this account's scope is not inside one");
  }
  return actor.scopeCode.slice(0, DISTRICT_CODE_LENGTH);
}

/** Templates are the district's, like its categories: only an administrator of the whole district edits them. */
function editorDistrict(actor: Actor): string {
  requirePermission(actor, "category.write");
  if (actor.scopeCode === null || actor.scopeCode.length !== DISTRICT_CODE_LENGTH) {
    throw new AppError(403, "district_scope_required", "Only an administrator of the whole district edits response templates, which every street shares");
  }
  return actor.scopeCode;
}

export async function listTemplates(ctx: AppContext, actor: Actor, filter: { category?: string; action?: string; visibility?: string }) {
  requirePermission(actor, "case.read");
  return (await findTemplates(ctx.db, districtOf(actor), filter)).map(presentTemplate);
}

async function checkInput(db: Kysely<DB>, input: TemplateInput): Promise<void> {
  const unknown = unknownPlaceholders(`${input.title}\n${input.body}`);
  if (unknown.length > 0) {
    throw badRequest("unknown_placeholder", `Unknown placeholders: ${unknown.map((name) => `{${name}}`).join(", ")}; use {caseNumber}, {deadline}, {department}`, { placeholders: unknown });
  }
  if (input.categoryCode !== null) {
    const category = await db.selectFrom("categories").select("code").where("code", "=", input.categoryCode).executeTakeFirst();
    if (!category) throw notFound("category_not_found", `No category ${input.categoryCode}`);
  }
}

export async function createTemplate(ctx: AppContext, actor: Actor, input: TemplateInput) {
  const regionCode = editorDistrict(actor);
  await checkInput(ctx.db, input);
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("response_templates")
      .values({
        id: uuidv7(),
        region_code: regionCode,
        category_code: input.categoryCode,
        action: input.action,
        visibility: input.visibility,
        title: input.title,
        body: input.body,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(trx, { regionCode, actorId: actor.userId, action: "response_template.create", targetType: "response_template", targetId: row.id, details: { template: input } });
    return presentTemplate(row);
  });
}

export async function updateTemplate(ctx: AppContext, actor: Actor, id: string, ifMatch: string | undefined, change: Partial<TemplateInput>) {
  const regionCode = editorDistrict(actor);
  if (!ifMatch) throw new AppError(428, "precondition_required", "Send If-Match with the template's ETag");
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom("response_templates").selectAll().where("region_code", "=", regionCode).where("id", "=", id).forUpdate().executeTakeFirst();
    if (!row) throw notFound("response_template_not_found", `No response template ${id}`);
    if (ifMatch !== `"${row.version}"`) throw new AppError(412, "version_mismatch", "The template changed since you read it");
    const next: TemplateInput = {
      categoryCode: change.categoryCode === undefined ? row.category_code : change.categoryCode,
      action: change.action === undefined ? row.action : change.action,
      visibility: change.visibility ?? row.visibility,
      title: change.title ?? row.title,
      body: change.body ?? row.body,
    };
    await checkInput(trx, next);
    const updated = await trx
      .updateTable("response_templates")
      .set({
        category_code: next.categoryCode,
        action: next.action,
        visibility: next.visibility,
        title: next.title,
        body: next.body,
        version: row.version + 1,
        updated_at: new Date(),
      })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(trx, { regionCode, actorId: actor.userId, action: "response_template.update", targetType: "response_template", targetId: id, details: { change } });
    return presentTemplate(updated);
  });
}

export async function deleteTemplate(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  const regionCode = editorDistrict(actor);
  await ctx.db.transaction().execute(async (trx) => {
    const removed = await trx.deleteFrom("response_templates").where("region_code", "=", regionCode).where("id", "=", id).returning(["title", "body"]).executeTakeFirst();
    if (!removed) throw notFound("response_template_not_found", `No response template ${id}`);
    await writeAudit(trx, { regionCode, actorId: actor.userId, action: "response_template.delete", targetType: "response_template", targetId: id, details: { removed } });
  });
}

/** A few of the phrases a command centre uses every day, for a demo district. */
export const DEMO_TEMPLATE_SEEDS: TemplateInput[] = [
  { categoryCode: null, action: "dispatch", visibility: "staff", title: "派遣说明", body: "已派遣至{department}，请于{deadline}前处置。" },
  { categoryCode: null, action: "dispatch", visibility: "staff", title: "派遣并要求回传照片", body: "案件{caseNumber}已派遣至{department}，请于{deadline}前处置完毕并上传处置后照片。" },
  { categoryCode: null, action: "urge", visibility: "staff", title: "督办提醒", body: "案件{caseNumber}即将超期，请{department}于{deadline}前办结并反馈。" },
  { categoryCode: null, action: "return", visibility: "staff", title: "非本单位职责", body: "经核实，该问题不属于本单位职责范围，建议改派。" },
  { categoryCode: null, action: "handle", visibility: "public", title: "已处置完毕", body: "您反映的问题（编号{caseNumber}）已处置完毕，感谢您对城市管理工作的支持。" },
  { categoryCode: null, action: "verify_fail", visibility: "staff", title: "核查未通过", body: "现场核查问题仍存在，请{department}重新处置。" },
  { categoryCode: "event.street_order", action: "handle", visibility: "public", title: "占道经营已劝离", body: "经现场处置，占道经营摊点已劝离，人行道已恢复通行。" },
  { categoryCode: "component.public_facility", action: "dispatch", visibility: "staff", title: "部件维修", body: "请{department}安排人员于{deadline}前到场维修，涉及安全隐患的先行设置警示。" },
  { categoryCode: null, action: "reject", visibility: "public", title: "不予立案", body: "经核实，您反映的情况不属于城市管理受理范围，已告知相关渠道。" },
];

/** Loads the demo district's templates (only categories that exist are used). */
export async function seedDemoTemplates(db: Kysely<DB>, regionCode: string): Promise<void> {
  const categories = new Set((await db.selectFrom("categories").select("code").execute()).map((row) => row.code));
  const rows = DEMO_TEMPLATE_SEEDS.filter((seed) => seed.categoryCode === null || categories.has(seed.categoryCode)).map((seed) => ({
    id: uuidv7(),
    region_code: regionCode,
    category_code: seed.categoryCode,
    action: seed.action,
    visibility: seed.visibility,
    title: seed.title,
    body: seed.body,
  }));
  if (rows.length > 0) await db.insertInto("response_templates").values(rows).execute();
}

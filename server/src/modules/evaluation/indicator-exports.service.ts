import type { AppContext } from "../../context.ts";
import { regionOf, writeAudit } from "../audit/audit.repository.ts";
import type { Actor } from "../auth/actor.ts";
import type { RankingKind } from "./governance-index.ts";
import { indicatorsWorkbook, rankingWorkbook } from "./indicators-workbook.ts";
import { getIndicators, type IndicatorQuery } from "./indicators.service.ts";
import { getRankings } from "./rankings.service.ts";

async function regionNamed(ctx: AppContext, code: string): Promise<{ code: string; name: string }> {
  const row = await ctx.db.selectFrom("divisions").select("name").where("code", "=", code).executeTakeFirst();
  return { code, name: row?.name ?? code };
}

/**
 * The indicators of a query as a workbook: exactly what GET /indicators answers the actor (its
 * scope, its staff names), written out; audited as an export.
 */
export async function exportIndicators(ctx: AppContext, actor: Actor, query: IndicatorQuery): Promise<{ file: Buffer; name: string }> {
  const answer = await getIndicators(ctx, actor, query);
  const file = await indicatorsWorkbook({ ...answer, region: await regionNamed(ctx, answer.division.code.slice(0, 6)), generatedAt: new Date() });
  await writeAudit(ctx.db, {
    regionCode: regionOf(answer.division.code),
    actorId: actor.userId,
    action: "indicators.export",
    targetType: "division",
    targetId: answer.division.code,
    details: { ...answer.period, groupBy: answer.groupBy, rows: answer.rows.length },
  });
  return { file, name: `indicators-${answer.division.code}-${answer.period.from}-${answer.period.to}.xlsx` };
}

/** A ranking as GET /rankings answers the actor, as a workbook; audited as an export. */
export async function exportRanking(ctx: AppContext, actor: Actor, query: { kind: RankingKind; period: string }): Promise<{ file: Buffer; name: string }> {
  const answer = await getRankings(ctx, actor, query);
  const region = (actor.scopeCode ?? "").slice(0, 6);
  const file = await rankingWorkbook({ ...answer, region: await regionNamed(ctx, region), generatedAt: new Date() });
  await writeAudit(ctx.db, {
    regionCode: region,
    actorId: actor.userId,
    action: "rankings.export",
    targetType: "division",
    targetId: region,
    details: { kind: answer.kind, period: answer.period.code, rows: answer.rows.length },
  });
  return { file, name: `rankings-${answer.kind}-${answer.period.code}.xlsx` };
}

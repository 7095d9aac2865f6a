import { sql } from "kysely";
import type { AppContext } from "../../context.ts";
import { AppError, badRequest, notFound } from "../../errors.ts";
import { writeAudit } from "../audit/audit.repository.ts";
import { requirePermission, type Actor } from "../auth/actor.ts";
import { calendarFor } from "../cases/calendars.ts";
import { OPEN_STATUSES } from "../cases/cases.repository.ts";
import { correctionsBetween } from "./bulletin-corrections.ts";
import type { BulletinData, BulletinLevel, Correction, Figures as BulletinFigures, OverdueCase } from "./bulletin-data.ts";
import { bulletinPdf } from "./bulletin-pdf.ts";
import { bulletinWorkbook } from "./bulletin-workbook.ts";
import { previousPeriod, RANKING_KINDS } from "./governance-index.ts";
import { addDays, bucketsOf, figuresOf, periodOf, ZERO_SUMS, type Figures, type ReporterFigures } from "./indicators.ts";
import { sumCounts } from "./indicators.repository.ts";
import { today } from "./indicators.service.ts";
import { rankingOf } from "./rankings.service.ts";

/** How many worst performers each level names, and how many overdue cases at most. */
const WORST = 3;
const OVERDUE_NAMED = 100;
/** Earlier bulletins whose periods are checked for corrections: a year of half months. */
const CORRECTED_BULLETINS = 24;

export type BulletinSummary = { regionCode: string; period: { code: string; from: string; to: string }; generatedAt: string; corrections: number };

/** The period (half month by default, or month) that ended most recently before `day`. */
export function lastEndedPeriod(day: string, kind: "half_month" | "month"): string {
  const yesterday = addDays(day, -1);
  const month = yesterday.slice(0, 7);
  const containing = kind === "month" ? month : `${month}-${Number(yesterday.slice(8, 10)) >= 16 ? "H2" : "H1"}`;
  return periodOf(containing)?.to === yesterday ? containing : previousPeriod(containing);
}

/**
 * Generates, freezes and archives the bulletin of a region's period: its totals, every level's
 * ranking, the worst performers, the overdue cases, and the corrections to earlier bulletins whose
 * figures have changed since they were published. A period is published once (409 after).
 */
export async function generateBulletin(ctx: AppContext, regionCode: string, periodCode: string, generatedBy: string | null): Promise<BulletinSummary> {
  const period = periodOf(periodCode);
  if (!period) throw badRequest("invalid_period", "A period is a month (2026-11) or a half month (2026-11-H1, 2026-11-H2)");
  if (period.to >= today()) throw new AppError(409, "period_not_ended", `The period ${period.code} has not ended yet`);
  const region = await ctx.db.selectFrom("divisions").select("name").where("code", "=", regionCode).executeTakeFirst();
  if (!region) throw notFound("division_not_found", `No region ${regionCode}`);
  const exists = await ctx.db.selectFrom("bulletins").select("period_code").where("region_code", "=", regionCode).where("period_code", "=", period.code).executeTakeFirst();
  if (exists) throw new AppError(409, "bulletin_published", `The bulletin of ${period.code} is published; its figures are frozen`);
  const data: BulletinData = {
    ...(await periodFigures(ctx, regionCode, region.name, period)),
    generatedAt: new Date().toISOString(),
    overdueCases: await overdueCases(ctx, regionCode),
    corrections: await corrections(ctx, regionCode, region.name, period.from),
  };
  const [workbook, pdf] = await Promise.all([bulletinWorkbook(data), bulletinPdf(data)]);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto("bulletins")
      .values({
        region_code: regionCode,
        period_code: period.code,
        period_from: period.from,
        period_to: period.to,
        generated_at: new Date(data.generatedAt),
        generated_by: generatedBy,
        data: JSON.stringify(data),
        workbook,
        pdf,
      })
      .execute();
    if (generatedBy !== null) {
      await writeAudit(trx, { regionCode, actorId: generatedBy, action: "bulletin.generate", targetType: "bulletin", targetId: period.code, details: { corrections: data.corrections.length } });
    }
  });
  return { regionCode, period, generatedAt: data.generatedAt, corrections: data.corrections.length };
}

/** What a period's bulletin shows of its figures, computed now: totals and every level ranked. */
async function periodFigures(
  ctx: AppContext,
  regionCode: string,
  regionName: string,
  period: { code: string; from: string; to: string },
): Promise<Omit<BulletinData, "generatedAt" | "overdueCases" | "corrections">> {
  const [total] = await sumCounts(ctx.db, { regionCode, division: regionCode }, undefined, bucketsOf(period, undefined));
  const levels: BulletinLevel[] = [];
  for (const kind of RANKING_KINDS) {
    const ranking = await rankingOf(ctx, regionCode, kind, period.code);
    const rows = ranking.rows.filter((row) => row.rank !== null && row.index !== null);
    levels.push({
      kind,
      rows: rows.map((row) => ({ rank: row.rank as number, code: row.code, name: row.name, index: row.index as number, change: row.change, figures: bulletinFigures(row.figures) })),
    });
  }
  return { regionCode, regionName, period, totals: bulletinFigures(figuresOf(total?.sums ?? ZERO_SUMS)), levels, worst: WORST, locale: "zh-CN" };
}

/**
 * What a bulletin shows of a unit's figures: a grid worker's are those counted per finder (reports,
 * cases handled on the spot); anyone else's all but the counts behind the hotline's rates.
 */
const bulletinFigures = (figures: Figures | ReporterFigures): BulletinFigures => {
  if (!("registered" in figures)) return figures;
  const { handled: _handled, responded: _responded, closures: _closures, onSpot: _onSpot, rated: _rated, resolved: _resolved, satisfied: _satisfied, ...named } = figures;
  return named;
};

/** The region's open cases past their handling deadline, most overdue first. */
async function overdueCases(ctx: AppContext, regionCode: string): Promise<OverdueCase[]> {
  const now = new Date();
  const rows = await ctx.db
    .selectFrom("cases")
    .leftJoin("divisions", "divisions.code", "cases.community_code")
    .leftJoin("departments", "departments.code", "cases.department_code")
    .select(["cases.number", "cases.title", "cases.handle_by", "divisions.name as division_name", "departments.name as department_name"])
    .where("cases.region_code", "=", regionCode)
    .where("cases.status", "in", [...OPEN_STATUSES])
    .where("cases.handle_by", "<", now)
    .orderBy("cases.handle_by")
    .limit(OVERDUE_NAMED)
    .execute();
  const calendar = calendarFor(regionCode);
  return rows.map((row) => ({
    number: row.number,
    title: row.title,
    divisionName: row.division_name ?? "",
    departmentName: row.department_name,
    deadline: row.handle_by.toISOString(),
    overdueWorkingHours: Math.round((calendar.workingMillisBetween(row.handle_by, now) / 3_600_000) * 10) / 10,
  }));
}

/**
 * The figures of earlier bulletins that differ when their periods are computed now, each reported
 * once: a difference already listed by a later bulletin with the same value is not listed again.
 */
async function corrections(ctx: AppContext, regionCode: string, regionName: string, before: string): Promise<Correction[]> {
  const earlier = await ctx.db
    .selectFrom("bulletins")
    .select(["period_code", "data"])
    .where("region_code", "=", regionCode)
    .where("period_to", "<", before)
    .orderBy("period_to", "desc")
    .limit(CORRECTED_BULLETINS)
    .execute();
  const reported = new Map<string, number | null>();
  for (const bulletin of [...earlier].reverse()) {
    for (const correction of (bulletin.data as unknown as BulletinData).corrections) reported.set(correctionKey(correction), correction.now);
  }
  const found: Correction[] = [];
  for (const bulletin of earlier) {
    const published = bulletin.data as unknown as BulletinData;
    const now = { ...published, ...(await periodFigures(ctx, regionCode, regionName, published.period)) };
    for (const correction of correctionsBetween(published, now)) {
      const key = correctionKey(correction);
      if (reported.has(key) && reported.get(key) === correction.now) continue;
      found.push(correction);
    }
  }
  return found;
}

const correctionKey = (correction: Correction) => `${correction.period.code}|${correction.kind}|${correction.code}|${correction.indicator}`;

/** The bulletins of the caller's region, newest first. */
export async function listBulletins(ctx: AppContext, actor: Actor) {
  requirePermission(actor, "indicator.read");
  const regionCode = actor.scopeCode?.slice(0, 6) ?? "";
  const rows = await ctx.db
    .selectFrom("bulletins")
    .select(["period_code", "period_from", "period_to", "generated_at", sql<number>`jsonb_array_length(data->'corrections')`.as("corrections"), sql<number>`length(workbook)`.as("workbook_bytes"), sql<number>`length(pdf)`.as("pdf_bytes")])
    .where("region_code", "=", regionCode)
    .orderBy("period_to", "desc")
    .execute();
  return {
    bulletins: rows.map((row) => ({
      period: { code: row.period_code, from: String(row.period_from).slice(0, 10), to: String(row.period_to).slice(0, 10) },
      generatedAt: new Date(row.generated_at).toISOString(),
      corrections: Number(row.corrections),
      files: { xlsx: Number(row.workbook_bytes), pdf: Number(row.pdf_bytes) },
    })),
  };
}

/** One archived file of a bulletin of the caller's region. */
export async function bulletinFile(ctx: AppContext, actor: Actor, periodCode: string, format: "xlsx" | "pdf") {
  requirePermission(actor, "indicator.read");
  const regionCode = actor.scopeCode?.slice(0, 6) ?? "";
  const row = await ctx.db
    .selectFrom("bulletins")
    .select(format === "xlsx" ? "workbook as file" : "pdf as file")
    .where("region_code", "=", regionCode)
    .where("period_code", "=", periodCode)
    .executeTakeFirst();
  if (!row) throw notFound("bulletin_not_found", `No bulletin of ${periodCode}`);
  return { file: row.file, name: `bulletin-${regionCode}-${periodCode}.${format}` };
}

/** The scheduler's job: every region's bulletin of the period that ended last, once. */
export async function generateDueBulletins(ctx: AppContext, kind: "half_month" | "month"): Promise<Record<string, number>> {
  const periodCode = lastEndedPeriod(today(), kind);
  const regions = await ctx.db.selectFrom("divisions").select("code").where("level", "=", "district").execute();
  let generated = 0;
  for (const { code } of regions) {
    const published = await ctx.db.selectFrom("bulletins").select("period_code").where("region_code", "=", code).where("period_code", "=", periodCode).executeTakeFirst();
    if (published) continue;
    const hasCases = await ctx.db.selectFrom("cases").select("id").where("region_code", "=", code).limit(1).executeTakeFirst();
    if (!hasCases) continue;
    await generateBulletin(ctx, code, periodCode, null);
    generated++;
  }
  return { bulletins: generated };
}

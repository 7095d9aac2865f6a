import { sql } from "kysely";
import type { AppContext } from "../../context.ts";
import { AppError, badRequest } from "../../errors.ts";
import { requirePermission, type Actor } from "../auth/actor.ts";
import { DEFAULT_WEIGHTS, governanceIndex, previousPeriod, rankByIndex, type IndexInputs, type IndexWeights, type RankingKind } from "./governance-index.ts";
import { bucketsOf, figuresOf, periodOf, reporterFiguresOf, ZERO_SUMS, type Figures, type Grouping, type ReporterFigures } from "./indicators.ts";
import { sumCounts } from "./indicators.repository.ts";

type Period = { code: string; from: string; to: string };
type Unit = { code: string; name: string; inputs: IndexInputs & { figures: Figures | ReporterFigures } };

export type RankingRow = {
  rank: number | null;
  code: string;
  name: string;
  index: number | null;
  change: number | null;
  /** A grid worker's: only those counted per finder (reports, cases handled on the spot). */
  figures: Figures | ReporterFigures;
  reports?: number;
  onSpot?: number;
  patrolHours?: number;
};

/**
 * The ranking of every unit of a kind in the caller's region over a period, by governance index,
 * with each unit's change of rank since the period before. Every leader of the region sees the
 * whole region's ranking; the cases behind a figure stay behind the case list's scope.
 */
export async function getRankings(ctx: AppContext, actor: Actor, query: { kind: RankingKind; period: string }) {
  requirePermission(actor, "indicator.read");
  if (actor.scopeCode === null) throw new AppError(403, "forbidden", "Rankings are read by staff of a region");
  return rankingOf(ctx, actor.scopeCode.slice(0, 6), query.kind, query.period);
}

/** The ranking of a region's units of a kind over a period (a month or half month code). */
export async function rankingOf(ctx: AppContext, region: string, kind: RankingKind, periodCode: string) {
  const period = periodOf(periodCode);
  if (!period) throw badRequest("invalid_period", "A period is a month (2026-11) or a half month (2026-11-H1, 2026-11-H2)");
  const query = { kind };
  const previous = periodOf(previousPeriod(period.code)) as Period;
  const weights = await indexWeights(ctx, region, query.kind);
  const [now, before] = await Promise.all([rankUnits(ctx, region, query.kind, period, weights), rankUnits(ctx, region, query.kind, previous, weights)]);
  const rankBefore = new Map(before.map((row) => [row.code, row.rank]));
  return {
    kind: query.kind,
    period,
    previous,
    weights,
    rows: now.map((row): RankingRow => {
      const earlier = rankBefore.get(row.code) ?? null;
      return {
        rank: row.rank,
        code: row.code,
        name: row.name,
        index: row.index,
        change: row.rank !== null && earlier !== null ? earlier - row.rank : null,
        figures: row.inputs.figures,
        ...(query.kind === "grid_worker" ? { reports: row.inputs.reports, onSpot: row.inputs.onSpot, patrolHours: row.inputs.patrolHours } : {}),
      };
    }),
  };
}

/** The region's weights for a kind: its evaluation setting, else the defaults. */
async function indexWeights(ctx: AppContext, region: string, kind: RankingKind): Promise<IndexWeights> {
  const row = await ctx.db.selectFrom("evaluation_settings").select("index_weights").where("region_code", "=", region).executeTakeFirst();
  return (row?.index_weights as Partial<Record<RankingKind, IndexWeights>> | undefined)?.[kind] ?? DEFAULT_WEIGHTS[kind];
}

async function rankUnits(ctx: AppContext, region: string, kind: RankingKind, period: Period, weights: IndexWeights) {
  const units = await unitsOf(ctx, region, kind, period);
  const bests = {
    reports: Math.max(0, ...units.map((unit) => unit.inputs.reports ?? 0)),
    onSpot: Math.max(0, ...units.map((unit) => unit.inputs.onSpot ?? 0)),
    patrolHours: Math.max(0, ...units.map((unit) => unit.inputs.patrolHours ?? 0)),
  };
  return rankByIndex(units.map((unit) => ({ ...unit, index: governanceIndex(unit.inputs, weights, bests) })));
}

const GROUPING: Record<RankingKind, Grouping> = { street: "street", community: "community", department: "department", grid_worker: "reporter" };

/** Every unit of the kind in the region, with its figures over the period (zero when it has none). */
async function unitsOf(ctx: AppContext, region: string, kind: RankingKind, period: Period): Promise<Unit[]> {
  const sums = await sumCounts(ctx.db, { regionCode: region, division: region }, GROUPING[kind], bucketsOf(period, undefined));
  const figuresFor = kind === "grid_worker" ? reporterFiguresOf : figuresOf;
  const figures = new Map(sums.map((row) => [row.group, figuresFor(row.sums)]));
  const zero = figuresFor(ZERO_SUMS);
  const figuresOfUnit = (code: string) => figures.get(code) ?? zero;
  switch (kind) {
    case "street":
    case "community": {
      const divisions = await ctx.db
        .selectFrom("divisions")
        .select(["code", "name"])
        .where("region_code", "=", region)
        .where("level", "=", kind)
        .orderBy("code")
        .execute();
      return divisions.map((division) => ({ code: division.code, name: division.name, inputs: { figures: figuresOfUnit(division.code) } }));
    }
    case "department": {
      const departments = await ctx.db.selectFrom("departments").select(["code", "name"]).where("division_code", "like", `${region}%`).orderBy("code").execute();
      return departments.map((department) => ({ code: department.code, name: department.name, inputs: { figures: figuresOfUnit(department.code) } }));
    }
    case "grid_worker": {
      const [workers, patrols] = await Promise.all([
        ctx.db
          .selectFrom("users")
          .select(["id", "display_name"])
          .where("scope_code", "like", `${region}%`)
          .where(sql<boolean>`'grid_worker' = any(roles)`)
          .where("disabled_at", "is", null)
          .orderBy("id")
          .execute(),
        ctx.db
          .selectFrom("patrols")
          .select(["user_id", sql<string>`sum(tracked_seconds)`.as("seconds")])
          .where("region_code", "=", region)
          .where("day", ">=", period.from)
          .where("day", "<=", period.to)
          .groupBy("user_id")
          .execute(),
      ]);
      const patrolSeconds = new Map(patrols.map((row) => [row.user_id, Number(row.seconds)]));
      return workers.map((worker) => {
        const own = figuresOfUnit(worker.id);
        return {
          code: worker.id,
          name: worker.display_name,
          inputs: { figures: own, reports: own.accepted, onSpot: own.onSpot, patrolHours: Math.round(((patrolSeconds.get(worker.id) ?? 0) / 3600) * 100) / 100 },
        };
      });
    }
  }
}

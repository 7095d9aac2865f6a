import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { errors, Nullable } from "../../http/schemas.ts";
import { GROUPINGS } from "./indicators.ts";
import { getIndicators } from "./indicators.service.ts";
import { RANKING_KINDS } from "./governance-index.ts";
import { getRankings } from "./rankings.service.ts";

const Count = (description: string) => Type.Integer({ description });
const Rate = (description: string) => Nullable(Type.Number({ description: `${description}; a fraction 0–1, null without a denominator` }));

/** Every count can be listed: GET /cases?counted=<its name>&from=&to= with the same division and group filters. */
const Figures = Type.Object({
  accepted: Count("受理数: cases reported in the period"),
  registered: Count("立案数: registered (立案) in the period"),
  registrationRate: Rate("立案率: registered / accepted"),
  dispatched: Count("派遣数: dispatched for the first time in the period"),
  dispatchRate: Rate("派遣率: dispatched / registered"),
  dueToClose: Count("应结案数: registered cases whose handling deadline falls in the period, plus those closed in it whose deadline fell before it"),
  closed: Count("结案数: of those due, closed by the period's end (or closed in it, carried from before)"),
  closureRate: Rate("结案率: closed / due to close"),
  closedOnTime: Count("按期结案数: due in the period and closed at or before the deadline in force"),
  onTimeClosureRate: Rate("按期结案率: closed on time / due to close"),
  overdue: Count("超期数: due to close and not closed on time"),
  reworked: Count("返工数: due to close and reworked at least once"),
  reworkRate: Rate("返工率: reworked / due to close"),
  extended: Count("延期数: due to close with an extension granted"),
  extensionRate: Rate("延期率: extended / due to close"),
  dueToHandle: Count("应处置数: dispatched cases due to close, by the same rule on handling"),
  handledOnTime: Count("按期处置数: handled at or before the deadline"),
  onTimeHandlingRate: Rate("按期处置率: handled on time / due to handle"),
  handled: Count("Dispatched cases handled (处理反馈) in the period, at their last handling"),
  averageHandlingHours: Nullable(Type.Number({ description: "Average working hours from the first dispatch to the last handling, of those handled" })),
  responded: Count("Dispatched in the period and acknowledged (签收) within the region's response limit"),
  responseRate: Rate("响应率: responded / dispatched"),
  closures: Count("Cases closed in the period"),
  onSpot: Count("Handled on the spot (就地处置) and closed in the period"),
  rated: Count("Closed in the period and rated by the reporter or a follow-up call"),
  resolved: Count("Rated, and the reporter said the problem was solved"),
  resolutionRate: Rate("解决率: resolved / rated"),
  satisfied: Count("Rated satisfied or basically satisfied"),
  satisfactionRate: Rate("满意率: satisfied / rated"),
});

/** A finder's figures (groupBy=reporter, grid workers' rankings): the rollups count nothing else by who found a problem. */
const ReporterFigures = Type.Object(
  { accepted: Figures.properties.accepted, onSpot: Figures.properties.onSpot },
  { additionalProperties: false, description: "A finder's (groupBy=reporter, a grid worker's ranking): reports and cases handled on the spot, the only figures counted per finder" },
);

const Day = Type.String({ format: "date", description: "A day in China Standard Time, YYYY-MM-DD" });

/** The query of the indicators, which their workbook takes too. */
export const IndicatorQuery = Type.Object(
  {
    division: Type.Optional(Type.String({ pattern: "^[0-9]{6}([0-9]{3}){0,3}$", description: "A district, street, community or grid code; the caller's scope by default" })),
    from: Type.Optional({ ...Day, description: "First day of the period (the 1st of this month by default)" }),
    to: Type.Optional({ ...Day, description: "Last day of the period, included (today by default)" }),
    groupBy: Type.Optional(Type.Enum(GROUPINGS, { description: "reporter: who found the problem, staff only (grid workers, patrols, seats)" })),
  },
  { additionalProperties: false },
);

/** The query of a ranking, which its workbook takes too. */
export const RankingQuery = Type.Object(
  {
    kind: Type.Enum(RANKING_KINDS),
    period: Type.String({ pattern: "^[0-9]{4}-(0[1-9]|1[0-2])(-H[12])?$", description: "A month (2026-11) or a half month: H1 the 1st–15th, H2 the 16th to the end" }),
  },
  { additionalProperties: false },
);

export async function indicatorRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/indicators",
    {
      schema: {
        operationId: "getIndicators",
        tags: ["evaluation"],
        summary: "The standard indicators (考核指标) of a division over a period, in total and per group",
        description:
          "Leaders, dispatchers, supervisors and administrators (indicator.read), for a division in their scope (else 404 division_not_found). " +
          "Read from rollups kept with every case change, so the cost follows the groups and days asked, not the cases. " +
          "Days are China Standard Time; a week is an ISO week (2026-W49), a month YYYY-MM. A grid's indicators are grouped by day, week or month only " +
          "(else 422 grouping_not_available). Each count is listed by GET /cases?counted=<name>&from=&to= with the division and the group as filters.",
        querystring: IndicatorQuery,
        response: {
          200: Type.Object({
            division: Type.Object({ code: Type.String(), name: Type.String() }),
            period: Type.Object({ from: Type.String(), to: Type.String() }),
            groupBy: Nullable(Type.Enum(GROUPINGS)),
            rows: Type.Array(
              Type.Object({
                key: Type.String({ description: "The group's code, id or period; '' for cases with none (no category, no person)" }),
                name: Nullable(Type.String({ description: "Its name, for divisions, grids, departments, staff and categories" })),
                figures: Type.Union([ReporterFigures, Figures]),
              }),
            ),
            total: Figures,
          }),
          ...errors(400, 401, 403, 404, 422),
        },
      },
    },
    async (request) => getIndicators(ctx, request.actor, request.query),
  );

  const Period = Type.Object({ code: Type.String(), from: Type.String(), to: Type.String() });
  app.get(
    "/rankings",
    {
      schema: {
        operationId: "getRankings",
        tags: ["evaluation"],
        summary: "Every street, community, department or grid worker of the caller's region ranked by governance index (治理指数排行) over a period",
        description:
          "indicator.read. The index is 0–100: the weighted mean of the unit's rates (a rate without a denominator is left out), weights per kind " +
          "configurable per region (evaluation_settings.index_weights; `weights` shows those used). A grid worker's index scores reports, cases " +
          "handled on the spot and patrol hours against the region's most active worker. Equal indexes share a rank and keep code order; units " +
          "without an index come last with rank null. `change` is the places gained since the previous period (the previous half month or month). " +
          "Every leader of the region sees the whole region's ranking; the cases behind a figure are listed by GET /cases within the caller's scope.",
        querystring: RankingQuery,
        response: {
          200: Type.Object({
            kind: Type.Enum(RANKING_KINDS),
            period: Period,
            previous: Period,
            weights: Type.Record(Type.String(), Type.Number()),
            rows: Type.Array(
              Type.Object({
                rank: Nullable(Type.Integer()),
                code: Type.String({ description: "Division or department code; a grid worker's user id" }),
                name: Type.String(),
                index: Nullable(Type.Number()),
                change: Nullable(Type.Integer({ description: "Places gained (+) or lost (−) since the previous period; null if unranked in either" })),
                figures: Type.Union([ReporterFigures, Figures]),
                reports: Type.Optional(Type.Integer({ description: "grid_worker: problems reported" })),
                onSpot: Type.Optional(Type.Integer({ description: "grid_worker: handled on the spot" })),
                patrolHours: Type.Optional(Type.Number({ description: "grid_worker: hours of tracked patrol" })),
              }),
            ),
          }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (request) => getRankings(ctx, request.actor, request.query),
  );
}

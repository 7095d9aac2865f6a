import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { errors } from "../../http/schemas.ts";
import { CaseListQuery } from "../cases/case-queue.routes.ts";
import { EXPORT_HEADERS, EXPORT_MAX_CASES, exportCaseRows } from "../cases/case-queue.service.ts";
import { TABLE_TYPES, writeXlsx } from "./table-writer.ts";
import { exportIndicators, exportRanking } from "../evaluation/indicator-exports.service.ts";
import { IndicatorQuery, RankingQuery } from "../evaluation/indicators.routes.ts";

export async function exportRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/exchange/exports/cases.xlsx",
    {
      config: { apiKeyScope: "exchange" },
      schema: {
        operationId: "exportCasesWorkbook",
        tags: ["exchange"],
        summary: `The cases a list query matches as an Excel workbook (the columns of GET /cases/export, at most ${EXPORT_MAX_CASES}), phones masked; audited`,
        querystring: Type.Omit(CaseListQuery, ["limit", "cursor"]),
        response: {
          200: { description: "The workbook", content: { [TABLE_TYPES.xlsx]: { schema: Type.Unsafe<Buffer>(Type.String({ format: "binary" })) } } },
          ...errors(400, 401, 403, 404, 422),
        },
      },
    },
    async (request, reply) => {
      const { status, ...query } = request.query;
      const { pages } = await exportCaseRows(ctx, request.actor, { ...query, statuses: status?.split(",") }, "xlsx");
      const rows: (string | null)[][] = [];
      for await (const page of pages) rows.push(...page);
      const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
      return reply
        .type(TABLE_TYPES.xlsx)
        .header("content-disposition", `attachment; filename="cases-${day}.xlsx"`)
        .send(await writeXlsx("案件", EXPORT_HEADERS, rows));
    },
  );

  const Workbook = { description: "The workbook", content: { [TABLE_TYPES.xlsx]: { schema: Type.Unsafe<Buffer>(Type.String({ format: "binary" })) } } };

  app.get(
    "/exchange/exports/indicators.xlsx",
    {
      config: { apiKeyScope: "exchange" },
      schema: {
        operationId: "exportIndicatorsWorkbook",
        tags: ["exchange"],
        summary: "The indicators of GET /indicators for the same query as an Excel workbook (indicator.read; audited)",
        description:
          "A header block (region, division, period, grouping, generation time), one row per group with every figure as a column under its Chinese name, and the total. " +
          "Rates are fractions with a percentage number format; a rate without a denominator is —. The scope and errors are those of GET /indicators.",
        querystring: IndicatorQuery,
        response: { 200: Workbook, ...errors(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const { file, name } = await exportIndicators(ctx, request.actor, request.query);
      return reply.type(TABLE_TYPES.xlsx).header("content-disposition", `attachment; filename="${name}"`).send(file);
    },
  );

  app.get(
    "/exchange/exports/rankings.xlsx",
    {
      config: { apiKeyScope: "exchange" },
      schema: {
        operationId: "exportRankingsWorkbook",
        tags: ["exchange"],
        summary: "A ranking of GET /rankings (kind, period) as an Excel workbook (indicator.read; audited)",
        querystring: RankingQuery,
        response: { 200: Workbook, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { file, name } = await exportRanking(ctx, request.actor, request.query);
      return reply.type(TABLE_TYPES.xlsx).header("content-disposition", `attachment; filename="${name}"`).send(file);
    },
  );
}

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { errors } from "../../http/schemas.ts";
import { CaseListQuery } from "../cases/case-queue.routes.ts";
import { EXPORT_HEADERS, EXPORT_MAX_CASES, exportCaseRows } from "../cases/case-queue.service.ts";
import { TABLE_TYPES, writeXlsx } from "./table-writer.ts";

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
}

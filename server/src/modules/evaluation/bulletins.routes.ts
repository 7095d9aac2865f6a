import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { errors } from "../../http/schemas.ts";
import { bulletinFile, listBulletins } from "./bulletins.service.ts";

const PeriodCode = Type.String({ pattern: "^[0-9]{4}-(0[1-9]|1[0-2])(-H[12])?$", description: "A month (2026-11) or a half month (2026-11-H1, 2026-11-H2)" });
const Summary = Type.Object({
  period: Type.Object({ code: Type.String(), from: Type.String(), to: Type.String() }),
  generatedAt: Type.String(),
  corrections: Type.Integer({ description: "Figures of earlier bulletins corrected in this one" }),
  files: Type.Object({ xlsx: Type.Integer({ description: "bytes" }), pdf: Type.Integer({ description: "bytes" }) }),
});

const MIME = { xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", pdf: "application/pdf" } as const;

export async function bulletinRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/bulletins",
    {
      schema: {
        operationId: "listBulletins",
        tags: ["evaluation"],
        summary: "The published bulletins (通报) of the caller's region, newest first",
        description:
          "indicator.read. The scheduler publishes each ended half month (BULLETIN_PERIOD), and `gridgov bulletins generate --period` any ended period. " +
          "A bulletin's figures are frozen when it is published; later changes appear as corrections in the next one.",
        response: { 200: Type.Object({ bulletins: Type.Array(Summary) }), ...errors(401, 403) },
      },
    },
    async (request) => listBulletins(ctx, request.actor),
  );

  app.get(
    "/bulletins/:period/files/:format",
    {
      schema: {
        operationId: "downloadBulletin",
        tags: ["evaluation"],
        summary: "A published bulletin as an Excel workbook (sheets per level) or a PDF",
        params: Type.Object({ period: PeriodCode, format: Type.Enum(["xlsx", "pdf"]) }),
        response: { 200: Type.Unsafe<Buffer>({ description: "The file", type: "string", format: "binary" }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { file, name } = await bulletinFile(ctx, request.actor, request.params.period, request.params.format);
      return reply.type(MIME[request.params.format]).header("content-disposition", `attachment; filename="${name}"`).send(file);
    },
  );
}

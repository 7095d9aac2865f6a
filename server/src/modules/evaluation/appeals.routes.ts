import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { errors, Nullable, Uuid } from "../../http/schemas.ts";
import { decideAppeal, fileAppeal, listAppeals } from "./appeals.service.ts";

const STATUSES = ["pending", "accepted", "refused"] as const;
const Appeal = Type.Object({
  id: Type.String(),
  caseId: Type.String(),
  caseNumber: Type.String(),
  unitCode: Type.String({ description: "The division or department that appealed" }),
  reason: Type.String(),
  status: Type.Enum(STATUSES),
  filedBy: Type.String(),
  filedAt: Type.String(),
  decidedBy: Nullable(Type.String()),
  decidedAt: Nullable(Type.String()),
  decisionNote: Nullable(Type.String()),
});

export async function appealRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    "/appeals",
    {
      schema: {
        operationId: "fileAppeal",
        tags: ["evaluation"],
        summary: "Appeal (考核申诉) a case counted against the caller's street, community or department",
        description:
          "appeal.write (dispatchers, leaders, handlers), for a case the caller can read (else 404 case_not_found). One appeal waits per case " +
          "(409 appeal_pending); a case already left out cannot be appealed (409 already_excluded). Audited.",
        body: Type.Object({ caseId: Uuid, reason: Type.String({ minLength: 4, maxLength: 1000 }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ appeal: Appeal }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await fileAppeal(ctx, request.actor, request.body)),
  );

  app.get(
    "/appeals",
    {
      schema: {
        operationId: "listAppeals",
        tags: ["evaluation"],
        summary: "Appeals of cases in the caller's scope, newest first (at most 500)",
        querystring: Type.Object({ status: Type.Optional(Type.Enum(STATUSES)) }, { additionalProperties: false }),
        response: { 200: Type.Object({ appeals: Type.Array(Appeal) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => listAppeals(ctx, request.actor, request.query),
  );

  app.post(
    "/appeals/:id/decision",
    {
      schema: {
        operationId: "decideAppeal",
        tags: ["evaluation"],
        summary: "The evaluation office accepts an appeal (the case leaves the due figures, recorded on its timeline) or refuses it",
        description:
          "appeal.decide, by a leader of the whole region who did not file it (403 self_approval); an appeal outside the region is 404 appeal_not_found; " +
          "decided once (409 appeal_decided). Accepting writes the case's event exclude_from_evaluation, so the rollups, the drill-down lists " +
          "and a rebuild all leave the case out. Audited.",
        params: Type.Object({ id: Uuid }),
        body: Type.Object({ accept: Type.Boolean(), note: Type.String({ minLength: 2, maxLength: 1000 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ appeal: Appeal }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => decideAppeal(ctx, request.actor, request.params.id, request.body),
  );
}

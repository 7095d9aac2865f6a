import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { errors } from "../../http/schemas.ts";
import { listReasons, putReason } from "./case-reasons.service.ts";

const Kind = Type.Enum(["return", "reject"], { description: "return: 退回 by the assignee; reject: 不予立案 by the centre" });
const Reason = Type.Object({
  kind: Type.String(),
  code: Type.String(),
  labelZh: Type.String(),
  labelEn: Type.String(),
  position: Type.Integer(),
  active: Type.Boolean(),
});

export async function caseReasonRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/case-reasons",
    {
      schema: {
        operationId: "listCaseReasons",
        tags: ["cases"],
        summary: "The configured reasons of a return (退回) or a rejection (不予立案), in order: a transition's `reasonCode` names one",
        description: "Staff who may edit the list (category.write) also get the inactive reasons.",
        querystring: Type.Object({ kind: Type.Optional(Kind) }, { additionalProperties: false }),
        response: { 200: Type.Object({ reasons: Type.Array(Reason) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => ({ reasons: await listReasons(ctx, request.actor, request.query.kind) }),
  );

  app.put(
    "/case-reasons/:kind/:code",
    {
      schema: {
        operationId: "putCaseReason",
        tags: ["cases"],
        summary: "Add or change a reason (district administrators; audited). A reason is made inactive, never deleted: past events name it",
        params: Type.Object({ kind: Kind, code: Type.String({ pattern: "^[a-z0-9_]{1,50}$" }) }),
        body: Type.Object(
          {
            labelZh: Type.String({ minLength: 1, maxLength: 100 }),
            labelEn: Type.String({ minLength: 1, maxLength: 100 }),
            position: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ reason: Reason }), ...errors(400, 401, 403) },
      },
    },
    async (request) => ({ reason: await putReason(ctx, request.actor, request.params.kind, request.params.code, request.body) }),
  );
}

import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { DepartmentCode, errors, Uuid } from "../../http/schemas.ts";
import { BULK_ACTIONS, BULK_MAX_CASES, bulkTransition } from "./case-bulk.service.ts";

const BulkBody = Type.Object(
  {
    action: Type.Enum(BULK_ACTIONS, { description: "dispatch (派遣) registered cases, urge (督办) open ones, or reassign (改派) dispatched ones (`to` and a `note`, the reason)" }),
    cases: Type.Array(
      Type.Object(
        { id: Uuid, version: Type.Optional(Type.Integer({ description: "The version read (as in its ETag): a case changed since is refused with version_mismatch" })) },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: BULK_MAX_CASES, description: "Each case at most once (else 400 duplicate_case)" },
    ),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    publicNote: Type.Optional(Type.Boolean({ description: "Show the note to the reporter" })),
    to: Type.Optional(
      Type.Object(
        { departmentCode: Type.Optional(DepartmentCode), userId: Type.Optional(Uuid), divisionCode: Type.Optional(Type.String({ pattern: "^[0-9]{6,12}$" })) },
        { additionalProperties: false, description: "dispatch, reassign: to whom, as for a single dispatch" },
      ),
    ),
  },
  { additionalProperties: false },
);

const Refusal = Type.Object({ status: Type.Integer({ description: "The HTTP status a single transition would have answered" }), code: Type.String(), message: Type.String() });
const BulkResult = Type.Union([
  Type.Object({ id: Type.String(), ok: Type.Literal(true), version: Type.Integer(), status: Type.String() }),
  Type.Object({ id: Type.String(), ok: Type.Literal(false), error: Refusal }),
]);

export async function bulkRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    "/cases/bulk",
    {
      schema: {
        operationId: "bulkTransitionCases",
        tags: ["cases"],
        summary: `Take one workflow action on up to ${BULK_MAX_CASES} cases, each checked and answered on its own`,
        description:
          "Each case goes through the same checks and write as POST /cases/{id}/transitions, in its own transaction: outside the caller's scope it is refused as case_not_found, " +
          "an action not offered now as transition_not_allowed or forbidden_action, a `version` given and changed as version_mismatch (without one, the case as it is now). " +
          "The answer lists every case in the order sent, done or refused with the code and message a single transition would have answered; nothing is left out. " +
          "An Idempotency-Key makes a retry answer the first answer without acting again (409 idempotency_key_in_use while the first still runs). One audit entry records the batch.",
        headers: Type.Object({
          "idempotency-key": Type.Optional(Type.String({ description: "8 to 128 characters of A–Z a–z 0–9 - _ + / = . :; a retry within 24 hours returns the first answer" })),
        }),
        body: BulkBody,
        response: {
          200: Type.Object({
            action: Type.String(),
            succeeded: Type.Integer(),
            refused: Type.Integer(),
            results: Type.Array(BulkResult),
          }),
          ...errors(400, 401, 403, 409, 422),
        },
      },
    },
    async (request) =>
      bulkTransition(ctx, request.actor, request.body, request.headers["idempotency-key"], (caseId, error) =>
        request.log.error({ err: error, caseId }, "bulk action: a case failed"),
      ),
  );
}

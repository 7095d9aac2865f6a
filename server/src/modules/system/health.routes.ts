import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";

const Status = Type.Object({ status: Type.String() });

/** Liveness never touches the database; readiness checks it answers and the grid index is loaded. */
export async function healthRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    "/healthz",
    { config: { public: true }, schema: { operationId: "health", tags: ["system"], response: { 200: Status } } },
    async () => ({ status: "ok" }),
  );
  app.get(
    "/readyz",
    {
      config: { public: true },
      schema: { operationId: "ready", tags: ["system"], response: { 200: Status, 503: Status } },
    },
    async (_request, reply) => {
      try {
        await sql`select 1`.execute(ctx.db);
        return { status: "ready" };
      } catch {
        return reply.status(503).send({ status: "database_unavailable" });
      }
    },
  );
}

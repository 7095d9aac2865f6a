import type { Readable } from "node:stream";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { AppContext } from "../../context.ts";
import { screenTokenOf } from "../../http/authentication.ts";
import { errors } from "../../http/schemas.ts";
import { RETRY_MS, sha256, type Credential } from "./events.service.ts";

// Any text: whatever is not a position the log holds is answered with a `reset`, not refused.
const LastEventId = Type.String({
  description: "The `id` of the last event received: the stream resumes after it. An id that is not a position, is no longer kept or is ahead of the log gets a `reset` event",
});

const STREAM_DESCRIPTION = `A \`text/event-stream\` (Server-Sent Events) of the case events in the caller's scope, the cases the case list shows them, in commit order. Every event's \`id\` is its position in the district's event log.

Events:
- \`case\`: a case changed. \`data\`: \`{"position", "caseId", "number", "action", "status", "level", "streetCode", "communityCode", "gridCode", "departmentCode", "at"}\` (\`action\` as in the case's timeline: report, accept, register, dispatch, urge…; \`status\` and \`level\` after it; \`at\` when it was committed). No personal data: read the case for more.
- \`ready\`: sent once the missed events (if any) are sent and the stream is live. \`data\`: \`{"position"}\`.
- \`reset\`: the events after the given \`Last-Event-ID\` can no longer be sent (they are kept about 24 hours; or the id is malformed or ahead of the log): reload what is shown, the stream goes on from \`data.position\`. \`data\`: \`{"reason": "expired" | "malformed" | "ahead", "position"}\`.
- \`end\`: the server ends the stream. \`data\`: \`{"reason": "session_ended" | "max_duration" | "server_closing"}\`: after \`session_ended\` a reconnect answers 401; otherwise reconnect with \`Last-Event-ID\`.

The stream starts with a \`retry: ${RETRY_MS}\` hint and sends a comment every 20 s so that proxies keep it open; a comment may carry a bare \`id\` that moves the client past events it may not see. A client that does not read what it is sent is dropped. A reconnect with \`Last-Event-ID\` (the header EventSource sends, or the \`lastEventId\` query parameter for clients that cannot set headers; the header wins) receives exactly the events missed since, in order. The stream ends with the session (sign-out, expiry, lock, password change) and after EVENT_STREAM_MAX_SECONDS.`;

export async function eventRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/events",
    {
      // Compression would hold events back until a block is full.
      compress: false,
      schema: {
        operationId: "streamEvents",
        tags: ["events"],
        summary: "Live case events in the caller's scope (Server-Sent Events), resumable with Last-Event-ID for 24 hours",
        description: STREAM_DESCRIPTION,
        headers: Type.Object({ "last-event-id": Type.Optional(LastEventId) }),
        querystring: Type.Object({ lastEventId: Type.Optional(LastEventId) }, { additionalProperties: false }),
        response: {
          200: {
            description: "The event stream; it stays open until the session ends, the client leaves or EVENT_STREAM_MAX_SECONDS pass",
            content: { "text/event-stream": { schema: Type.Unsafe<string | Readable>(Type.String()) } },
          },
          ...errors(400, 401, 403, 429),
        },
      },
    },
    async (request, reply) => {
      const bearer = request.headers.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
      const credential: Credential = request.actor.screenCredentialId
        ? { kind: "screen", hash: sha256(screenTokenOf(request) ?? "") }
        : request.sessionToken
          ? { kind: "session", hash: sha256(request.sessionToken) }
          : { kind: "apiKey", hash: sha256(bearer ?? "") };
      const lastEventId = request.headers["last-event-id"] ?? request.query.lastEventId;
      const stream = await ctx.eventStreams.openStream(request.actor, credential, lastEventId);
      reply.raw.on("close", () => stream.end("closed"));
      return reply
        .type("text/event-stream; charset=utf-8")
        .header("cache-control", "no-store")
        // nginx would otherwise buffer the stream.
        .header("x-accel-buffering", "no")
        .send(stream.body);
    },
  );
}

/**
 * Wakes this process's event log reader after every request that may have changed a case (on
 * PGlite, where no NOTIFY reaches it), and ends the streams before the server closes, which would
 * otherwise wait for them.
 */
export function registerEventStreams(app: FastifyInstance, ctx: AppContext): void {
  app.addHook("onResponse", async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") ctx.caseEvents.wakeAfterWrite();
  });
  app.addHook("preClose", async () => {
    ctx.eventStreams.closeAll();
    await ctx.caseEvents.close();
  });
}

import http from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../errors.ts";

type Answer = { statusCode: number; code: string; message: string; details?: unknown };

// Fastify's own error codes for malformed requests (and the request decompression's), each mapped to our stable code.
const FRAMEWORK_ERRORS: Record<string, { statusCode: number; code: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { statusCode: 400, code: "invalid_json" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { statusCode: 400, code: "invalid_json" },
  FST_ERR_CTP_BODY_TOO_LARGE: { statusCode: 413, code: "body_too_large" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { statusCode: 415, code: "unsupported_media_type" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { statusCode: 400, code: "invalid_content_length" },
  FST_ERR_CTP_INVALID_TYPE: { statusCode: 400, code: "invalid_content_type" },
  FST_ERR_BAD_URL: { statusCode: 400, code: "invalid_url" },
  FST_ERR_MAX_PARAM_LENGTH: { statusCode: 414, code: "url_too_long" },
  FST_CP_ERR_INVALID_CONTENT_ENCODING: { statusCode: 415, code: "unsupported_content_encoding" },
  FST_CP_ERR_INVALID_CONTENT: { statusCode: 400, code: "invalid_content_encoding" },
};

function answer(error: FastifyError | AppError): Answer {
  if (error instanceof AppError) {
    return { statusCode: error.statusCode, code: error.code, message: error.message, details: error.details };
  }
  if (error.validation) {
    return {
      statusCode: 400,
      code: "validation_failed",
      message: `Invalid request ${error.validationContext ?? "input"}: ${error.message}`,
      details: error.validation.map((issue) => ({
        in: error.validationContext,
        path: issue.instancePath || "/",
        message: issue.message,
        params: issue.params,
      })),
    };
  }
  const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined;
  if (known) return { ...known, message: error.message };
  if (error instanceof SyntaxError) return { statusCode: 400, code: "invalid_json", message: error.message };
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { statusCode: error.statusCode, code: "bad_request", message: error.message };
  }
  return { statusCode: 500, code: "internal_error", message: "An internal error occurred" };
}

/** The router's own refusals (a malformed URL, a path segment too long), raised before any route or error handler. */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const { statusCode, ...body } = answer(error);
  void reply.status(statusCode).send({ error: body });
}

/** Every error leaves as `{ "error": { "code", "message", "details" } }` with a stable code. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const { statusCode, ...body } = answer(error);
    if (statusCode >= 500 && statusCode !== 503) request.log.error({ err: error }, "request failed");
    // A refusal that says when to come back (429 limits, 503 busy) says it in Retry-After too.
    const retryAfter = (body.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    if (typeof retryAfter === "number") void reply.header("retry-after", String(retryAfter));
    return reply.status(statusCode).send({ error: body });
  });
}

/**
 * What the HTTP parser refuses before Fastify sees a request (a malformed request line or header,
 * a broken chunked body, headers too large, a request too slow) leaves in the same error shape;
 * the connection is closed, as its framing can no longer be trusted.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [statusCode, code, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "headers_too_large", "The request headers are too large"]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "request_timeout", "The request took too long to arrive"]
        : [400, "malformed_request", "The request is not well-formed HTTP"];
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${statusCode} ${http.STATUS_CODES[statusCode]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

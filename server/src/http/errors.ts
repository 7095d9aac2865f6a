import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../errors.ts";

type Answer = { statusCode: number; code: string; message: string; details?: unknown };

// Fastify's own error codes for malformed requests, each mapped to our stable code.
const FRAMEWORK_ERRORS: Record<string, { statusCode: number; code: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { statusCode: 400, code: "invalid_json" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { statusCode: 400, code: "invalid_json" },
  FST_ERR_CTP_BODY_TOO_LARGE: { statusCode: 413, code: "body_too_large" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { statusCode: 415, code: "unsupported_media_type" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { statusCode: 400, code: "invalid_content_length" },
  FST_ERR_CTP_INVALID_TYPE: { statusCode: 400, code: "invalid_content_type" },
  FST_ERR_BAD_URL: { statusCode: 400, code: "invalid_url" },
  FST_ERR_MAX_PARAM_LENGTH: { statusCode: 414, code: "url_too_long" },
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
    if (statusCode >= 500) request.log.error({ err: error }, "request failed");
    return reply.status(statusCode).send({ error: body });
  });
}

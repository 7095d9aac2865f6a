/**
 * An error the API answers with its own status and stable code:
 * `{ "error": { "code", "message", "details" } }`. Anything else is a 500 `internal_error`.
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (code: string, message: string) => new AppError(404, code, message);
export const forbidden = (permission: string) =>
  new AppError(403, "forbidden", `This action needs the permission ${permission}`);
export const badRequest = (code: string, message: string, details?: unknown) =>
  new AppError(400, code, message, details);
export const authenticationRequired = () =>
  new AppError(401, "authentication_required", "Sign in or send an API key first");

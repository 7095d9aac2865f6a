import type { FastifyInstance } from "fastify";
import { AppError } from "../../errors.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Open to an account that must change its password first (its own password, who it is, logout). */
    beforePasswordChange?: boolean;
  }
}

/**
 * An account made or reset by someone else signs in, but until it has chosen its own password it
 * may only do that: every other operation answers 403 `password_change_required`. Runs after the
 * actor is resolved.
 */
export function registerPasswordChangeGate(app: FastifyInstance): void {
  app.addHook("onRequest", async (request) => {
    const { config } = request.routeOptions;
    if (config.public || config.beforePasswordChange || !request.actor?.passwordChangeRequired) return;
    throw new AppError(403, "password_change_required", "Choose a new password first (POST /api/v1/auth/password)");
  });
}

import type { AppContext } from "../../context.ts";
import { purgeUnattachedUploads } from "../attachments/attachments.service.ts";
import { purgeExpiredIdempotencyKeys } from "../cases/idempotency.repository.ts";

/**
 * Deletes what has outlived its use: uploads never attached to a case and expired idempotency
 * keys. Each purge is safe if two processes run it at once.
 */
export async function purgeExpired(ctx: AppContext): Promise<{ uploads: number; idempotencyKeys: number }> {
  return { uploads: await purgeUnattachedUploads(ctx), idempotencyKeys: await purgeExpiredIdempotencyKeys(ctx.db) };
}

import type { AppContext } from "../../context.ts";
import { purgeUnattachedUploads } from "../attachments/attachments.service.ts";
import { PROCESS_ID, takeLease } from "../cases/deadline-sweep.ts";
import { purgeExpiredIdempotencyKeys } from "../cases/idempotency.repository.ts";

const HOUSEKEEPING_LEASE = "housekeeping";

/**
 * Deletes what has outlived its use: uploads never attached to a case and expired idempotency
 * keys. Runs every `intervalMs` in whichever server holds the lease; each purge is also safe if
 * two processes run it at once. Returns a stop function.
 */
export function startHousekeeping(
  ctx: AppContext,
  log: { info(o: object, m: string): void; error(o: object, m: string): void },
  intervalMs = 15 * 60_000,
): () => void {
  const tick = async () => {
    try {
      if (!(await takeLease(ctx.db, HOUSEKEEPING_LEASE, PROCESS_ID, intervalMs - 1_000))) return;
      const uploads = await purgeUnattachedUploads(ctx);
      const idempotencyKeys = await purgeExpiredIdempotencyKeys(ctx.db);
      if (uploads || idempotencyKeys) log.info({ uploads, idempotencyKeys }, "housekeeping purged");
    } catch (error) {
      log.error({ err: error }, "housekeeping failed");
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}

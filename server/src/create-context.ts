import type { Kysely } from "kysely";
import type { Config } from "./config.ts";
import type { AppContext } from "./context.ts";
import type { DB } from "./db/schema.ts";
import { LocalAttachmentStore } from "./modules/attachments/attachment-store.ts";
import { ApiKeyCache } from "./modules/auth/api-key-cache.ts";
import { SessionCache } from "./modules/auth/session-cache.ts";
import { ReportWriter } from "./modules/cases/report-writer.ts";
import { CaseEventHub } from "./modules/events/case-event-hub.ts";
import { EventStreams } from "./modules/events/events.service.ts";
import { GridLocator } from "./modules/grids/grids.service.ts";
import { NotificationFollower } from "./modules/notifications/notification-follower.ts";
import { WebhookDeliverer } from "./modules/webhooks/webhook-deliverer.ts";

/**
 * The context of a process: every area's part assembled here; the grid locator starts empty until
 * `grids.load`. Apart from the HTTP application (app.ts), so that a command that serves nothing
 * loads none of the routes.
 */
export function createContext(db: Kysely<DB>, config: Config): AppContext {
  const sessions = new SessionCache();
  const caseEvents = new CaseEventHub(db, config.database.kind === "postgres" ? config.database.url : null);
  return {
    db,
    config,
    grids: new GridLocator(),
    attachments: new LocalAttachmentStore(config.attachmentsDir),
    sessions,
    apiKeys: new ApiKeyCache(sessions),
    reports: new ReportWriter(db, config.duplicates),
    caseEvents,
    eventStreams: new EventStreams({ db, config, caseEvents, sessions }),
    notifications: new NotificationFollower(db),
    webhooks: new WebhookDeliverer(db, caseEvents, { allowedNetworks: config.outboundAllowedNetworks, timeoutMs: config.webhooks.timeoutMs }),
  };
}

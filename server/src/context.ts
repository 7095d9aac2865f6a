import type { Kysely } from "kysely";
import type { Config } from "./config.ts";
import type { DB } from "./db/schema.ts";
import { LocalAttachmentStore, type AttachmentStore } from "./modules/attachments/attachment-store.ts";
import { SessionCache } from "./modules/auth/session-cache.ts";
import { ReportWriter } from "./modules/cases/report-writer.ts";
import { GridLocator } from "./modules/grids/grids.service.ts";

/** What every service needs, built once per process. */
export type AppContext = {
  db: Kysely<DB>;
  config: Config;
  grids: GridLocator;
  attachments: AttachmentStore;
  sessions: SessionCache;
  reports: ReportWriter;
};

/** The context of a process; the grid locator starts empty until `grids.load`. */
export function createContext(db: Kysely<DB>, config: Config): AppContext {
  return {
    db,
    config,
    grids: new GridLocator(),
    attachments: new LocalAttachmentStore(config.attachmentsDir),
    sessions: new SessionCache(),
    reports: new ReportWriter(db, config.duplicates),
  };
}

import type { Kysely } from "kysely";
import type { Config } from "./config.ts";
import type { DB } from "./db/schema.ts";
import type { GridLocator } from "./modules/grids/grids.service.ts";

/** What every service needs, built once per process. */
export type AppContext = {
  db: Kysely<DB>;
  config: Config;
  grids: GridLocator;
};

import type { Kysely } from "kysely";
import type { Config } from "./config.ts";
import type { DB } from "./db/schema.ts";

/**
 * The parts of the context that areas own (the grid locator, the session cache, the photo store,
 * the report writer). Each area declares its part next to its code, by declaration merging:
 *
 *   declare module "../../context.ts" { interface AppParts { grids: GridLocator } }
 *
 * so that this file depends on no area and no import runs back up to it. `createContext` in
 * create-context.ts builds them.
 */
export interface AppParts {}

/** What every service needs, built once per process. */
export type AppContext = { db: Kysely<DB>; config: Config } & AppParts;

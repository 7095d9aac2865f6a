import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import type { Grouping } from "./indicators.ts";

/**
 * The names of the groups an indicator answer lists, by key: divisions, grids, departments, people
 * and categories by their own tables. Levels, sources and periods are named by the client.
 */
export async function groupNames(db: Kysely<DB>, groupBy: Grouping, keys: readonly string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(keys.filter((key) => key !== ""))];
  if (wanted.length === 0) return new Map();
  const pairs = await namesOf(db, groupBy, wanted);
  return new Map(pairs.map((row) => [row.key, row.name]));
}

function namesOf(db: Kysely<DB>, groupBy: Grouping, keys: string[]): Promise<{ key: string; name: string }[]> {
  switch (groupBy) {
    case "street":
    case "community":
      return db.selectFrom("divisions").select(["code as key", "name"]).where("code", "in", keys).execute();
    case "grid":
      return db.selectFrom("grids").select(["code as key", "name"]).where("code", "in", keys).execute();
    case "department":
      return db.selectFrom("departments").select(["code as key", "name"]).where("code", "in", keys).execute();
    case "person":
    case "reporter": {
      // Staff only, by name: a resident who reported stays unnamed. One array parameter, not a
      // list of them: a district's 1,300 grid workers as a list took 5 ms more to plan than to run.
      const ids = keys.filter((key) => /^[0-9a-f-]{36}$/.test(key));
      if (ids.length === 0) return Promise.resolve([]);
      return db
        .selectFrom("users")
        .select(["id as key", "display_name as name"])
        .where("id", "=", sql<string>`any(${ids}::uuid[])`)
        .where("scope_code", "is not", null)
        .execute();
    }
    case "category":
      return db.selectFrom("categories").select(["code as key", "name"]).where("code", "in", keys).execute();
    default:
      return Promise.resolve([]);
  }
}

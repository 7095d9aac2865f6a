import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";

const COLUMNS = ["id", "name", "query", "created_at", "updated_at"] as const;

/** A user's saved filters, oldest first (the order they were made in). */
export function findSavedFilters(db: Kysely<DB>, userId: string) {
  return db.selectFrom("saved_filters").select(COLUMNS).where("user_id", "=", userId).orderBy("created_at").orderBy("id").execute();
}

export function findSavedFilter(db: Kysely<DB>, userId: string, id: string) {
  return db.selectFrom("saved_filters").select(COLUMNS).where("user_id", "=", userId).where("id", "=", id).executeTakeFirst();
}

export function findSavedFilterByName(db: Kysely<DB>, userId: string, name: string) {
  return db.selectFrom("saved_filters").select(COLUMNS).where("user_id", "=", userId).where("name", "=", name).executeTakeFirst();
}

/** Counts a user's filters after locking the user's row, so that two saves at once cannot both pass the limit. */
export async function countSavedFiltersLocked(db: Kysely<DB>, userId: string): Promise<number> {
  await db.selectFrom("users").select("id").where("id", "=", userId).forUpdate().execute();
  const row = await db.selectFrom("saved_filters").select((eb) => eb.fn.countAll<number>().as("filters")).where("user_id", "=", userId).executeTakeFirstOrThrow();
  return Number(row.filters);
}

export function insertSavedFilter(db: Kysely<DB>, row: { id: string; user_id: string; name: string; query: string }) {
  return db.insertInto("saved_filters").values(row).returning(COLUMNS).executeTakeFirstOrThrow();
}

export function updateSavedFilter(db: Kysely<DB>, userId: string, id: string, changes: { name?: string; query?: string }) {
  return db
    .updateTable("saved_filters")
    .set({ ...changes, updated_at: new Date() })
    .where("user_id", "=", userId)
    .where("id", "=", id)
    .returning(COLUMNS)
    .executeTakeFirst();
}

export async function deleteSavedFilter(db: Kysely<DB>, userId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom("saved_filters").where("user_id", "=", userId).where("id", "=", id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

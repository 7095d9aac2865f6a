import { uuidv7 } from "../../ids.ts";
import type { AppContext } from "../../context.ts";
import { AppError, notFound } from "../../errors.ts";
import { requirePermission, type Actor } from "../auth/actor.ts";
import {
  countSavedFiltersLocked,
  deleteSavedFilter,
  findSavedFilter,
  findSavedFilterByName,
  findSavedFilters,
  insertSavedFilter,
  updateSavedFilter,
} from "./saved-filters.repository.ts";
import { parseSavedQuery } from "./saved-query.ts";

/** A user keeps at most this many views: a list to pick from, not an archive. */
export const MAX_SAVED_FILTERS = 50;
export const MAX_FILTER_NAME = 40;

type Row = Awaited<ReturnType<typeof findSavedFilters>>[number];

const present = (row: Row) => ({
  id: row.id,
  name: row.name,
  query: row.query,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});
export type SavedFilter = ReturnType<typeof present>;

const filterNotFound = (id: string) => notFound("saved_filter_not_found", `No saved filter ${id}`);
const nameTaken = (name: string) => new AppError(409, "saved_filter_name_taken", `You already have a filter named ${name}`);

/** A name as stored: trimmed, spaces inside kept; blank is refused. */
function nameOf(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > MAX_FILTER_NAME) {
    throw new AppError(400, "invalid_filter_name", `A filter's name is 1 to ${MAX_FILTER_NAME} characters`);
  }
  return trimmed;
}

/**
 * Saved filters are the caller's own: nobody reads or changes another's (404, as if it did not
 * exist). They hold a queue query and a name and grant nothing (whoever opens a shared link sees the
 * list in their own scope), so changing them is not audited.
 */
export async function listSavedFilters(ctx: AppContext, actor: Actor) {
  requirePermission(actor, "case.read");
  return { filters: (await findSavedFilters(ctx.db, actor.userId)).map(present) };
}

/**
 * Saves a view under a name. Saving the same name and query again (a retry) answers the filter saved
 * the first time with `created: false`; the name with another query is a 409.
 */
export async function createSavedFilter(ctx: AppContext, actor: Actor, input: { name: string; query: string }) {
  requirePermission(actor, "case.read");
  const name = nameOf(input.name);
  const query = parseSavedQuery(input.query).text;
  return ctx.db.transaction().execute(async (trx) => {
    const count = await countSavedFiltersLocked(trx, actor.userId);
    const same = await findSavedFilterByName(trx, actor.userId, name);
    if (same) {
      if (same.query !== query) throw nameTaken(name);
      return { created: false, filter: present(same) };
    }
    if (count >= MAX_SAVED_FILTERS) {
      throw new AppError(422, "too_many_saved_filters", `You may keep at most ${MAX_SAVED_FILTERS} saved filters; delete one first`);
    }
    return { created: true, filter: present(await insertSavedFilter(trx, { id: uuidv7(), user_id: actor.userId, name, query })) };
  });
}

/** Renames a saved filter or gives it another query. */
export async function changeSavedFilter(ctx: AppContext, actor: Actor, id: string, input: { name?: string; query?: string }) {
  requirePermission(actor, "case.read");
  const changes = {
    ...(input.name === undefined ? {} : { name: nameOf(input.name) }),
    ...(input.query === undefined ? {} : { query: parseSavedQuery(input.query).text }),
  };
  return ctx.db.transaction().execute(async (trx) => {
    const current = await findSavedFilter(trx, actor.userId, id);
    if (!current) throw filterNotFound(id);
    if (changes.name !== undefined && changes.name !== current.name && (await findSavedFilterByName(trx, actor.userId, changes.name))) {
      throw nameTaken(changes.name);
    }
    const updated = await updateSavedFilter(trx, actor.userId, id, changes);
    if (!updated) throw filterNotFound(id);
    return { filter: present(updated) };
  });
}

/** Deletes a saved filter; deleting it again (a retry) is a 404 and changes nothing. */
export async function removeSavedFilter(ctx: AppContext, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, "case.read");
  if (!(await deleteSavedFilter(ctx.db, actor.userId, id))) throw filterNotFound(id);
}

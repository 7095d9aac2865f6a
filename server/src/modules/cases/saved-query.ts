import type { Static } from "typebox";
import { Type } from "typebox";
import { Value } from "typebox/value";
import { badRequest } from "../../errors.ts";
import { CaseListQuery } from "./case-queue.routes.ts";

/** What a saved filter may hold: the list query's filters, not its page (limit, cursor). */
const { limit: _limit, cursor: _cursor, ...filters } = CaseListQuery.properties;
export const SavedListQuery = Type.Object(filters, { additionalProperties: false });
export type SavedListQuery = Static<typeof SavedListQuery>;

export const MAX_SAVED_QUERY_LENGTH = 1000;

/**
 * A queue's URL query (`queue=centre&status=registered&q=井盖`) checked by the list query's own
 * schema, so that a saved filter always opens a list the API answers; written back in one form
 * (the parameters in the schema's order), so that the same view saved twice is the same text.
 */
export function parseSavedQuery(text: string): { query: SavedListQuery; text: string } {
  const invalid = (details: unknown) => badRequest("invalid_saved_query", "The query is not a filter of the case list", details);
  if (text.length > MAX_SAVED_QUERY_LENGTH) throw invalid([{ message: `At most ${MAX_SAVED_QUERY_LENGTH} characters` }]);
  const params = new URLSearchParams(text.startsWith("?") ? text.slice(1) : text);
  const fields: Record<string, string> = {};
  for (const [key, value] of params) {
    if (key in fields) throw invalid([{ path: `/${key}`, message: "Given more than once" }]);
    fields[key] = value;
  }
  const given = Object.entries(fields);
  if (!Value.Check(SavedListQuery, fields)) {
    throw invalid([...Value.Errors(SavedListQuery, fields)].slice(0, 10).map((error) => ({ path: error.instancePath, message: error.message })));
  }
  const order = Object.keys(SavedListQuery.properties);
  return { query: fields, text: new URLSearchParams(given.sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))).toString() };
}

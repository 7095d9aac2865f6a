import type { paths } from "../../api/schema";

export type BulkBody = NonNullable<paths["/api/v1/cases/bulk"]["post"]["requestBody"]>["content"]["application/json"];
export type BulkAction = BulkBody["action"];
export type BulkAnswer = paths["/api/v1/cases/bulk"]["post"]["responses"][200]["content"]["application/json"];
export type BulkRefusal = Extract<BulkAnswer["results"][number], { ok: false }>;

/** What the bulk bar needs of a selected case. */
export type Selected = { id: string; number: string; title: string; status: string; communityCode: string };

export const BULK_MAX = 1000;

const FINISHED = ["rejected", "closed", "evaluated", "merged"];

/**
 * The bulk actions worth offering for a selection: dispatch while a selected case is registered,
 * urge while one is open, reassign while one is dispatched or in progress, each to the roles that take it. Only an offer: the API checks every case
 * and answers each one, done or refused with its reason.
 */
export function bulkActionsFor(selected: readonly Selected[], roles: readonly string[]): BulkAction[] {
  const actions: BulkAction[] = [];
  if (roles.includes("dispatcher") && selected.some((c) => c.status === "registered")) actions.push("dispatch");
  if ((roles.includes("dispatcher") || roles.includes("leader")) && selected.some((c) => !FINISHED.includes(c.status))) actions.push("urge");
  if (roles.includes("dispatcher") && selected.some((c) => c.status === "dispatched" || c.status === "in_progress")) actions.push("reassign");
  return actions;
}

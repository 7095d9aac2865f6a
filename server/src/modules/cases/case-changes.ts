import type { Updateable } from "kysely";
import type { CaseRow, CaseTable } from "../../db/schema.ts";

/**
 * The columns of a case whose every change its event records (`case_events.changes`): its state in
 * the workflow, where and under what it counts, its deadlines and the moments indicators count by.
 * Replaying these from the events gives back the case as the rollups count it
 * (`case_counts_rebuild`). Text, contact details and answers stay out: the log is not a copy of the
 * reporter's words.
 */
export const RECORDED_COLUMNS = [
  "status",
  "level",
  "source",
  "category_code",
  "department_code",
  "urgency",
  "grid_code",
  "community_code",
  "street_code",
  "reporter_user_id",
  "assignment",
  "co_handlers",
  "return_request",
  "suspended_from",
  "suspended_at",
  "pending_extension_days",
  "extension_requested_by",
  "rework_count",
  "reopen_count",
  "extension_count",
  "satisfaction",
  "resolved",
  "merged_into",
  "accept_by",
  "dispatch_by",
  "feedback_by",
  "handle_by",
  "created_at",
  "registered_at",
  "dispatched_at",
  "acknowledged_at",
  "responded_on_time",
  "handled_at",
  "handled_by",
  "handling_minutes",
  "closed_at",
  "handled_on_spot",
  "spot_review",
  "evaluation_excluded",
] as const satisfies readonly (keyof CaseTable)[];

/** Columns written as JSON text and read back as values. */
const JSON_COLUMNS: ReadonlySet<string> = new Set(["assignment", "co_handlers", "return_request"]);

/** A column's value as JSON would hold it: dates as ISO strings, JSON columns parsed. */
function plain(column: string, value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (JSON_COLUMNS.has(column) && typeof value === "string") return JSON.parse(value);
  return value ?? null;
}

/** What `changes` changes on the case `before`, among the recorded columns: column → new value. */
export function recordedChanges(before: CaseRow, changes: Updateable<CaseTable>): Record<string, unknown> {
  const recorded: Record<string, unknown> = {};
  for (const column of RECORDED_COLUMNS) {
    if (!(column in changes)) continue;
    const next = plain(column, changes[column]);
    if (JSON.stringify(next) !== JSON.stringify(plain(column, before[column]))) recorded[column] = next;
  }
  return recorded;
}

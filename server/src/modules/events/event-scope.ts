import { codeRangeEnd } from "../cases/cases.repository.ts";
import type { LogEntry } from "./event-log.repository.ts";

export type ScopedEntry = Pick<LogEntry, "regionCode" | "streetCode" | "communityCode">;
export type ReadableEntry = ScopedEntry & Pick<LogEntry, "coDepartmentIds">;

/**
 * Whether an account reads the case of this entry: in its scope, or co-handled by its department.
 * The rule of `caseReadable` (cases.repository.ts), compared with it in events.test.ts.
 */
export function entryReadable(reader: { scopeCode: string | null; departmentId: string | null }, entry: ReadableEntry): boolean {
  if (entryInScope(reader.scopeCode, entry)) return true;
  return reader.departmentId !== null && entry.coDepartmentIds.includes(reader.departmentId);
}

/**
 * Whether a case with these codes lies in a staff scope, in memory: the rule of `caseInScope` /
 * `caseUnder` (cases.repository.ts, docs/decisions/0015) for entries already read, so that one read
 * of the log serves every stream. events.test.ts compares the two over generated cases.
 */
export function entryInScope(scopeCode: string | null, entry: ScopedEntry): boolean {
  if (scopeCode === null) return false;
  if (scopeCode.length < 6) return inRange(entry.regionCode, scopeCode);
  if (entry.regionCode !== scopeCode.slice(0, 6)) return false;
  if (scopeCode.length === 6) return true;
  if (scopeCode.length === 9) return entry.streetCode === scopeCode;
  if (scopeCode.length === 12) return entry.communityCode === scopeCode;
  return inRange(entry.communityCode, scopeCode);
}

/** `code >= prefix and code < codeRangeEnd(prefix)`: division codes are digits, compared as text. */
function inRange(code: string, prefix: string): boolean {
  const end = codeRangeEnd(prefix);
  return code >= prefix && (end === null || code < end);
}

import { apiQuery, readFilters } from "./filters";

/** A case's page opened from a list: the list's query rides along in `from`, so that a reload keeps it. */
export const caseLink = (id: string, listQuery: string) => `/console/cases/${id}${listQuery ? `?from=${encodeURIComponent(listQuery)}` : "?from="}`;

/** The queue a case page was opened from, for the link back. */
export const listLink = (listQuery: string) => `/console/cases${listQuery ? `?${listQuery}` : ""}`;

/** The list query of `from` as the API takes it; values the queue would drop are dropped here too. */
export const walkQuery = (listQuery: string) => apiQuery(readFilters(new URLSearchParams(listQuery)));

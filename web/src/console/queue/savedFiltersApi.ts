import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";

export type SavedFilter = paths["/api/v1/saved-filters"]["get"]["responses"][200]["content"]["application/json"]["filters"][number];

export const savedFilterKey = ["saved-filters"] as const;

export function useSavedFilters() {
  return useQuery({ queryKey: savedFilterKey, queryFn: () => unwrap(api.GET("/api/v1/saved-filters")), select: (answer) => answer.filters, staleTime: 60_000 });
}

export const saveFilter = (name: string, query: string) => unwrap(api.POST("/api/v1/saved-filters", { body: { name, query } }));
export const renameFilter = (id: string, name: string) => unwrap(api.PATCH("/api/v1/saved-filters/{id}", { params: { path: { id } }, body: { name } }));
export const deleteFilter = (id: string) => unwrap(api.DELETE("/api/v1/saved-filters/{id}", { params: { path: { id } } }));

/** The queue page's address for a saved query: what a shared link opens. */
export const queueUrl = (query: string) => `/console/cases${query ? `?${query}` : ""}`;

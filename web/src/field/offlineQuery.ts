import { useQuery } from "@tanstack/react-query";
import { ApiError } from "../api/client";
import { readCache, writeCache } from "./outbox/idb-store";

export type Cached<T> = { data: T; cachedAt: string | null };

/**
 * A read the worker also needs offline (tasks, a case, the categories): each answer is copied to
 * IndexedDB; without network the copy is shown with its time. Errors the server answered are not hidden.
 */
export function useOfflineQuery<T>(key: readonly unknown[], fetcher: () => Promise<T>, options: { enabled?: boolean } = {}) {
  const cacheKey = JSON.stringify(key);
  return useQuery<Cached<T>>({
    queryKey: ["field", ...key],
    enabled: options.enabled,
    networkMode: "always",
    retry: false,
    queryFn: async () => {
      try {
        const data = await fetcher();
        void writeCache(cacheKey, { data, cachedAt: new Date().toISOString() });
        return { data, cachedAt: null };
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 0) throw error;
        const copy = await readCache<{ data: T; cachedAt: string }>(cacheKey);
        if (!copy) throw error;
        return copy;
      }
    },
  });
}

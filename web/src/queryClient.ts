import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { ApiError } from "./api/client";

export const ME_QUERY_KEY = ["auth", "me"] as const;

function isUnauthenticated(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      // A session that ends while the map is open (expired, signed out elsewhere) leads back to sign-in.
      onError: (error, query) => {
        if (isUnauthenticated(error) && query.queryKey[0] !== ME_QUERY_KEY[0]) {
          client.setQueryData(ME_QUERY_KEY, null);
        }
        // An administrator reset the password meanwhile: the console then shows the password page only.
        if (error instanceof ApiError && error.code === "password_change_required") {
          void client.invalidateQueries({ queryKey: ME_QUERY_KEY });
        }
      },
    }),
    // A write refused for want of a session leads back to sign-in too; the page's draft survives it.
    mutationCache: new MutationCache({
      onError: (error) => {
        if (isUnauthenticated(error)) client.setQueryData(ME_QUERY_KEY, null);
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 5 * 60_000,
        refetchOnWindowFocus: false,
        retry: (failureCount, error) => {
          if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
          return failureCount < 2;
        },
      },
    },
  });
  return client;
}

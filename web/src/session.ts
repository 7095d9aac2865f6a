import { useQueryClient } from "@tanstack/react-query";
import type { Me } from "./api/client";
import { ME_QUERY_KEY } from "./queryClient";

/** The signed-in user; pages under the router are shown only once `/auth/me` answered with one. */
export function useMe(): Me {
  const me = useQueryClient().getQueryData<Me | null>(ME_QUERY_KEY);
  if (!me) throw new Error("useMe is used outside a signed-in session");
  return me;
}

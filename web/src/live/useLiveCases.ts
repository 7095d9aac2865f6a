import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { subscribeLiveEvents } from "./shared-connection";

/**
 * Keeps the case queries fresh while the console is open: on a case event it invalidates the case
 * lists, that case's detail, the dashboards and the map's points; on a reset, every case query. Call it once, in the
 * console's shell.
 */
export function useLiveCases(): void {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      subscribeLiveEvents((event) => {
        if (event.type === "reset") {
          void queryClient.invalidateQueries({ queryKey: ["cases"] });
          return;
        }
        void queryClient.invalidateQueries({ queryKey: ["cases", "list"] });
        void queryClient.invalidateQueries({ queryKey: ["cases", "detail", event.caseId] });
        void queryClient.invalidateQueries({ queryKey: ["cases", "stats"] });
        // A map's points: a refetch under way is let finish (an ETag makes an unchanged answer a 304).
        void queryClient.invalidateQueries({ queryKey: ["cases", "points"] }, { cancelRefetch: false });
      }),
    [queryClient],
  );
}

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { api, unwrap } from "../../api/client";
import type { paths } from "../../api/schema";
import { subscribeLiveEvents } from "../../live";

type Json<Op> = Op extends { responses: { 200: { content: { "application/json": infer Body } } } } ? Body : never;

export type NotificationPage = Json<paths["/api/v1/notifications"]["get"]>;
export type Notification = NotificationPage["notifications"][number];
export type NotificationKind = Notification["kind"];

export const notificationKeys = { mine: ["notifications", "mine"] as const };

/** Live case events of these actions may have made a notification for someone. */
const NOTIFYING = new Set(["dispatch", "escalate", "urge", "return", "verify_fail"]);
/** A safety net for a lost stream; live events refresh sooner. */
const POLL_MS = 60_000;
/** The server derives a notification moments after its event: read again once more after this. */
const SETTLE_MS = 1_500;

/** My latest notifications and how many are unread, fresh on every live event that may concern me. */
export function useMyNotifications() {
  const queryClient = useQueryClient();
  useEffect(() => {
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const refresh = () => void queryClient.invalidateQueries({ queryKey: notificationKeys.mine });
    const unsubscribe = subscribeLiveEvents((event) => {
      if (event.type !== "reset" && !NOTIFYING.has(event.action)) return;
      refresh();
      const timer = setTimeout(() => {
        timers.delete(timer);
        refresh();
      }, SETTLE_MS);
      timers.add(timer);
    });
    return () => {
      unsubscribe();
      for (const timer of timers) clearTimeout(timer);
    };
  }, [queryClient]);
  return useQuery({
    queryKey: notificationKeys.mine,
    queryFn: () => unwrap(api.GET("/api/v1/notifications", { params: { query: { limit: 30 } } })),
    refetchInterval: POLL_MS,
  });
}

export const markRead = (id: string) => unwrap(api.POST("/api/v1/notifications/{id}/read", { params: { path: { id } } }));
export const markAllRead = () => unwrap(api.POST("/api/v1/notifications/read-all"));

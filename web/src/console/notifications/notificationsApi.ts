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

/** My latest notifications and how many are unread, fresh on every live event that may concern me. */
export function useMyNotifications() {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      subscribeLiveEvents((event) => {
        if (event.type === "reset" || NOTIFYING.has(event.action)) void queryClient.invalidateQueries({ queryKey: notificationKeys.mine });
      }),
    [queryClient],
  );
  return useQuery({
    queryKey: notificationKeys.mine,
    queryFn: () => unwrap(api.GET("/api/v1/notifications", { params: { query: { limit: 30 } } })),
    refetchInterval: POLL_MS,
  });
}

export const markRead = (id: string) => unwrap(api.POST("/api/v1/notifications/{id}/read", { params: { path: { id } } }));
export const markAllRead = () => unwrap(api.POST("/api/v1/notifications/read-all"));

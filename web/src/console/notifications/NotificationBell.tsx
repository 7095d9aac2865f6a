import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, Badge, Button, Empty, Popover, Spin, Tag, Typography } from "antd";
import { BellOutlined } from "@ant-design/icons";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { addMessages } from "../../i18n";
import { formatDateTime, relativeTime } from "../queue/format";
import messages from "./messages";
import { markAllRead, markRead, notificationKeys, useMyNotifications, type Notification, type NotificationKind } from "./notificationsApi";
import "./notifications.css";

addMessages("notifications", messages);

const KIND_COLOURS: Record<NotificationKind, string> = {
  task: "blue",
  escalated: "purple",
  urged: "orange",
  near_due: "gold",
  overdue: "red",
  returned: "magenta",
  rework: "volcano",
  webhook_disabled: "default",
};

/**
 * The bell in the console's header: the unread count, and a list of my latest notifications
 * (kind, case number, title, when); a click opens the case and marks the notification read.
 * Refreshed by the live case events that may concern me.
 */
export function NotificationBell() {
  const { t, i18n } = useTranslation("notifications");
  const [open, setOpen] = useState(false);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const notifications = useMyNotifications();
  const refresh = () => queryClient.invalidateQueries({ queryKey: notificationKeys.mine });
  const readOne = useMutation({ mutationFn: markRead, onSettled: refresh });
  const readAll = useMutation({ mutationFn: markAllRead, onSettled: refresh });
  const unread = notifications.data?.unreadCount ?? 0;

  const openCase = (notification: Notification) => {
    if (!notification.read) readOne.mutate(notification.id);
    setOpen(false);
    void navigate(notification.kind === "webhook_disabled" ? "/console/webhooks" : `/console/cases/${notification.caseId}`);
  };

  const now = Date.now();
  const content = (
    <div className="notification-list" aria-label={t("list.title")}>
      <div className="notification-list__header">
        <Typography.Text strong>{t("list.title")}</Typography.Text>
        <Button size="small" type="link" disabled={unread === 0} loading={readAll.isPending} onClick={() => readAll.mutate()}>
          {t("list.markAll")}
        </Button>
      </div>
      {notifications.isPending ? (
        <div className="notification-list__state">
          <Spin />
        </div>
      ) : notifications.isError ? (
        <Alert type="error" showIcon title={t("list.failed")} action={<Button size="small" onClick={() => void notifications.refetch()}>{t("list.retry")}</Button>} />
      ) : notifications.data.notifications.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t("list.empty")} />
      ) : (
        // A plain list: Ant Design's List would bring its pagination into every console page's first load.
        <ul className="notification-list__items">
          {notifications.data.notifications.map((notification) => (
            <li key={notification.id} className={notification.read ? "notification-item" : "notification-item notification-item--unread"}>
              <button type="button" className="notification-item__button" onClick={() => openCase(notification)}>
                <span className="notification-item__top">
                  <Tag color={KIND_COLOURS[notification.kind]}>{t(`kind.${notification.kind}`)}</Tag>
                  <span className="notification-item__number">{notification.caseNumber}</span>
                  {notification.read ? null : <span className="notification-item__dot" aria-label={t("list.unread")} role="img" />}
                </span>
                <span className="notification-item__title">{notification.title}</span>
                <span className="notification-item__time">
                  {relativeTime(notification.at, now, i18n.language) ?? t("time.justNow")} · {formatDateTime(notification.at)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );

  return (
    <Popover content={content} trigger="click" placement="bottomRight" open={open} onOpenChange={setOpen} arrow={false}>
      <Button
        type="text"
        className="app-header__bell"
        aria-label={unread > 0 ? t("bell.labelUnread", { count: unread }) : t("bell.label")}
        aria-haspopup="dialog"
        aria-expanded={open}
        icon={
          <Badge count={unread} size="small" overflowCount={99}>
            <BellOutlined className="app-header__bell-icon" aria-hidden="true" />
          </Badge>
        }
      />
    </Popover>
  );
}

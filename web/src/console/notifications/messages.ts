import type { Messages } from "../../i18n/languages";

// The bell in the console's header: my notifications.
const zhCN = {
  "bell.label": "消息通知",
  "bell.labelUnread": "消息通知，{count} 条未读",
  "list.title": "消息通知",
  "list.markAll": "全部已读",
  "list.empty": "暂无通知",
  "list.failed": "通知加载失败，请稍后重试",
  "list.retry": "重试",
  "list.unread": "未读",
  "list.more": "更多通知请在处理完当前通知后查看",
  "kind.task": "新任务",
  "kind.escalated": "上报",
  "kind.urged": "督办",
  "kind.near_due": "即将到期",
  "kind.overdue": "已超期",
  "kind.returned": "退回",
  "kind.rework": "返工",
  "kind.webhook_disabled": "推送已停用",
  "time.justNow": "刚刚",
};

const en: Record<keyof typeof zhCN, string> = {
  "bell.label": "Notifications",
  "bell.labelUnread": "Notifications, {count} unread",
  "list.title": "Notifications",
  "list.markAll": "Mark all read",
  "list.empty": "No notifications",
  "list.failed": "Notifications could not be loaded; try again shortly",
  "list.retry": "Retry",
  "list.unread": "Unread",
  "list.more": "Older notifications show once these are dealt with",
  "kind.task": "New task",
  "kind.escalated": "Escalated",
  "kind.urged": "Urged",
  "kind.near_due": "Near due",
  "kind.overdue": "Overdue",
  "kind.returned": "Returned",
  "kind.rework": "Rework",
  "kind.webhook_disabled": "Webhook disabled",
  "time.justNow": "just now",
};

const messages: Messages<typeof zhCN> = { "zh-CN": zhCN, en };
export default messages;

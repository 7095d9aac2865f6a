import type { Messages } from "../../i18n/languages";

// The map of cases: every open case in scope on the grids.
const zhCN = {
  "page.title": "案件地图",
  "filters.label": "地图筛选条件",
  "filters.deadline": "时限",
  "filters.deadlineAll": "全部",
  "points.loading": "正在加载案件…",
  "points.error": "案件点位加载失败，请检查网络后重试。",
  "points.retry": "重试",
  "points.truncated": "案件太多，地图只显示了最新的 {count} 件，请缩小筛选范围。",
  "points.count": "{count} 件在办案件",
  "points.noCaseRead": "您的账号不能查看案件，地图只显示网格。",
  "legend.lights": "时限灯",
  "legend.on_time": "按期",
  "legend.near_due": "临期",
  "legend.overdue": "超期",
  "legend.suspended": "缓办",
  "legend.cluster": "圆圈中的数字为该处案件数，外环为各时限灯的比例；点击圆圈放大。",
  "popup.open": "打开案件",
  "popup.loading": "正在读取案件…",
  "popup.error": "案件读取失败，请点击“打开案件”查看。",
  "popup.status": "状态",
  "popup.spotError": "此处的案件读取失败，请重试。",
  "popup.gone": "此处的案件已不在地图上（已办结或已改动），地图将自动刷新。",
  "popup.cases": "此处有 {count} 件案件",
  "tiles.attribution": "底图",
};

const en: Record<keyof typeof zhCN, string> = {
  "page.title": "Case map",
  "filters.label": "Map filters",
  "filters.deadline": "Deadline",
  "filters.deadlineAll": "All",
  "points.loading": "Loading cases…",
  "points.error": "The cases could not be loaded. Check the network and try again.",
  "points.retry": "Retry",
  "points.truncated": "Too many cases: the map shows only the newest {count}. Narrow the filters.",
  "points.count": "{count} open cases",
  "points.noCaseRead": "Your account cannot view cases: the map shows the grids only.",
  "legend.lights": "Deadline lights",
  "legend.on_time": "On time",
  "legend.near_due": "Near due",
  "legend.overdue": "Overdue",
  "legend.suspended": "Suspended",
  "legend.cluster": "A circle's number counts the cases there; its ring shows the share of each light. Click a circle to zoom in.",
  "popup.open": "Open case",
  "popup.loading": "Reading the case…",
  "popup.error": "The case could not be read: open it to see it.",
  "popup.status": "Status",
  "popup.spotError": "The cases here could not be read. Try again.",
  "popup.gone": "The case here is no longer on the map (finished or changed); the map refreshes by itself.",
  "popup.cases": "Cases at this spot: {count}",
  "tiles.attribution": "Base map",
};

const messages: Messages<typeof zhCN> = { "zh-CN": zhCN, en };
export default messages;

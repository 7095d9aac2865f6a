import type { Messages } from "../../i18n";

const zhCN = { "page.title": "热线受理" };
const en: Record<keyof typeof zhCN, string> = { "page.title": "Hotline intake" };

const messages: Messages<typeof zhCN> = { "zh-CN": zhCN, en };
export default messages;

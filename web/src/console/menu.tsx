import type { ReactNode } from "react";
import { ApiOutlined, DashboardOutlined, EnvironmentOutlined, ImportOutlined, MessageOutlined, PhoneOutlined, SendOutlined, SettingOutlined, SwapOutlined, UnorderedListOutlined } from "@ant-design/icons";
import { allowedSections } from "./admin/access";
import type { Me } from "../api/client";
import type { Resources } from "../i18n/resources";

export type ConsoleKey = keyof Resources["console"];

/**
 * An entry of the console's side menu. `allowed` only hides what the user cannot use: the API
 * refuses it anyway, whatever the menu shows.
 */
export type MenuEntry = {
  key: string;
  path: string;
  label: ConsoleKey;
  icon: ReactNode;
  allowed: (me: Me) => boolean;
};

const can = (permission: string) => (me: Me) => me.permissions.includes(permission);
const holds = (...roles: string[]) => (me: Me) => roles.some((role) => me.roles.includes(role));

/** The side menu, in order; a new console page adds its entry here. */
export const MENU: MenuEntry[] = [
  { key: "intake", path: "/console/intake", label: "nav.intake", icon: <PhoneOutlined />, allowed: holds("seat_operator") },
  { key: "cases", path: "/console/cases", label: "nav.cases", icon: <UnorderedListOutlined />, allowed: can("case.read") },
  { key: "dashboard", path: "/console/dashboard", label: "nav.dashboard", icon: <DashboardOutlined />, allowed: can("indicator.read") },
  { key: "map", path: "/console/map", label: "nav.map", icon: <EnvironmentOutlined />, allowed: can("grid.read") },
  { key: "admin", path: "/console/admin", label: "nav.admin", icon: <SettingOutlined />, allowed: (me) => allowedSections(me).length > 0 },
  // Response templates are the district's: its administrators keep them.
  { key: "hotline-exchange", path: "/console/exchange/hotline", label: "nav.hotlineExchange", icon: <SwapOutlined />, allowed: can("exchange.write") },
  { key: "reference-imports", path: "/console/exchange/imports", label: "nav.referenceImports", icon: <ImportOutlined />, allowed: (me) => ["user.write", "department.write", "grid.write"].some((permission) => can(permission)(me)) },
  { key: "templates", path: "/console/admin/templates", label: "nav.templates", icon: <MessageOutlined />, allowed: (me) => can("category.write")(me) && me.scope?.code.length === 6 },
  { key: "api-keys", path: "/console/api-keys", label: "nav.apiKeys", icon: <ApiOutlined />, allowed: (me) => can("api_key.write")(me) || can("api_key.admin")(me) },
  { key: "webhooks", path: "/console/webhooks", label: "nav.webhooks", icon: <SendOutlined />, allowed: can("webhook.write") },
];

/** The menu entries the user may use. */
export const menuFor = (me: Me, entries: readonly MenuEntry[] = MENU): MenuEntry[] => entries.filter((entry) => entry.allowed(me));

/** The menu entry a console path belongs to: the one whose path is the longest prefix of it. */
export function entryOf(pathname: string, entries: readonly MenuEntry[]): MenuEntry | undefined {
  return entries
    .filter((entry) => pathname === entry.path || pathname.startsWith(`${entry.path}/`))
    .sort((a, b) => b.path.length - a.path.length)[0];
}

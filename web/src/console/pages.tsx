import type { ComponentType } from "react";
import type { RouteObject } from "react-router";
import type { ConsoleKey } from "./menu";

/** A console page: its path under /console, its title (a page may set a more precise one), its chunk. */
export type ConsolePage = {
  path: string;
  title?: ConsoleKey;
  load: () => Promise<{ default: ComponentType }>;
};

/** The console's pages; a new page adds one line here (and, if it belongs in the menu, an entry in menu.tsx). */
export const CONSOLE_PAGES: ConsolePage[] = [
  { path: "cases", title: "nav.cases", load: () => import("./queue/CasesPage") },
  { path: "cases/:id", title: "nav.caseDetail", load: () => import("./cases/CaseDetailPage") },
  { path: "intake", title: "nav.intake", load: () => import("./intake/IntakePage") },
  { path: "map", title: "nav.map", load: () => import("./map/CaseMapPage") },
  { path: "dashboard", title: "nav.dashboard", load: () => import("./dashboard/DashboardPage") },
  { path: "password", title: "nav.password", load: () => import("./PasswordPage") },
  { path: "admin", title: "nav.admin", load: () => import("./admin/AdminPage") },
  { path: "admin/:section", title: "nav.admin", load: () => import("./admin/AdminPage") },
  { path: "admin/templates", title: "nav.templates", load: () => import("./templates/TemplatesAdminPage") },
  { path: "api-keys", title: "nav.apiKeys", load: () => import("./apikeys/ApiKeysPage") },
  { path: "exchange/hotline", title: "nav.hotlineExchange", load: () => import("./exchange/HotlineExchangePage") },
  { path: "exchange/imports", title: "nav.referenceImports", load: () => import("./exchange/ReferenceImportsPage") },
  { path: "webhooks", title: "nav.webhooks", load: () => import("./webhooks/WebhooksPage") },
];

export type PageHandle = { title?: ConsoleKey };

/** Every page is its own chunk, loaded when its URL is first visited. */
export const consoleRoutes = (pages: readonly ConsolePage[] = CONSOLE_PAGES): RouteObject[] =>
  pages.map(({ path, title, load }) => ({
    path,
    handle: { title } satisfies PageHandle,
    lazy: async () => ({ Component: (await load()).default }),
  }));

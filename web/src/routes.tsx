import { createBrowserRouter, matchRoutes, Navigate, type RouteObject } from "react-router";
import { useTranslation } from "react-i18next";
import { FullPageSpin } from "./components/FullPageSpin";
import { RouteError } from "./components/RouteError";
import { homePath } from "./console/home";
import { consoleRoutes } from "./console/pages";
import { NotFoundPage } from "./pages/NotFoundPage";
import { useMe } from "./session";

/** `/` and `/console` lead to the page that fits the user's roles. */
function Home() {
  return <Navigate to={homePath(useMe())} replace />;
}

/** While the shell's and the page's chunks load: the session is known by then. */
function FirstLoad() {
  const { t } = useTranslation();
  return <FullPageSpin tip={t("page.opening")} />;
}

export const routes: RouteObject[] = [
  {
    path: "/",
    HydrateFallback: FirstLoad,
    ErrorBoundary: RouteError,
    children: [
      { index: true, Component: Home },
      {
        path: "console",
        // The shell is a chunk of its own, so that the sign-in page carries none of it.
        lazy: async () => ({ Component: (await import("./console/ConsoleLayout")).ConsoleLayout }),
        children: [
          {
            // A page that fails shows its error inside the shell, menu and header still there.
            ErrorBoundary: RouteError,
            children: [{ index: true, Component: Home }, ...consoleRoutes(), { path: "*", Component: NotFoundPage }],
          },
        ],
      },
      { path: "*", Component: NotFoundPage },
    ],
  },
];

export const createRouter = () => createBrowserRouter(routes);

/**
 * Starts loading the chunks of the page at `pathname` (the shell's and the page's own) at once,
 * while the session is still being asked for: the router would ask for them only after it, and a
 * deep link would wait for both one after the other. The router's own loads then find them loaded.
 */
export function preloadRoute(pathname: string): void {
  for (const { route } of matchRoutes(routes, pathname) ?? []) {
    if (typeof route.lazy === "function") void route.lazy().catch(() => undefined);
  }
}

import type { ComponentType } from "react";
import { createBrowserRouter, Navigate, type RouteObject } from "react-router";
import { NotFoundPage } from "./pages/NotFoundPage";

// Every page is its own chunk, loaded when its URL is first visited.
const page = (load: () => Promise<{ default: ComponentType }>): Pick<RouteObject, "lazy"> => ({
  lazy: async () => ({ Component: (await load()).default }),
});

export const routes: RouteObject[] = [
  { path: "/", element: <Navigate to="/console/map" replace /> },
  {
    path: "/console",
    children: [
      { index: true, element: <Navigate to="/console/map" replace /> },
      { path: "map", ...page(() => import("./pages/MapPage")) },
      { path: "cases/:id", ...page(() => import("./console/cases/CaseDetailPage")) },
      { path: "intake", ...page(() => import("./console/intake/IntakePage")) },
    ],
  },
  { path: "*", element: <NotFoundPage /> },
];

export const createRouter = () => createBrowserRouter(routes);

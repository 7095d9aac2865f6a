import { useState } from "react";
import { createBrowserRouter, Navigate, Outlet, RouterProvider, type RouteObject } from "react-router";
import { Spin } from "antd";
import { useTranslation } from "react-i18next";
import { LanguageSwitch } from "../components/LanguageSwitch";
import { NotFoundPage } from "../pages/NotFoundPage";
import "./resident.css";

/** The residents' portal's frame: its name and the language switch, the page below; no sign-in. */
function ResidentLayout() {
  const { t } = useTranslation();
  return (
    <div className="resident-shell">
      <header className="resident-shell__header">
        <span className="resident-shell__brand">{t("app.title")}</span>
        <LanguageSwitch inverted />
      </header>
      <Outlet />
    </div>
  );
}

function Loading() {
  return (
    <div className="full-page-center" role="status">
      <Spin size="large" />
    </div>
  );
}

/** `/resident/…`: each page a chunk of its own, and none of the console's code. */
export const residentRoutes: RouteObject[] = [
  {
    path: "/resident",
    Component: ResidentLayout,
    HydrateFallback: Loading,
    children: [
      { index: true, element: <Navigate to="track" replace /> },
      { path: "track", lazy: async () => ({ Component: (await import("./track/TrackPage")).default }) },
      { path: "*", Component: NotFoundPage },
    ],
  },
];

export default function ResidentApp() {
  const [router] = useState(() => createBrowserRouter(residentRoutes));
  return <RouterProvider router={router} />;
}

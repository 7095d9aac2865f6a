import { useState } from "react";
import { createBrowserRouter, Link, Outlet, RouterProvider, type RouteObject } from "react-router";
import { useTranslation } from "react-i18next";
import { addMessages } from "../i18n";
import { MobileShell } from "../mobile/MobileShell";
import HomePage from "./HomePage";
import messages from "./messages";
import "./resident.css";

addMessages("residentPortal", messages);

/** The residents' portal's frame: its name (a way home) and the language switch, the page below; no sign-in. */
function ResidentLayout() {
  const { t } = useTranslation("residentPortal");
  return (
    <MobileShell
      title={
        <Link to="/resident" className="r-brand">
          {t("brand")}
        </Link>
      }
    >
      <Outlet />
    </MobileShell>
  );
}

function Loading() {
  const { t } = useTranslation();
  return (
    <p className="r-status" role="status">
      {t("session.checking")}
    </p>
  );
}

function NotFound() {
  const { t } = useTranslation();
  return (
    <div className="m-card">
      <h1 className="r-page__title">{t("notFound.title")}</h1>
      <p>{t("notFound.hint")}</p>
      <Link to="/resident" className="m-button m-button--block">
        {t("notFound.home")}
      </Link>
    </div>
  );
}

function RouteFailed() {
  const { t } = useTranslation();
  return (
    <div className="m-notice m-notice--error" role="alert">
      <strong>{t("routeError.title")}</strong>
      <p>{t("routeError.hint")}</p>
      <button type="button" className="m-button" onClick={() => window.location.reload()}>
        {t("routeError.reload")}
      </button>
    </div>
  );
}

/** `/resident/…`: the home page in the entry, every other page a chunk of its own, none of the console's code. */
export const residentRoutes: RouteObject[] = [
  {
    path: "/resident",
    Component: ResidentLayout,
    HydrateFallback: Loading,
    ErrorBoundary: RouteFailed,
    children: [
      { index: true, Component: HomePage },
      { path: "report", lazy: async () => ({ Component: (await import("./report/ReportPage")).default }) },
      { path: "track", lazy: async () => ({ Component: (await import("./track/TrackPage")).default }) },
      { path: "mine", lazy: async () => ({ Component: (await import("./mine/MyReportsPage")).default }) },
      { path: "privacy", lazy: async () => ({ Component: (await import("./privacy/PrivacyPage")).default }) },
      { path: "*", Component: NotFound },
    ],
  },
];

export default function ResidentApp() {
  const [router] = useState(() => createBrowserRouter(residentRoutes));
  return <RouterProvider router={router} />;
}

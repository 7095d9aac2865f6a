import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Breadcrumb, Button, Layout, Menu, Spin, Tooltip, Typography } from "antd";
import {
  EnvironmentOutlined,
  KeyOutlined,
  LogoutOutlined,
  MenuFoldOutlined,
  MenuUnfoldOutlined,
  UserOutlined,
} from "@ant-design/icons";
import { useTranslation } from "react-i18next";
import { Link, Navigate, Outlet, useLocation, useMatches, useNavigation } from "react-router";
import { logout } from "../api/client";
import { LanguageSwitch } from "../components/LanguageSwitch";
import { useLiveCases } from "../live";
import { ME_QUERY_KEY } from "../queryClient";
import { useMe } from "../session";
import { homePath } from "./home";
import { entryOf, menuFor } from "./menu";
import "./messages";
import type { PageHandle } from "./pages";
import { PageTitleContext } from "./page-title";

// The bell (a popover, badges, tags) loads after the page it sits over, outside the first load.
const NotificationBell = lazy(() => import("./notifications/NotificationBell").then((module) => ({ default: module.NotificationBell })));

/** True once the browser has had an idle moment (at most two seconds on): for what a page's first screen can do without. */
function useIdle(): boolean {
  const [idle, setIdle] = useState(false);
  useEffect(() => {
    if (typeof requestIdleCallback !== "function") {
      const timer = window.setTimeout(() => setIdle(true), 500);
      return () => window.clearTimeout(timer);
    }
    const callback = requestIdleCallback(() => setIdle(true), { timeout: 2000 });
    return () => cancelIdleCallback(callback);
  }, []);
  return idle;
}

const PASSWORD_PATH = "/console/password";
const COLLAPSED_KEY = "gridgov.menuCollapsed";

function readCollapsed(): boolean {
  try {
    return window.localStorage.getItem(COLLAPSED_KEY) === "1";
  } catch {
    return false;
  }
}

/**
 * Below Ant Design's `lg` breakpoint (a tablet, a phone) the open menu would take half the page: it
 * starts folded to its icons there, and opening it there is not remembered for wider screens.
 */
const NARROW_BREAKPOINT = "lg";
const NARROW_QUERY = "(max-width: 991.98px)";
const isNarrow = () => typeof window.matchMedia === "function" && window.matchMedia(NARROW_QUERY).matches;

/**
 * The console around every page: the side menu of what the user's roles allow, the header with the
 * user, scope, language and sign-out, the page's title in the breadcrumb and the document title, a
 * spinner while a page's chunk loads. An account that must change its password sees only that page.
 */
export function ConsoleLayout() {
  const me = useMe();
  // Queues and open cases follow the case events of the user's scope, in every console page.
  useLiveCases();
  // The bell and its reads wait until the page's first screen is up.
  const idle = useIdle();
  const { t } = useTranslation("console");
  const location = useLocation();
  const navigation = useNavigation();
  const matches = useMatches();
  const queryClient = useQueryClient();
  const [narrow, setNarrow] = useState(isNarrow);
  const [collapsed, setCollapsed] = useState(() => narrow || readCollapsed());
  const [pageTitle, setPageTitle] = useState<string | null>(null);
  // Live updates of the queues and open cases start here, once per console: useLiveCases().

  const forced = me.passwordChangeRequired;
  const menu = useMemo(() => (forced ? [] : menuFor(me)), [me, forced]);
  const entry = entryOf(location.pathname, menu);
  const handleTitle = [...matches].reverse().find((match) => (match.handle as PageHandle | undefined)?.title)?.handle as PageHandle | undefined;
  const routeTitle = handleTitle?.title ? t(handleTitle.title) : t("nav.notFound");
  const title = pageTitle ?? routeTitle;

  useEffect(() => {
    document.title = `${title} · ${t("app.shortName", { ns: "common" })}`;
  }, [title, t]);

  const signOut = useMutation({
    mutationFn: logout,
    onSettled: () => {
      // The next person to sign in starts from their own home page, not this user's last page.
      window.history.replaceState(null, "", "/");
      queryClient.setQueryData(ME_QUERY_KEY, null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== ME_QUERY_KEY[0] });
    },
  });

  if (forced && location.pathname !== PASSWORD_PATH) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`${PASSWORD_PATH}?next=${encodeURIComponent(next)}`} replace />;
  }

  const toggle = () => {
    setCollapsed((value) => {
      try {
        if (!narrow) window.localStorage.setItem(COLLAPSED_KEY, value ? "0" : "1");
      } catch {
        // The choice then lasts for this page only.
      }
      return !value;
    });
  };
  const onBreakpoint = (broken: boolean) => {
    setNarrow(broken);
    setCollapsed(broken || readCollapsed());
  };

  const crumbs = [
    { key: "home", title: <Link to={homePath(me)}>{t("shell.console")}</Link> },
    // The menu entry the page sits under, unless it is the page itself (by path or by name).
    ...(entry && entry.path !== location.pathname && t(entry.label) !== title
      ? [{ key: entry.key, title: <Link to={entry.path}>{t(entry.label)}</Link> }]
      : []),
    { key: "page", title },
  ];

  return (
    <Layout className="console">
      <Layout.Header className="app-header">
        <div className="app-header__brand">
          {menu.length > 0 ? (
            <Tooltip title={collapsed ? t("shell.expand") : t("shell.collapse")}>
              <Button
                type="text"
                className="app-header__toggle"
                aria-label={collapsed ? t("shell.expand") : t("shell.collapse")}
                aria-expanded={!collapsed}
                aria-controls="console-menu"
                icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />}
                onClick={toggle}
              />
            </Tooltip>
          ) : null}
          <Link to={homePath(me)} className="app-header__home" aria-label={t("shell.console")}>
            <div className="app-header__logo" aria-hidden="true" />
          </Link>
          <div className="app-header__titles">
            <Typography.Title level={1} className="app-header__title">
              {t("app.title", { ns: "common" })}
            </Typography.Title>
            <span className="app-header__product">gridgov</span>
          </div>
        </div>
        <div className="app-header__actions">
          <div className="app-header__user" aria-label={t("header.user", { ns: "common" })}>
            <UserOutlined aria-hidden="true" />
            <span className="app-header__user-name">{me.displayName}</span>
            <span className="app-header__divider" aria-hidden="true">
              |
            </span>
            <EnvironmentOutlined aria-hidden="true" />
            <span className="app-header__scope">{me.scope ? me.scope.name : t("header.noScope", { ns: "common" })}</span>
          </div>
          {forced || !me.permissions.includes("case.read") || !idle ? null : (
            <Suspense fallback={null}>
              <NotificationBell />
            </Suspense>
          )}
          {forced ? null : (
            <Link to={PASSWORD_PATH} className="app-header__link">
              <KeyOutlined aria-hidden="true" /> {t("shell.changePassword")}
            </Link>
          )}
          <LanguageSwitch inverted />
          <Button
            className="app-header__sign-out"
            icon={<LogoutOutlined aria-hidden="true" />}
            loading={signOut.isPending}
            onClick={() => signOut.mutate()}
          >
            {t("header.signOut", { ns: "common" })}
          </Button>
        </div>
      </Layout.Header>
      <Layout hasSider={menu.length > 0}>
        {menu.length > 0 ? (
          <Layout.Sider
            className="console__sider"
            theme="light"
            width={200}
            collapsedWidth={56}
            collapsible
            collapsed={collapsed}
            breakpoint={NARROW_BREAKPOINT}
            onBreakpoint={onBreakpoint}
            trigger={null}
          >
            <nav aria-label={t("shell.menu")} id="console-menu">
              <Menu
                mode="inline"
                selectedKeys={entry ? [entry.key] : []}
                inlineCollapsed={collapsed}
                items={menu.map((item) => ({
                  key: item.key,
                  icon: item.icon,
                  label: <Link to={item.path}>{t(item.label)}</Link>,
                }))}
              />
            </nav>
          </Layout.Sider>
        ) : null}
        <Layout.Content className="console__content">
          <Breadcrumb className="console__breadcrumb" items={crumbs} />
          <div className="console__page" aria-busy={navigation.state === "loading"}>
            <PageTitleContext.Provider value={setPageTitle}>
              <Outlet />
            </PageTitleContext.Provider>
            {navigation.state === "loading" ? (
              <div className="console__loading" role="status" aria-live="polite">
                <Spin />
                <span className="full-page-center__tip">{t("shell.loadingPage")}</span>
              </div>
            ) : null}
          </div>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

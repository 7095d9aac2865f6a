import { useEffect, useState, type FormEvent } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { ApiError, fetchMe, login, logout, type Me } from "../api/client";
import { MobileShell } from "../mobile/MobileShell";
import { clearDevice, readCache, writeCache } from "./outbox/idb-store";
import { outbox, useOnline, useOutbox } from "./fieldState";
import { navigate, usePath } from "./router";
import { TasksPage } from "./TasksPage";
import { TaskPage } from "./TaskPage";
import { ReportPage, useCommunityGrids } from "./ReportPage";
import { useOfflineQuery } from "./offlineQuery";
import { fetchCategories } from "./fieldApi";
import { RoutePage } from "./RoutePage";
import { OutboxPage } from "./OutboxPage";
import { PatrolTab } from "./patrol/PatrolTab";
import "./messages";
import "./field.css";

const ME_KEY = ["field", "me"] as const;
const ME_CACHE = "me";

/** Who is signed in: the server's answer, or offline the user last seen on this device. */
async function currentUser(): Promise<Me | null> {
  try {
    const me = await fetchMe();
    if (me) await writeCache(ME_CACHE, me);
    return me;
  } catch (error) {
    if (error instanceof ApiError && error.status === 0) {
      const cached = await readCache<Me>(ME_CACHE);
      if (cached) return cached;
    }
    throw error;
  }
}

/** The grid worker's field app at `/field`. */
export default function FieldApp() {
  const { t } = useTranslation("field");
  const queryClient = useQueryClient();
  const me = useQuery({ queryKey: ME_KEY, queryFn: currentUser, networkMode: "always", retry: false, staleTime: Infinity });
  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    void outbox.load().then(() => setLoaded(true));
  }, []);
  useEffect(() => {
    if (!loaded || me.isPending) return;
    outbox.setUser(me.data?.id ?? null);
  }, [loaded, me.isPending, me.data]);

  if (me.isPending || !loaded) return <p className="m-muted f-center">{t("loading")}</p>;
  if (me.isError) {
    return (
      <MobileShell title={t("title")}>
        <div className="m-notice m-notice--error">{t("error.load", { message: me.error.message })}</div>
        <button type="button" className="m-button m-button--block" onClick={() => void me.refetch()}>
          {t("retry")}
        </button>
      </MobileShell>
    );
  }
  if (!me.data) {
    return (
      <SignIn
        onSignedIn={(user) => {
          // Before the pages show: a queue paused by an expired session resumes for the same user.
          outbox.setUser(user.id);
          queryClient.setQueryData(ME_KEY, user);
        }}
      />
    );
  }
  return <SignedIn me={me.data} />;
}

function SignIn({ onSignedIn }: { onSignedIn: (user: Me) => void }) {
  const { t } = useTranslation("field");
  const online = useOnline();
  const { items } = useOutbox();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const user = await login(String(form.get("username")), String(form.get("password")));
      await writeCache(ME_CACHE, user);
      onSignedIn(user);
    } catch (cause) {
      setError(cause instanceof ApiError && cause.status === 0 ? t("signIn.offline") : t("signIn.failed", { message: cause instanceof Error ? cause.message : String(cause) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <MobileShell title={t("title")}>
      <Notices />
      {items.length > 0 && <div className="m-notice">{t("signIn.again")}</div>}
      <form className="m-card" onSubmit={(event) => void submit(event)}>
        <h1 className="f-heading">{t("signIn.heading")}</h1>
        <label className="m-field">
          <span className="m-field__label">{t("signIn.username")}</span>
          <input name="username" autoComplete="username" autoCapitalize="none" required />
        </label>
        <label className="m-field">
          <span className="m-field__label">{t("signIn.password")}</span>
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error && (
          <div className="m-notice m-notice--error" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="m-button m-button--primary m-button--block" disabled={busy || !online}>
          {t("signIn.submit")}
        </button>
      </form>
    </MobileShell>
  );
}

/** Plain words about what will not work here: plain HTTP, no network, no service worker. */
function Notices() {
  const { t } = useTranslation("field");
  const online = useOnline();
  const insecure = !window.isSecureContext;
  return (
    <>
      {insecure && <div className="m-notice m-notice--error">{t("insecure")}</div>}
      {!online && (
        <div className="m-notice" role="status">
          {t("offline")}
        </div>
      )}
      {!insecure && !("serviceWorker" in navigator) && <div className="m-notice">{t("noWorker")}</div>}
    </>
  );
}

const TABS = [
  { path: "/", key: "nav.tasks" },
  { path: "/report", key: "nav.report" },
  { path: "/route", key: "nav.route" },
  { path: "/patrol", key: "nav.patrol" },
  { path: "/outbox", key: "nav.outbox" },
] as const;

function SignedIn({ me }: { me: Me }) {
  const { t } = useTranslation("field");
  const queryClient = useQueryClient();
  const path = usePath();
  const { items, pause } = useOutbox();
  const waiting = items.filter((item) => item.userId === me.id).length;
  const online = useOnline();
  // The server said the session ended (401): sign in again; what waits stays on the phone.
  const expired = pause?.reason === "signed_out" && online;
  useEffect(() => {
    if (expired) queryClient.setQueryData(ME_KEY, null);
  }, [expired, queryClient]);
  // Read once signed in, so that a report taken offline later has the categories and the map's grids.
  useCommunityGrids(me);
  useOfflineQuery(["categories"], fetchCategories);

  const signOut = async () => {
    if (waiting > 0 && !window.confirm(t("signOut.confirm", { count: waiting }))) return;
    try {
      await logout();
    } catch {
      // Offline: the session cookie ends on the server by itself; the device is cleared anyway.
    }
    await outbox.clear();
    await clearDevice();
    outbox.setUser(null);
    queryClient.setQueryData(ME_KEY, null);
    // Everything read for this user goes, except the (now empty) session the app watches.
    queryClient.removeQueries({ predicate: (query) => query.queryKey[1] !== ME_KEY[1] });
    navigate("/", { replace: true });
  };

  const taskId = /^\/tasks\/([0-9a-f-]{36})$/.exec(path)?.[1];
  let page;
  if (taskId) page = <TaskPage me={me} caseId={taskId} />;
  else if (path === "/report") page = <ReportPage me={me} />;
  else if (path === "/route") page = <RoutePage me={me} />;
  else if (path === "/outbox") page = <OutboxPage me={me} />;
  else if (path === "/patrol") page = <PatrolTab me={me} />;
  else page = <TasksPage me={me} />;

  const current = taskId ? "/" : path;
  return (
    <MobileShell
      title={t("title")}
      actions={
        <button type="button" className="m-header__language" onClick={() => void signOut()}>
          {t("signOut")}
        </button>
      }
    >
      <Notices />
      {page}
      <nav className="f-tabs" aria-label={t("title")}>
        {TABS.map((tab) => (
          <a
            key={tab.path}
            href={`/field${tab.path}`}
            className="f-tab"
            aria-current={current === tab.path ? "page" : undefined}
            onClick={(event) => {
              event.preventDefault();
              navigate(tab.path);
            }}
          >
            {t(tab.key)}
            {tab.path === "/outbox" && waiting > 0 && <span className="f-badge">{waiting}</span>}
          </a>
        ))}
      </nav>
    </MobileShell>
  );
}

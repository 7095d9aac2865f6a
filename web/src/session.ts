import { useQueryClient } from "@tanstack/react-query";
import { fetchMe, type Me } from "./api/client";
import { ME_QUERY_KEY } from "./queryClient";

const LAST_SESSION_KEY = "gridgov.lastSession";

/** What a browser remembers of the last session it saw: whose scope, and whether it could read cases. */
export type LastSession = { scopeCode: string; scopeLevel: string; readsCases: boolean };

/**
 * The last session this browser saw signed in, if any: a first load of the map asks for that
 * scope's data before the session answers (a guess the page checks: its queries take an early
 * answer only for the scope the session names), and a visitor signed out asks for nothing.
 */
export function lastSession(): LastSession | null {
  try {
    const stored: unknown = JSON.parse(window.localStorage.getItem(LAST_SESSION_KEY) ?? "null");
    if (typeof stored !== "object" || stored === null) return null;
    const { scopeCode, scopeLevel, readsCases } = stored as Record<string, unknown>;
    return typeof scopeCode === "string" && typeof scopeLevel === "string" && typeof readsCases === "boolean" ? { scopeCode, scopeLevel, readsCases } : null;
  } catch {
    return null;
  }
}

/** Remembers what a session read found (and that no one is signed in after signing out). */
export function rememberSession(me: Me | null): void {
  try {
    if (me?.scope) {
      const last: LastSession = { scopeCode: me.scope.code, scopeLevel: me.scope.level, readsCases: me.permissions.includes("case.read") };
      window.localStorage.setItem(LAST_SESSION_KEY, JSON.stringify(last));
    } else window.localStorage.removeItem(LAST_SESSION_KEY);
  } catch {
    // Storage can be unavailable (privacy mode): first loads then wait for the session.
  }
}

async function readAndRemember(): Promise<Me | null> {
  const me = await fetchMe();
  rememberSession(me);
  return me;
}

let early: Promise<Me | null> | null = null;

/**
 * Asks for the session as the page starts, before the app has rendered anything: the app's first
 * session query and a page's early reads then share one answer, instead of the app asking again
 * once its chunks have run, behind whatever the server is already answering.
 */
export function askSessionEarly(): Promise<Me | null> {
  const asked = readAndRemember();
  // Marked handled here: the app's query takes this promise and shows a failure.
  asked.catch(() => undefined);
  early = asked;
  return asked;
}

/** The session: the early answer the first time it is read, a new read after (a refetch asks again). */
export function readSession(): Promise<Me | null> {
  const taken = early;
  early = null;
  return taken ?? readAndRemember();
}

/** The signed-in user; pages under the router are shown only once `/auth/me` answered with one. */
export function useMe(): Me {
  const me = useQueryClient().getQueryData<Me | null>(ME_QUERY_KEY);
  if (!me) throw new Error("useMe is used outside a signed-in session");
  return me;
}

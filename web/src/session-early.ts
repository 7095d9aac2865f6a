import { fetchMe, type Me } from "./api/client";

/** Where the server writes the visitor's session into the console's page (server/src/app.ts). */
const SESSION_ELEMENT_ID = "gridgov-session";

/**
 * The session the server wrote into the page: `/auth/me`'s user, null when no one is signed in;
 * undefined when the page carries none (the development server's page, or a database the server
 * could not read), and the app then asks for it.
 */
export function sessionInPage(): Me | null | undefined {
  const text = document.getElementById(SESSION_ELEMENT_ID)?.textContent;
  if (!text) return undefined;
  try {
    const { user } = JSON.parse(text) as { user?: Me | null };
    return user === undefined ? undefined : user;
  } catch {
    return undefined;
  }
}

let early: Promise<Me | null> | null = null;

/**
 * The session as the page starts, before the app has rendered anything: the one in the page, else
 * asked for at once. The app's first session query and a page's early reads share this answer.
 */
export function askSessionEarly(): Promise<Me | null> {
  const inPage = sessionInPage();
  const asked = inPage === undefined ? fetchMe() : Promise.resolve(inPage);
  // Marked handled here: the app's query takes this promise and shows a failure.
  asked.catch(() => undefined);
  early = asked;
  return asked;
}

/** The session: the early answer the first time it is read, a new read after (a refetch asks again). */
export function readSession(): Promise<Me | null> {
  const taken = early;
  early = null;
  return taken ?? fetchMe();
}

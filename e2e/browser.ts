import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { collectCspViolations } from "./csp.ts";
import { DEMO_PASSWORD } from "./server.ts";

/**
 * How long a step waits for a screen to show what it looks for: a ceiling, not a measure. Test
 * machines are slow and shared (in CI the server's tests on PostgreSQL run beside these).
 */
export const UI_TIMEOUT = 60_000;

/** Debian's Chromium (or CHROMIUM_PATH), headless, without sandbox or GPU, and calling nowhere on its own; `args` add to its switches. */
export function launchChromium(args: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", ...args],
  });
}

/**
 * A page in a browser context of its own, as one person has it: Chinese, China's time, the
 * steps' timeout. A script error on the page fails the test; what the page's
 * Content-Security-Policy refuses goes into `violations`; the context joins `contexts` to be closed.
 */
export async function openPage(browser: Browser | undefined, contexts: BrowserContext[], violations: string[], options: BrowserContextOptions = {}): Promise<Page> {
  if (!browser) throw new Error("The browser did not start");
  const context = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai", ...options });
  context.setDefaultTimeout(UI_TIMEOUT);
  contexts.push(context);
  await collectCspViolations(context, violations);
  const page = await context.newPage();
  page.on("pageerror", (error) => {
    throw error;
  });
  return page;
}

/**
 * Waits for the page's running animations to end, so a screenshot shows the screen at rest. An
 * endless one (a spinner, a pulsing light) never ends, so only those with an end are awaited.
 */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => animation.playState === "running" && Number.isFinite(animation.effect?.getComputedTiming().endTime ?? Infinity))
        .map((animation) => animation.finished.catch(() => undefined)),
    ),
  );
}

/** Signs in through the API, as a script or a test's own setup does; answers the session cookie. */
export async function apiSession(baseUrl: string, username: string, password = DEMO_PASSWORD): Promise<string> {
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`Sign-in of ${username} answered ${response.status}: ${await response.text()}`);
  return (response.headers.get("set-cookie") ?? "").split(";")[0];
}

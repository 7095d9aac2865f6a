import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from "playwright-core";
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

/**
 * A dialog once it is open and still. The console's dialogs zoom in: a click while one still moves
 * (a slow frame on a busy machine) can land beside its button, and the form is never sent.
 */
export async function dialogAtRest(dialog: Locator): Promise<Locator> {
  await dialog.waitFor();
  const until = Date.now() + UI_TIMEOUT;
  const moving = () =>
    dialog.evaluate(
      (element) =>
        /zoom-(appear|enter)/.test(element.className) ||
        element.getAnimations({ subtree: true }).some((animation) => animation.playState === "running" && Number.isFinite(animation.effect?.getComputedTiming().endTime ?? Infinity)),
    );
  while (await moving()) {
    if (Date.now() > until) throw new Error("The dialog did not come to rest");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return dialog;
}

/** Confirms a dialog at rest and waits for it to close; if it stays, says what it and the page show (a refusal, a field's message). */
export async function confirmDialog(page: Page, dialog: Locator, button = "确定"): Promise<void> {
  await (await dialogAtRest(dialog)).getByRole("button", { name: button }).click();
  await dialog.waitFor({ state: "detached" }).catch(async (error: Error) => {
    throw new Error(`${error.message}\nThe dialog still shows: ${await dialog.innerText().catch(() => "?")}\nThe page says: ${await page.locator(".ant-message").innerText().catch(() => "")}`);
  });
}

/** The dialog of an action on a case's page, opened by its button, at rest. */
export async function openCaseAction(page: Page, action: string): Promise<Locator> {
  await page.getByRole("region", { name: "可执行操作" }).getByRole("button", { name: action, exact: true }).click();
  return dialogAtRest(page.getByRole("dialog", { name: action }));
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

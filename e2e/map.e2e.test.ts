import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, REPO_ROOT, startDemoServer } from "./server.ts";
import { launchChromium, UI_TIMEOUT } from "./browser.ts";
import { collectCspViolations } from "./csp.ts";

const SCREENSHOT = path.join(REPO_ROOT, ".tmp/map.png");

let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
/** What the browser refused under the Content-Security-Policy, and what it logged as errors. */
let violations: string[];
let consoleErrors: string[];

function baseUrl(): string {
  if (!server) throw new Error("The server did not start");
  return server.url;
}

/** Signs in as the administrator, whose home is the administration: asked for the map, sign-in leads there. */
async function signIn(target: Page, password = DEMO_PASSWORD): Promise<void> {
  await target.goto(`${baseUrl()}/console/map`);
  await target.getByLabel("用户名", { exact: true }).fill("admin");
  await target.getByLabel("密码", { exact: true }).fill(password);
  await target.getByRole("button", { name: "登录", exact: true }).click();
}

/** A drawn grid whose centre is not covered by anything else, so a real click lands on it. */
async function clickableGridCode(target: Page): Promise<string> {
  const code = await target.evaluate(() => {
    for (const element of document.querySelectorAll("[data-grid-code]")) {
      const box = element.getBoundingClientRect();
      if (box.width < 8 || box.height < 8) continue;
      const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
      if (hit === element) return element.getAttribute("data-grid-code");
    }
    return null;
  });
  if (!code) throw new Error("No grid polygon can be clicked at its centre");
  return code;
}

beforeAll(async () => {
  server = await startDemoServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

beforeEach(async () => {
  if (!browser) throw new Error("The browser did not start");
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
  context.setDefaultTimeout(UI_TIMEOUT);
  violations = [];
  consoleErrors = [];
  await collectCspViolations(context, violations);
  page = await context.newPage();
  // No error at all: the page carries the session, so not even a 401 from asking who is signed in.
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(error.message));
});

afterEach(async () => {
  await context?.close();
});

describe("web client", () => {
  it("signs in and shows the district's grids; a click on a grid opens its details", async () => {
    await signIn(page);

    await page.getByRole("button", { name: "退出登录" }).waitFor();
    await page.locator("[data-grid-code]").first().waitFor({ state: "attached" });
    await expect
      .poll(() => page.locator("[data-grid-code]").count(), { timeout: UI_TIMEOUT })
      .toBeGreaterThanOrEqual(600);
    await expect.poll(() => page.locator(".map-legend__item").count()).toBeGreaterThanOrEqual(12);

    // Park the pointer on the legend so no grid tooltip covers the map in the picture.
    await page.locator(".map-legend").hover();
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });

    const code = await clickableGridCode(page);
    expect(code).toMatch(/^\d{15}$/);
    await page.locator(`[data-grid-code="${code}"]`).click();

    const drawer = page.getByRole("dialog", { name: "网格详情" });
    await drawer.waitFor();
    await drawer.getByText(code, { exact: true }).waitFor();
    await drawer.getByText("网格编码").waitFor();
    const gridWorkers = drawer.getByRole("listitem").filter({ hasText: "网格员" });
    await gridWorkers.first().waitFor();
    expect(await gridWorkers.count()).toBeGreaterThanOrEqual(1);
    await expect.poll(() => page.locator(`[data-grid-code="${code}"].grid-cell--selected`).count()).toBe(1);
  });

  it("signs out back to the sign-in page", async () => {
    await signIn(page);
    await page.getByRole("button", { name: "退出登录" }).click();
    await page.getByRole("button", { name: "登录", exact: true }).waitFor();
    await page.getByLabel("用户名", { exact: true }).waitFor();

    // The session is gone on the server too: a reload stays on the sign-in page.
    await page.reload();
    await page.getByLabel("密码", { exact: true }).waitFor();
    expect(await page.locator("[data-grid-code]").count()).toBe(0);
  });

  it("switches the interface to English and remembers the choice", async () => {
    await page.goto(baseUrl());
    await page.getByRole("button", { name: "登录", exact: true }).waitFor();

    // The radio inputs are styled away; a click on the option's label is what a user does.
    await page.getByRole("radiogroup", { name: "界面语言" }).getByText("English", { exact: true }).click();
    await page.getByRole("button", { name: "Sign in", exact: true }).waitFor();
    await page.getByLabel("Username").waitFor();
    expect(await page.getByRole("button", { name: "登录", exact: true }).count()).toBe(0);

    await page.reload();
    await page.getByRole("button", { name: "Sign in", exact: true }).waitFor();

    expect(await page.getByRole("radio", { name: "English" }).isChecked()).toBe(true);
    await page.getByRole("radiogroup", { name: "Language" }).getByText("中文", { exact: true }).click();
    await page.getByRole("button", { name: "登录", exact: true }).waitFor();
  });

  it("shows the error for a wrong password", async () => {
    await signIn(page, "not-the-password");
    const alert = page.getByRole("alert").filter({ hasText: "用户名或密码错误" });
    await alert.waitFor();
    expect(await page.locator("[data-grid-code]").count()).toBe(0);
    await page.getByLabel("用户名", { exact: true }).waitFor();
  });

  it("works under its Content-Security-Policy: signing in, the map, a tooltip and a grid's details break no rule", async () => {
    const answer = await page.goto(`${baseUrl()}/console/map`);
    expect(answer?.headers()["content-security-policy"]).toMatch(/style-src 'self' 'nonce-/);
    await page.getByLabel("用户名", { exact: true }).fill("admin");
    await page.getByLabel("密码", { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await page.getByRole("button", { name: "退出登录" }).waitFor();
    await expect.poll(() => page.locator("[data-grid-code]").count(), { timeout: UI_TIMEOUT }).toBeGreaterThanOrEqual(600);

    const code = await clickableGridCode(page);
    await page.locator(`[data-grid-code="${code}"]`).hover();
    await page.locator(".grid-tooltip").filter({ hasText: code }).waitFor();
    await page.locator(`[data-grid-code="${code}"]`).click();
    await page.getByRole("dialog", { name: "网格详情" }).getByText(code, { exact: true }).waitFor();
    // Ant Design's styles arrived: the button has the theme's corner radius, not the browser's default.
    const radius = await page.getByRole("button", { name: "退出登录" }).evaluate((button) => getComputedStyle(button).borderRadius);
    expect(radius).toBe("6px");

    expect(violations).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it("shows a grid's name with markup in it as text in its tooltip", async () => {
    const name = '<img src="/x.png" onerror="window.__injected = 1"><b>粗体</b>网格';
    // The server stores whatever name an import gave a grid; the map must never read it as HTML.
    await page.route("**/api/v1/grids?*", async (route) => {
      const response = await route.fetch();
      const collection = (await response.json()) as { features: { properties: { name?: string } }[] };
      for (const feature of collection.features) feature.properties.name = name;
      await route.fulfill({ response, json: collection });
    });
    await signIn(page);
    await expect.poll(() => page.locator("[data-grid-code]").count(), { timeout: UI_TIMEOUT }).toBeGreaterThanOrEqual(600);

    const code = await clickableGridCode(page);
    await page.locator(`[data-grid-code="${code}"]`).hover();
    // The pointer may cross other grids on its way; their tooltips may still be fading.
    const tooltip = page.locator(".grid-tooltip").filter({ hasText: code });
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toBe(`${name} ${code}`);
    expect(await tooltip.locator("img, b").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined();
  });

  it("serves the API docs page, which renders the operations under its own policy", async () => {
    const answer = await page.goto(`${baseUrl()}/api/v1/docs/`);
    expect(answer?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    await page.locator(".opblock").first().waitFor();
    expect(await page.locator(".opblock").count()).toBeGreaterThan(20);
    expect(violations).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

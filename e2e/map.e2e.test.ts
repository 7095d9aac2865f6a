import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, REPO_ROOT, startDemoServer } from "./server.ts";

const SCREENSHOT = path.join(REPO_ROOT, ".tmp/map.png");
const UI_TIMEOUT = 30_000;

let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;

function baseUrl(): string {
  if (!server) throw new Error("The server did not start");
  return server.url;
}

async function signIn(target: Page, password = DEMO_PASSWORD): Promise<void> {
  await target.goto(baseUrl());
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
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

beforeEach(async () => {
  if (!browser) throw new Error("The browser did not start");
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
  context.setDefaultTimeout(UI_TIMEOUT);
  page = await context.newPage();
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
});

import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectCspViolations } from "./csp.ts";
import { REPO_ROOT, startDemoServer } from "./server.ts";
import { signInAt } from "./sign-in.ts";

const DASHBOARD_SHOT = path.join(REPO_ROOT, "docs/dashboard.png");
const SCREEN_SHOT = path.join(REPO_ROOT, "docs/big-screen.png");
const UI_TIMEOUT = 30_000;

let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: Browser | undefined;

const baseUrl = () => {
  if (!server) throw new Error("The server did not start");
  return server.url;
};

async function newContext(width: number, height: number, violations: string[]): Promise<BrowserContext> {
  if (!browser) throw new Error("The browser did not start");
  const context = await browser.newContext({ viewport: { width, height }, locale: "zh-CN" });
  context.setDefaultTimeout(UI_TIMEOUT);
  await collectCspViolations(context, violations);
  return context;
}

async function signIn(page: Page, username: string): Promise<void> {
  await signInAt(page, `${baseUrl()}/console/dashboard`, username);
  await page.getByRole("heading", { name: "领导驾驶舱" }).waitFor();
}

/** Reports a case as a resident would, from outside any browser. */
async function report(gridCode: string): Promise<void> {
  const response = await fetch(`${baseUrl()}/api/v1/cases`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ description: "大屏测试：路灯不亮", gridCode }),
  });
  expect(response.status).toBe(201);
}

/** Whether the page scrolls in either direction. */
const scrolls = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth || document.documentElement.scrollHeight > window.innerHeight);

beforeAll(async () => {
  server = await startDemoServer();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("leaders' dashboard and big screen", () => {
  it("shows a district leader the district's figures, each opening its case list", async () => {
    const violations: string[] = [];
    const context = await newContext(1920, 1080, violations);
    const page = await context.newPage();
    // Cases of today in two streets, so that every panel has something to show.
    for (const grid of ["530103001001001", "530103001002001", "530103002001001"]) await report(grid);
    await signIn(page, "leader");
    const accepted = page.getByRole("link", { name: /^所选时段 受理 [1-9]\d*: 查看这些案件$/ });
    await accepted.waitFor();
    await page.getByRole("img", { name: "每日趋势" }).waitFor();
    await page.getByRole("img", { name: "问题类别（前 10）" }).waitFor();
    await page.getByRole("heading", { name: "领导驾驶舱" }).hover();
    await page.waitForTimeout(800);
    await mkdir(path.dirname(DASHBOARD_SHOT), { recursive: true });
    await page.screenshot({ path: DASHBOARD_SHOT, fullPage: true });

    await accepted.click();
    await page.waitForURL(/\/console\/cases\?/);
    const url = new URL(page.url());
    expect(url.searchParams.get("counted")).toBe("accepted");
    expect(url.searchParams.get("division")).toBe("530103");
    expect(url.searchParams.get("from")).toMatch(/^\d{4}-\d{2}-01$/);
    await page.getByRole("heading", { name: "案件列表" }).or(page.getByRole("table")).first().waitFor();
    await context.close();
  });

  it("shows a street leader their street only", async () => {
    const violations: string[] = [];
    const context = await newContext(1440, 900, violations);
    const page = await context.newPage();
    const asked: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/api/v1/indicators")) asked.push(new URL(request.url()).searchParams.get("division") ?? "");
    });
    await signIn(page, "leader-001");
    await page.getByRole("link", { name: /^所选时段 受理 \d+/ }).waitFor();
    const picker = page.getByRole("combobox", { name: "区域" });
    await picker.click();
    const options = await page.getByRole("option").allTextContents();
    expect(options.length).toBeGreaterThan(0);
    expect(asked.length).toBeGreaterThan(0);
    for (const division of asked) expect(division.startsWith("530103001")).toBe(true);
    await context.close();
  });

  it("opens the big screen with a credential at 1920×1080 without scrolling, follows new cases, and stops once revoked", async () => {
    // The console's own policy is checked by its own tests; here the screen's page, which has no Ant Design.
    const leaderContext = await newContext(1440, 900, []);
    const violations: string[] = [];
    const leader = await leaderContext.newPage();
    await signIn(leader, "leader");
    await leader.getByRole("tab", { name: "大屏凭证" }).click();
    await leader.getByLabel("名称").fill("指挥大厅东墙");
    await leader.getByRole("button", { name: "发放凭证" }).click();
    const screenUrl = (await leader.getByTestId("screen-url").first().textContent())?.trim() ?? "";
    expect(screenUrl).toMatch(/\/screen#key=ggs_/);

    const wallContext = await newContext(1920, 1080, violations);
    const wall = await wallContext.newPage();
    const requested: string[] = [];
    wall.on("request", (request) => requested.push(request.url()));
    await wall.goto(screenUrl);
    const todayAccepted = wall.getByTestId("today-accepted");
    await expect.poll(async () => (await todayAccepted.textContent())?.trim(), { timeout: UI_TIMEOUT }).toMatch(/^\d+$/);
    await wall.getByRole("img", { name: "每日趋势" }).waitFor();
    await wall.waitForTimeout(1000);
    expect(await scrolls(wall)).toBe(false);
    await wall.screenshot({ path: SCREEN_SHOT });
    for (const url of requested) expect(url).not.toContain("ggs_");

    const before = Number(await todayAccepted.textContent());
    await report("530103001001001");
    await expect.poll(async () => Number(await todayAccepted.textContent()), { timeout: UI_TIMEOUT }).toBe(before + 1);

    await wall.setViewportSize({ width: 1366, height: 768 });
    expect(await scrolls(wall)).toBe(false);

    await leader.getByRole("button", { name: "撤销 指挥大厅东墙" }).click();
    await leader.getByRole("button", { name: /确\s*定|OK/ }).click();
    await leader.getByText("已撤销").waitFor();
    await wall.reload();
    await wall.getByRole("alert").getByText("大屏凭证已失效").waitFor();
    expect(violations).toEqual([]);
    await leaderContext.close();
    await wallContext.close();
  });
});

import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectCspViolations } from "./csp.ts";
import { REPO_ROOT, startDemoServer } from "./server.ts";
import { launchChromium, UI_TIMEOUT } from "./browser.ts";
import { signInAt } from "./sign-in.ts";

const DASHBOARD_SHOT = path.join(REPO_ROOT, "docs/dashboard.png");
const SCREEN_SHOT = path.join(REPO_ROOT, "docs/big-screen.png");

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

type GridCollection = { features: { properties: { code: string } }[] };
type Indicators = { rows: { key: string; figures: { accepted: number } }[] };

/** The grids on the dashboard's or the screen's map with their shaded counts, from the map's data attribute. */
async function mapCounts(page: Page): Promise<Map<string, number>> {
  const map = page.locator("[data-grid-cases]");
  await map.getByRole("img", { name: /^网格案件分布图：\d+ 个网格/ }).waitFor();
  const text = (await map.getAttribute("data-grid-cases")) ?? "";
  return new Map(
    text
      .split(" ")
      .filter(Boolean)
      .map((pair) => {
        const [code, count] = pair.split("=");
        return [code, Number(count)] as const;
      }),
  );
}

/** Today in China Standard Time, YYYY-MM-DD. */
const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/** The month before this one, its first and last day. */
function lastMonth(): { month: string; from: string; to: string } {
  const [year, month] = today().split("-").map(Number);
  const first = new Date(Date.UTC(year, month - 2, 1)).toISOString().slice(0, 10);
  const last = new Date(Date.UTC(year, month - 1, 0)).toISOString().slice(0, 10);
  return { month: first.slice(0, 7), from: first, to: last };
}

/** What the API answers the page's user (its cookies): the division's grids and their accepted cases in a period (this month by default). */
async function expectedCounts(page: Page, division: string, period = { from: `${today().slice(0, 8)}01`, to: today() }): Promise<Map<string, number>> {
  const grids = (await (await page.request.get(`${baseUrl()}/api/v1/grids?division=${division}`)).json()) as GridCollection;
  const indicators = (await (await page.request.get(`${baseUrl()}/api/v1/indicators?division=${division}&from=${period.from}&to=${period.to}&groupBy=grid`)).json()) as Indicators;
  const accepted = new Map(indicators.rows.map((row) => [row.key, row.figures.accepted]));
  return new Map(grids.features.map(({ properties: { code } }) => [code, accepted.get(code) ?? 0]));
}

/** Whether the page scrolls in either direction. */
const scrolls = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth || document.documentElement.scrollHeight > window.innerHeight);

beforeAll(async () => {
  server = await startDemoServer();
  // A year of a district's cases, a few hundred a month, so that the map and the screenshots read as in service.
  await server.seedCases(5000, 14);
  browser = await launchChromium();
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

    // Every grid of the district on the map, each shaded by this month's accepted cases as the indicators count them.
    await expect.poll(async () => [...(await mapCounts(page)).entries()].sort(), { timeout: UI_TIMEOUT }).toEqual([...(await expectedCounts(page, "530103")).entries()].sort());
    const counts = await mapCounts(page);
    expect(counts.size).toBeGreaterThan(100);
    expect(counts.get("530103001001001")).toBeGreaterThanOrEqual(1);
    // The hottest grids listed beside it, in order, each opening its cases.
    const hottest = page.getByRole("region", { name: "案件最多的网格" }).getByRole("listitem");
    expect(await hottest.count()).toBe(8);
    const busiest = Math.max(...counts.values());
    await expect.poll(async () => (await hottest.first().textContent()) ?? "").toContain(`受理 ${busiest} 件`);

    // Last month, a whole month of a district's cases, as the screenshot shows it.
    await page.getByText("按月", { exact: true }).click();
    await page.getByRole("combobox", { name: "按月" }).click();
    await page.locator(".ant-select-dropdown:visible .ant-select-item-option").filter({ hasText: lastMonth().month }).click();
    const monthCounts = [...(await expectedCounts(page, "530103", lastMonth())).entries()].sort();
    expect(monthCounts.filter(([, count]) => count > 0).length).toBeGreaterThan(100);
    await expect.poll(async () => [...(await mapCounts(page)).entries()].sort(), { timeout: UI_TIMEOUT }).toEqual(monthCounts);

    // Hovering the charts and the map shows their figures drawn on the canvas, with nothing refused.
    const map = page.getByRole("img", { name: /^网格案件分布图/ });
    await map.scrollIntoViewIfNeeded();
    await page.getByRole("img", { name: "每日趋势" }).hover();
    await map.hover();
    await page.getByRole("heading", { name: "领导驾驶舱" }).hover();
    // The console scrolls inside its layout: a window as tall as the page shows all of it at 1920 px.
    await page.setViewportSize({ width: 1920, height: 2300 });
    await page.waitForTimeout(1000);
    await mkdir(path.dirname(DASHBOARD_SHOT), { recursive: true });
    await page.screenshot({ path: DASHBOARD_SHOT });
    await page.setViewportSize({ width: 1920, height: 1080 });
    expect(violations).toEqual([]);

    // A grid on the map opens the case list of its accepted cases in the period.
    const box = await map.boundingBox();
    if (!box) throw new Error("The map is not on the page");
    await map.click({ position: { x: 96 + (box.width - 104) / 2, y: box.height / 2 } });
    await page.waitForURL(/\/console\/cases\?/);
    const picked = new URL(page.url()).searchParams;
    expect(picked.get("counted")).toBe("accepted");
    expect(picked.get("from")).toBe(lastMonth().from);
    expect(picked.get("to")).toBe(lastMonth().to);
    expect(counts.has(picked.get("grid") ?? "")).toBe(true);
    await page.getByRole("table").first().waitFor();
    await page.goBack();
    await page.getByRole("img", { name: /^网格案件分布图/ }).waitFor();
    // Back from the list, the dashboard shows the period it showed: its address keeps it.
    expect(new URL(page.url()).searchParams.get("period")).toBe(lastMonth().month);
    await expect.poll(async () => [...(await mapCounts(page)).entries()].sort(), { timeout: UI_TIMEOUT }).toEqual(monthCounts);

    await accepted.click();
    await page.waitForURL(/\/console\/cases\?/);
    const url = new URL(page.url());
    expect(url.searchParams.get("counted")).toBe("accepted");
    expect(url.searchParams.get("division")).toBe("530103");
    expect(url.searchParams.get("from")).toMatch(/^\d{4}-\d{2}-01$/);
    await page.getByRole("heading", { name: "案件列表" }).or(page.getByRole("table")).first().waitFor();
    expect(violations).toEqual([]);
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
    await page.keyboard.press("Escape");

    // The street's grids only, with the street's figures.
    const expected = await expectedCounts(page, "530103001");
    expect(expected.size).toBeGreaterThan(0);
    await expect.poll(async () => [...(await mapCounts(page)).entries()].sort(), { timeout: UI_TIMEOUT }).toEqual([...expected.entries()].sort());
    for (const code of (await mapCounts(page)).keys()) expect(code.startsWith("530103001")).toBe(true);
    // Another street's grids are not the street leader's to read.
    expect((await page.request.get(`${baseUrl()}/api/v1/grids?division=530103002`)).status()).toBe(404);
    expect(violations).toEqual([]);
    await context.close();
  });

  it("opens the big screen with a credential at 1920×1080 without scrolling, follows new cases, and stops once revoked", async () => {
    const leaderViolations: string[] = [];
    const leaderContext = await newContext(1440, 900, leaderViolations);
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
    const wallCounts = await mapCounts(wall);
    expect(wallCounts.size).toBeGreaterThan(100);
    expect([...wallCounts.keys()].every((code) => code.startsWith("530103"))).toBe(true);
    expect(await wall.getByRole("list", { name: "案件最多的网格" }).getByRole("listitem").count()).toBe(8);
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
    expect(leaderViolations).toEqual([]);
    await leaderContext.close();
    await wallContext.close();
  });
});

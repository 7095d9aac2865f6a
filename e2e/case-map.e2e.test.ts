import { mkdir } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import sharp from "sharp";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, startDemoServer } from "./server.ts";
import { apiSession, launchChromium, openPage, UI_TIMEOUT } from "./browser.ts";
import { signInAt } from "./sign-in.ts";

const SCREENSHOT = path.join(REPO_ROOT, ".tmp/case-map-1920.png");
const POPUP_SCREENSHOT = path.join(REPO_ROOT, ".tmp/case-map-popup-1920.png");
const SHANGYI = "530103001001001";

let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let tileServer: http.Server | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const violations: string[] = [];
/** The tile paths the browser asked the fixture for. */
const tileRequests: string[] = [];

function baseUrl(): string {
  if (!server) throw new Error("The server did not start");
  return server.url;
}

/** A tiny local tile server: every tile is the same 256 px PNG, a pale green, so a drawn tile shows. */
async function startTileServer(): Promise<string> {
  const tile = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 214, g: 232, b: 206 } } }).png().toBuffer();
  tileServer = http.createServer((request, response) => {
    tileRequests.push(request.url ?? "");
    response.writeHead(200, { "content-type": "image/png", "cache-control": "no-store" });
    response.end(tile);
  });
  await new Promise<void>((resolve) => tileServer?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(tileServer.address() as AddressInfo).port}`;
}

const apiSignIn = (username: string, password?: string) => apiSession(baseUrl(), username, password);

async function newPage(width: number, height: number): Promise<Page> {
  return openPage(browser, contexts, violations, { viewport: { width, height } });
}

async function signIn(page: Page, username: string, at: string): Promise<void> {
  await signInAt(page, `${baseUrl()}${at}`, username);
}

const poll = <T>(value: () => T | Promise<T>) => expect.poll(value, { timeout: UI_TIMEOUT, interval: 100 });

type Target = { kind: "cluster" | "point"; x: number; y: number; count: number };
/** What the canvas drew (a canvas has no elements): its counts and the places of what can be clicked. */
async function drawn(page: Page): Promise<{ clusters: number; points: number; targets: Target[] }> {
  return page.locator("canvas.case-points").evaluate((canvas: HTMLCanvasElement) => ({
    clusters: Number(canvas.dataset.clusters ?? 0),
    points: Number(canvas.dataset.points ?? 0),
    targets: JSON.parse(canvas.dataset.targets ?? "[]") as Target[],
  }));
}
/** The open cases the legend counts ("123 件在办案件"). */
async function shownCount(page: Page): Promise<number> {
  const text = (await page.locator(".case-map__count").textContent()) ?? "";
  const match = /(\d+) 件在办案件/.exec(text);
  return match ? Number(match[1]) : -1;
}

beforeAll(async () => {
  const tiles = await startTileServer();
  // The demo start's generated cases (browser test servers start without them): open work in every light.
  server = await startDemoServer({ DEMO_CASES: "1500", MAP_TILE_URL: `${tiles}/tiles/{z}/{x}/{y}.png`, MAP_TILE_CRS: "wgs84" });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => (tileServer ? tileServer.close(resolve) : resolve(undefined)));
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  expect(violations.splice(0)).toEqual([]);
});

describe("the map of cases", () => {
  it("draws the demo's open cases in clusters over the tiles and grids; a filter changes them; a click opens a case", async () => {
    const page = await newPage(1920, 1080);
    await signIn(page, "dispatcher", "/console/map");
    await page.locator("[data-grid-code]").first().waitFor({ state: "attached" });
    await poll(async () => (await drawn(page)).clusters).toBeGreaterThan(0);
    const all = await shownCount(page);
    expect(all).toBeGreaterThan(20);

    // The tiles come from the configured server, allowed by the CSP, and are drawn.
    await poll(() => tileRequests.filter((url) => /^\/tiles\/\d+\/\d+\/\d+\.png$/.test(url)).length).toBeGreaterThan(0);
    await poll(() => page.locator("img.leaflet-tile-loaded").count()).toBeGreaterThan(0);
    expect(await page.locator("img.leaflet-tile-loaded").first().evaluate((image: HTMLImageElement) => image.naturalWidth)).toBe(256);

    await page.locator(".map-legend").hover();
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });

    // Overdue only: fewer cases, and the URL says so.
    const before = await drawn(page);
    // A click on the filter's label, as a user does (the radio inputs are styled away).
    const deadline = page.getByRole("radiogroup", { name: "时限" });
    await deadline.locator("label").filter({ hasText: "超期" }).click();
    await poll(() => shownCount(page)).toBeLessThan(all);
    expect(page.url()).toContain("queue=overdue");
    const overdue = await shownCount(page);
    expect(overdue).toBeGreaterThan(0);
    await poll(async () => JSON.stringify((await drawn(page)).targets)).not.toBe(JSON.stringify(before.targets));
    // A reload shows the same filter.
    await page.reload();
    await poll(() => shownCount(page)).toBe(overdue);
    await deadline.locator("label").filter({ hasText: "全部" }).click();
    await poll(() => shownCount(page)).toBe(all);

    // Clicks on clusters zoom in until a case stands alone; a click on it opens its popup, and the popup the case.
    for (let step = 0; step < 8; step++) {
      const { targets } = await drawn(page);
      if (targets.some((target) => target.kind === "point")) break;
      const cluster = targets.filter((target) => target.kind === "cluster").sort((a, b) => a.count - b.count)[0];
      expect(cluster, "a cluster to click").toBeDefined();
      const offset = await mapOffset(page);
      await page.mouse.click(cluster.x + offset.x, cluster.y + offset.y);
      // Zoomed in and drawn again.
      await poll(async () => JSON.stringify((await drawn(page)).targets)).not.toBe(JSON.stringify(targets));
    }
    const point = (await drawn(page)).targets.find((target) => target.kind === "point");
    expect(point, "a case drawn alone").toBeDefined();
    if (!point) return;
    const offset = await mapOffset(page);
    await page.mouse.click(point.x + offset.x, point.y + offset.y);
    const popup = page.locator(".case-popup");
    await popup.waitFor();
    const number = ((await popup.locator(".case-number").first().textContent()) ?? "").trim();
    expect(number).toMatch(/^530103-\d{8}-\d{5}$/);
    await popup.locator(".case-popup__title").filter({ hasText: /\S/ }).waitFor();
    await page.screenshot({ path: POPUP_SCREENSHOT });
    await popup.getByRole("link", { name: "打开案件" }).click();
    await poll(() => page.url()).toMatch(/\/console\/cases\/[0-9a-f-]{36}$/);
    await page.getByText(number, { exact: true }).first().waitFor();
  });

  it("on a first load asks for its points, divisions, grids and tile configuration once each, before the app's code has loaded, and not for the sign-in page", async () => {
    const page = await newPage(1366, 768);
    const [name, value] = (await apiSignIn("dispatcher")).split("=");
    await page.context().addCookies([{ name, value, url: baseUrl() }]);
    const asked: string[] = [];
    page.on("request", (request) => asked.push(new URL(request.url()).pathname));
    await page.goto(`${baseUrl()}/console/map`);
    await poll(async () => (await drawn(page)).clusters + (await drawn(page)).points).toBeGreaterThan(0);
    const reads = ["/api/v1/cases/points", "/api/v1/divisions/530103", "/api/v1/grids", "/api/v1/map-config"];
    expect(reads.map((read) => asked.filter((path) => path === read).length)).toEqual([1, 1, 1, 1]);
    // The shell's chunk is asked for once the app's code has run: the reads started before it.
    const shell = asked.findIndex((path) => path.startsWith("/assets/ConsoleLayout-"));
    expect(shell).toBeGreaterThan(-1);
    for (const read of reads) expect(asked.indexOf(read)).toBeLessThan(shell);
    expect(asked.filter((path) => path.startsWith("/assets/LoginPage-"))).toEqual([]);
  });

  it("draws the map at once without tiles when their settings cannot be read, says so, and adds the tiles on retry", async () => {
    const page = await newPage(1366, 768);
    let refused = 0;
    await page.route("**/api/v1/map-config", async (route) => {
      if (refused++ === 0) return route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ error: { code: "unavailable", message: "down" } }) });
      return route.continue();
    });
    await signIn(page, "dispatcher", "/console/map");
    const notice = page.locator(".case-map__notices").getByRole("alert").filter({ hasText: "底图设置读取失败，地图暂不显示底图。" });
    await notice.waitFor();
    await poll(async () => (await drawn(page)).clusters + (await drawn(page)).points).toBeGreaterThan(0);
    // Asked once, not retried behind the spinner: the map came without waiting for retries.
    expect(refused).toBe(1);
    expect(await page.locator("img.leaflet-tile").count()).toBe(0);
    // On a laptop's 1366 × 768 the legend leaves the zoom control free to click.
    const zoomIn = await page.locator(".leaflet-control-zoom-in").boundingBox();
    if (!zoomIn) throw new Error("No zoom control");
    const onTop = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.closest(".leaflet-control-zoom-in") !== null, [zoomIn.x + zoomIn.width / 2, zoomIn.y + zoomIn.height / 2]);
    expect(onTop).toBe(true);
    await notice.getByRole("button", { name: /重\s*试/ }).click();
    await poll(() => page.locator("img.leaflet-tile-loaded").count()).toBeGreaterThan(0);
    await notice.waitFor({ state: "detached" });
    expect(refused).toBe(2);
  });

  it("shows a case reported elsewhere without a reload", async () => {
    const page = await newPage(1366, 768);
    await signIn(page, "dispatcher", "/console/map");
    await poll(async () => (await drawn(page)).clusters + (await drawn(page)).points).toBeGreaterThan(0);
    const count = await shownCount(page);
    expect(count).toBeGreaterThan(0);

    const cookie = await apiSignIn("seat-01");
    const response = await fetch(`${baseUrl()}/api/v1/cases`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ description: "地图实时测试：人行道护栏倒伏", gridCode: SHANGYI, source: "hotline" }),
    });
    expect(response.status, await response.clone().text()).toBe(201);
    await poll(() => shownCount(page)).toBe(count + 1);
  });
});

/** Where the map's container starts in the page: the canvas targets are in the map's pixels. */
async function mapOffset(page: Page): Promise<{ x: number; y: number }> {
  const box = await page.locator(".grid-map").boundingBox();
  if (!box) throw new Error("The map is not shown");
  return { x: box.x, y: box.y };
}

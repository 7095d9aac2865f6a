import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, REPO_ROOT, startDemoServer } from "./server.ts";
import { dialogAtRest, launchChromium, UI_TIMEOUT } from "./browser.ts";

const TMP = path.join(REPO_ROOT, ".tmp");

let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

function baseUrl(): string {
  if (!server) throw new Error("The server did not start");
  return server.url;
}

async function newContext(name: string, options: Parameters<Browser["newContext"]>[0]): Promise<Page> {
  if (!browser) throw new Error("The browser did not start");
  const context = await browser.newContext({ locale: "zh-CN", timezoneId: "Asia/Shanghai", ...options });
  context.setDefaultTimeout(UI_TIMEOUT);
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(`${name}: ${error.message}`));
  return page;
}

/** Staff at a desk: signed in at 1366 px on the page `url`. */
async function staffAt(username: string, url: string): Promise<Page> {
  const page = await newContext(username, { viewport: { width: 1366, height: 900 } });
  await page.goto(baseUrl() + url);
  await page.getByLabel("用户名", { exact: true }).fill(username);
  await page.getByLabel("密码", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await page.getByLabel("用户名", { exact: true }).waitFor({ state: "detached" });
  return page;
}

/** The per-channel variance of the pixels of a rectangle given in fractions of the image. */
async function variance(image: Buffer, area: { x: number; y: number; width: number; height: number }): Promise<number> {
  const { width = 0, height = 0 } = await sharp(image).metadata();
  const rect = { left: Math.round(area.x * width), top: Math.round(area.y * height), width: Math.round(area.width * width), height: Math.round(area.height * height) };
  const data = await sharp(image).extract(rect).raw().toBuffer();
  let sum = 0;
  let squares = 0;
  for (const value of data) {
    sum += value;
    squares += value * value;
  }
  const mean = sum / data.length;
  return squares / data.length - mean * mean;
}

beforeAll(async () => {
  server = await startDemoServer();
  browser = await launchChromium();
});

afterEach(async ({ task }) => {
  if (task.result?.state !== "fail") return;
  await mkdir(TMP, { recursive: true });
  for (const [index, context] of contexts.entries()) {
    for (const page of context.pages()) await page.screenshot({ path: path.join(TMP, `redaction-failure-${index}.png`) }).catch(() => {});
  }
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

describe("photo redaction", () => {
  it("shows a redacted photo blurred on the public tracking page and whole to staff", async () => {
    // A resident reports with a photo full of detail (noise), through the API as the portal will.
    const resident = await newContext("resident", { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const photo = await sharp({ create: { width: 800, height: 600, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 60 } } })
      .jpeg({ quality: 92 })
      .toBuffer();
    const uploaded = await resident.request.post(`${baseUrl()}/api/v1/attachments`, { data: photo, headers: { "content-type": "image/jpeg" } });
    expect(uploaded.status()).toBe(201);
    const photoId = ((await uploaded.json()) as { attachment: { id: string } }).attachment.id;
    const reported = await resident.request.post(`${baseUrl()}/api/v1/cases`, {
      data: { description: "小区门口有车辆长期占道，车牌清楚可见", gridCode: "530103001001001", photoIds: [photoId] },
    });
    expect(reported.status()).toBe(201);
    const { case: created, trackingToken } = (await reported.json()) as { case: { id: string; number: string }; trackingToken: string };

    // A dispatcher blurs an area of the photo by dragging over it.
    const dispatcher = await staffAt("dispatcher", `/console/cases/${created.id}`);
    await dispatcher.getByRole("img", { name: "处置前照片 1" }).waitFor();
    await dispatcher.getByRole("button", { name: "打码 处置前照片 1" }).click();
    const dialog = await dialogAtRest(dispatcher.getByRole("dialog", { name: "照片打码" }));
    const surface = dialog.getByRole("application", { name: "照片，拖动以框选需要模糊的区域" });
    await expect.poll(async () => (await surface.boundingBox())?.height ?? 0).toBeGreaterThan(100);
    await expect.poll(() => surface.locator("img").evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth)).toBeGreaterThan(0);
    const box = await surface.boundingBox();
    if (!box) throw new Error("The photo is not shown");
    const area = { x: 0.25, y: 0.2, width: 0.4, height: 0.4 };
    await dispatcher.mouse.move(box.x + box.width * area.x, box.y + box.height * area.y);
    await dispatcher.mouse.down();
    await dispatcher.mouse.move(box.x + box.width * (area.x + area.width / 2), box.y + box.height * (area.y + area.height / 2), { steps: 4 });
    await dispatcher.mouse.move(box.x + box.width * (area.x + area.width), box.y + box.height * (area.y + area.height), { steps: 4 });
    await dispatcher.mouse.up();
    await dialog.getByText("已框选 1 处").waitFor();
    await mkdir(TMP, { recursive: true });
    await dispatcher.screenshot({ path: path.join(TMP, "redaction-dialog-1366.png") });
    // The area as the dialog sent it: a drag on a busy machine may start a little late.
    const sent = dispatcher.waitForRequest((request) => request.method() === "PUT" && request.url().endsWith("/redaction"));
    await dialog.getByRole("button", { name: "保存打码" }).click();
    const drawn = ((await sent).postDataJSON() as { regions: { x: number; y: number; width: number; height: number }[] }).regions[0];
    await dialog.waitFor({ state: "detached" });
    await dispatcher.getByText("已打码", { exact: true }).waitFor();
    await dispatcher.getByText("已打码", { exact: true }).scrollIntoViewIfNeeded();
    await dispatcher.screenshot({ path: path.join(TMP, "redaction-case-photos-1366.png") });

    // The resident opens the tracking link in a browser without a session; the token leaves the address.
    await resident.goto(`${baseUrl()}/resident/track?number=${created.number}#token=${trackingToken}`);
    await resident.getByText(created.number, { exact: true }).waitFor();
    expect(resident.url()).not.toContain(trackingToken);
    const shown = resident.getByRole("img", { name: "上报的照片第 1 张" });
    await expect.poll(() => shown.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth)).toBeGreaterThan(0);
    await resident.getByText("已模糊处理").waitFor();
    const src = await shown.evaluate((image: HTMLImageElement) => image.currentSrc);
    expect(src).not.toContain(trackingToken);
    const displayed = await (await resident.request.get(src)).body();
    await resident.screenshot({ path: path.join(TMP, "resident-track-390.png"), fullPage: true });

    // Staff still get the original whole, from the download the console shows.
    const original = await (await dispatcher.request.get(`${baseUrl()}/api/v1/cases/${created.id}/attachments/${photoId}`)).body();
    // Wide enough to hold an inner area a margin away from its edges.
    expect(Math.min(drawn.width, drawn.height)).toBeGreaterThan(0.15);
    const inner = { x: drawn.x + 0.05, y: drawn.y + 0.05, width: drawn.width - 0.1, height: drawn.height - 0.1 };
    const outside = { x: 0.75, y: 0.7, width: 0.2, height: 0.25 };
    expect(await variance(displayed, inner)).toBeLessThan((await variance(original, inner)) / 10);
    expect(await variance(displayed, outside)).toBeGreaterThan((await variance(original, outside)) * 0.7);
    expect(await variance(original, inner)).toBeGreaterThan(1000);
    const consoleThumb = await dispatcher.getByRole("img", { name: "处置前照片 1" }).evaluate((image: HTMLImageElement) => image.currentSrc);
    expect(consoleThumb).toMatch(new RegExp(`/api/v1/cases/${created.id}/attachments/${photoId}$`));

    // A wrong token says so in plain words.
    await resident.getByRole("button", { name: "查询其他案件" }).click();
    await resident.getByLabel("案件编号").fill(created.number);
    await resident.getByLabel("查询码").fill("wrong-token-0000000000");
    await resident.getByRole("button", { name: "查询" }).click();
    await resident.getByText("没有找到这个案件：请核对案件编号和查询码。").waitFor();
    expect(pageErrors).toEqual([]);
  });
});

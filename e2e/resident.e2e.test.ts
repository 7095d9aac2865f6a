import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import type { APIRequestContext, Browser, BrowserContext, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { collectCspViolations } from "./csp.ts";
import { DEMO_PASSWORD, REPO_ROOT, startDemoServer } from "./server.ts";
import { launchChromium, UI_TIMEOUT } from "./browser.ts";

const TMP = path.join(REPO_ROOT, ".tmp");
const DOCS = path.join(REPO_ROOT, "docs");
const COMMUNITY = "530103001001";
/** Small enough for the second test to reach, large enough for one resident's report, follow-up and rating. */
const PUBLIC_LIMIT = 20;
const PLAIN_HOST = "gridgov-plain-http.test";

let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: Browser | undefined;
let home: { lat: number; lng: number };
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const violations: string[] = [];

function baseUrl(): string {
  if (!server) throw new Error("The server did not start");
  return server.url;
}

/** A resident's phone: 390 × 844, touch, standing at `home` with location allowed, no session. */
async function residentPhone(name: string): Promise<Page> {
  if (!browser) throw new Error("The browser did not start");
  const context = await browser.newContext({
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    geolocation: { latitude: home.lat, longitude: home.lng, accuracy: 10 },
    permissions: ["geolocation"],
  });
  context.setDefaultTimeout(UI_TIMEOUT);
  contexts.push(context);
  await collectCspViolations(context, violations);
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(`${name}: ${error.message}`));
  return page;
}

/** Staff using the API with their own session (no browser page). */
async function staffApi(username: string): Promise<APIRequestContext> {
  if (!browser) throw new Error("The browser did not start");
  const context = await browser.newContext({ baseURL: baseUrl() });
  contexts.push(context);
  const login = await context.request.post("/api/v1/auth/login", { data: { username, password: DEMO_PASSWORD } });
  expect(login.status(), await login.text()).toBe(200);
  return context.request;
}

type CaseDetail = { case: { id: string; status: string; streetCode: string; departmentCode: string | null; actions: string[] }; photos: { width: number; height: number }[] };

/** One workflow action, sent with the If-Match of the case as just read. */
async function act(api: APIRequestContext, id: string, body: Record<string, unknown>): Promise<CaseDetail> {
  const current = await api.get(`/api/v1/cases/${id}`);
  const response = await api.post(`/api/v1/cases/${id}/transitions`, { data: body, headers: { "if-match": current.headers().etag } });
  expect(response.status(), `${JSON.stringify(body)}: ${await response.text()}`).toBe(200);
  return (await response.json()) as CaseDetail;
}

/** A point well inside a grid of the community: the middle of its ring's corners. */
async function pointInCommunity(api: APIRequestContext): Promise<{ lat: number; lng: number }> {
  const grids = (await (await api.get(`/api/v1/grids?division=${COMMUNITY}`)).json()) as { features: { geometry: { coordinates: number[][][] } }[] };
  const ring = grids.features[0].geometry.coordinates[0].slice(0, -1);
  return { lng: ring.reduce((sum, [lng]) => sum + lng, 0) / ring.length, lat: ring.reduce((sum, [, lat]) => sum + lat, 0) / ring.length };
}

/** Steps 1–3 of a report: the phone's position, a kind of problem, photos and words. */
async function fillReport(page: Page, options: { category: string; description: string; photo?: Buffer; phone?: string; tapMap?: boolean }): Promise<void> {
  await page.goto(`${baseUrl()}/resident`);
  await page.getByRole("link", { name: "我要上报" }).click();
  await page.getByRole("heading", { name: "问题在哪里？" }).waitFor();
  await page.getByRole("button", { name: "使用我现在的位置" }).click();
  await page.getByText("所在网格").waitFor();
  if (options.tapMap) {
    // The map opens only now, centred on the phone's position; the resident taps a little way off it.
    await page.getByRole("button", { name: "在地图上选点" }).click();
    const map = page.getByRole("application", { name: "地图：点按问题所在的位置" });
    await map.waitFor();
    const box = await map.boundingBox();
    if (!box) throw new Error("The map has no size");
    await map.tap({ position: { x: box.width / 2 + 25, y: box.height / 2 - 20 } });
    await expect.poll(() => page.locator(".r-map .leaflet-interactive").count()).toBeGreaterThan(0);
  }
  await page.getByRole("status").filter({ hasText: "所在网格" }).waitFor();
  await page.getByRole("button", { name: "下一步" }).click();
  await page.getByRole("radio", { name: options.category }).click();
  await page.getByRole("button", { name: "下一步" }).click();
  if (options.photo) {
    await page.getByLabel("拍照或从相册选择").setInputFiles({ name: "IMG_0001.jpg", mimeType: "image/jpeg", buffer: options.photo });
    await page.getByRole("img", { name: "第 1 张照片" }).waitFor();
  }
  await page.getByLabel("问题描述").fill(options.description);
  if (options.phone) await page.getByLabel("联系电话（选填）").fill(options.phone);
  await page.getByRole("button", { name: "下一步" }).click();
  await page.getByRole("heading", { name: "确认并提交" }).waitFor();
}

beforeAll(async () => {
  server = await startDemoServer({ PUBLIC_REQUESTS_PER_MINUTE: String(PUBLIC_LIMIT) });
  // A name for the test server that is not localhost, so that plain HTTP is not a secure context.
  browser = await launchChromium([`--host-resolver-rules=MAP ${PLAIN_HOST} 127.0.0.1`]);
  home = await pointInCommunity(await staffApi("admin"));
});

afterEach(async ({ task }) => {
  if (task.result?.state !== "fail") return;
  await mkdir(TMP, { recursive: true });
  for (const [index, context] of contexts.entries()) {
    for (const page of context.pages()) await page.screenshot({ path: path.join(TMP, `resident-failure-${index}.png`), fullPage: true }).catch(() => {});
  }
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

describe("the residents' portal", () => {
  it("takes a report with a photo and a tapped point, keeps its number, and lets the resident follow and rate it once closed", async () => {
    await mkdir(TMP, { recursive: true });
    const resident = await residentPhone("resident");
    // A camera's photo, larger than the phone sends it.
    const photo = await sharp({ create: { width: 3200, height: 2400, channels: 3, background: "#8a6" } }).jpeg({ quality: 95 }).toBuffer();
    await fillReport(resident, { category: "垃圾堆积", description: "小区东门外人行道上有一堆装修垃圾，已经放了三天", photo, phone: "13812345678", tapMap: true });

    // The notice says what is collected, why, who sees it and for how long, before anything is sent.
    const notice = resident.getByRole("region", { name: "个人信息说明" });
    await notice.getByText(/您的电话.*用途.*谁能看到.*保存多久/).waitFor();
    expect(await notice.getByRole("link", { name: "查看完整的个人信息保护说明" }).getAttribute("href")).toBe("/resident/privacy");
    const send = resident.getByRole("button", { name: "提交上报" });
    expect(await send.isDisabled()).toBe(true);
    await resident.getByRole("checkbox", { name: "我已阅读以上说明，同意提交" }).check();
    await resident.evaluate(() => window.scrollTo(0, 0));
    await resident.screenshot({ path: path.join(TMP, "resident-report-390.png"), fullPage: true });
    await resident.setViewportSize({ width: 360, height: 780 });
    expect(await resident.evaluate(() => Math.max(...[...document.querySelectorAll("body *")].map((element) => element.getBoundingClientRect().right)))).toBeLessThanOrEqual(360);
    await resident.screenshot({ path: path.join(TMP, "resident-report-360.png"), fullPage: true });
    await resident.setViewportSize({ width: 390, height: 844 });
    await send.click();

    await resident.getByRole("heading", { name: "上报成功" }).waitFor();
    const number = (await resident.getByLabel("案件编号").textContent()) ?? "";
    expect(number).toMatch(/^530103-\d{8}-\d{5}$/);
    await resident.getByRole("button", { name: "复制查询链接" }).waitFor();

    // Staff see one case from the web portal, its photo made smaller on the phone, the phone masked.
    const dispatcher = await staffApi(`community-${COMMUNITY}`);
    const found = (await (await dispatcher.get(`/api/v1/cases?q=${number}`)).json()) as { cases: { id: string }[] };
    expect(found.cases).toHaveLength(1);
    const id = found.cases[0].id;
    const detail = (await (await dispatcher.get(`/api/v1/cases/${id}`)).json()) as CaseDetail & { case: { source: string; reporter: { phone: string } } };
    expect(detail.case.source).toBe("resident_web");
    expect(detail.case.reporter.phone).toBe("138****5678");
    expect(detail.photos.map((shown) => [shown.width, shown.height])).toEqual([[1600, 1200]]);

    // A dispatcher takes it through to closed.
    await act(dispatcher, id, { action: "accept" });
    await act(dispatcher, id, { action: "register" });
    const dispatched = await act(dispatcher, id, { action: "dispatch", to: { departmentCode: detail.case.departmentCode ?? "cgj" } });
    const handler = await staffApi(`handler-${dispatched.case.departmentCode ?? "cgj"}-1`);
    await act(handler, id, { action: "acknowledge" });
    await act(handler, id, { action: "handle", note: "垃圾已清运，现场已清扫干净", publicNote: true });
    const admin = await staffApi("admin");
    const supervisors = (await (await admin.get(`/api/v1/users?role=supervisor&division=${detail.case.streetCode}&limit=10`)).json()) as { users: { username: string; scopeCode: string }[] };
    const supervisor = supervisors.users.find((user) => user.scopeCode === detail.case.streetCode)?.username;
    if (!supervisor) throw new Error(`No supervisor in street ${detail.case.streetCode}`);
    expect((await act(await staffApi(supervisor), id, { action: "verify_pass" })).case.status).toBe("closed");

    // The resident finds it from "my reports" on the phone, with no number typed.
    await resident.goto(`${baseUrl()}/resident`);
    await resident.getByRole("link", { name: "我的上报" }).click();
    await resident.getByRole("button", { name: `查看进度 ${number}` }).click();
    // No token in any address: the tracking page takes the key from the tab's storage.
    await resident.waitForURL(`${baseUrl()}/resident/track`);
    await resident.getByText(number, { exact: true }).waitFor();
    await resident.getByText("垃圾已清运，现场已清扫干净").waitFor();
    expect(await resident.locator('[aria-current="step"]').count()).toBe(0);
    await resident.getByText("已办结").first().waitFor();

    // …and rates it: solved, satisfied, with a word; once.
    const rating = resident.getByRole("form", { name: "评价处理结果" });
    await rating.getByRole("radio", { name: "已解决" }).check();
    await rating.getByRole("radio", { name: "满意", exact: true }).check();
    await rating.getByLabel("想说的话（选填）").fill("处理很快，谢谢");
    await resident.evaluate(() => window.scrollTo(0, 0));
    await resident.screenshot({ path: path.join(TMP, "resident-track-390.png") });
    await resident.screenshot({ path: path.join(TMP, "resident-track-full-390.png"), fullPage: true });
    await rating.getByRole("button", { name: "提交评价" }).click();
    await resident.getByText("感谢您的评价。").waitFor();
    await resident.getByText("已解决 · 您已评价：满意").waitFor();
    expect(await resident.getByRole("button", { name: "提交评价" }).count()).toBe(0);
    const evaluated = (await (await dispatcher.get(`/api/v1/cases/${id}`)).json()) as { case: { status: string; satisfaction: string; resolved: boolean } };
    expect(evaluated.case).toMatchObject({ status: "evaluated", satisfaction: "satisfied", resolved: true });

    // Nothing spills sideways on the narrowest phones the portal is for.
    for (const width of [390, 360]) {
      await resident.setViewportSize({ width, height: 844 });
      expect(await resident.evaluate(() => Math.max(...[...document.querySelectorAll("body *")].map((element) => element.getBoundingClientRect().right)))).toBeLessThanOrEqual(width);
    }
    await resident.evaluate(() => window.scrollTo(0, 0));
    await resident.screenshot({ path: path.join(TMP, "resident-track-360.png"), fullPage: true });
    await resident.setViewportSize({ width: 390, height: 844 });
    await resident.screenshot({ path: path.join(TMP, "resident-track-done-390.png"), fullPage: true });
    await copyFile(path.join(TMP, "resident-report-390.png"), path.join(DOCS, "resident-report.png"));
    await copyFile(path.join(TMP, "resident-track-390.png"), path.join(DOCS, "resident-track.png"));

    expect(pageErrors).toEqual([]);
    expect(violations).toEqual([]);
  });

  it("says when opened over plain HTTP, and answers the public rate limit with a friendly message and the wait, keeping what was typed", async () => {
    const resident = await residentPhone("limited");
    // Over plain HTTP to a name other than localhost the portal says what will not work.
    await resident.goto(`${baseUrl().replace("localhost", PLAIN_HOST)}/resident`);
    await resident.getByRole("note").getByText("当前连接不安全（HTTP）").waitFor();
    for (const width of [390, 360]) {
      await resident.setViewportSize({ width, height: 844 });
      expect(await resident.evaluate(() => Math.max(...[...document.querySelectorAll("body *")].map((element) => element.getBoundingClientRect().right)))).toBeLessThanOrEqual(width);
    }
    await resident.screenshot({ path: path.join(TMP, "resident-plain-http-390.png") });
    await fillReport(resident, { category: "不清楚，交给工作人员", description: "楼下路口的垃圾桶坏了" });
    await resident.getByRole("checkbox", { name: "我已阅读以上说明，同意提交" }).check();
    // Someone on the same network has used up the address's requests for the minute.
    let status = 0;
    for (let sent = 0; sent <= PUBLIC_LIMIT && status !== 429; sent += 1) status = (await resident.request.get(`${baseUrl()}/api/v1/public/map`)).status();
    expect(status).toBe(429);
    await resident.getByRole("button", { name: "提交上报" }).click();
    const alert = resident.getByRole("alert");
    await alert.getByText(/提交太频繁了，请休息一下，\d+ 秒后再试。您填写的内容都还在。/).waitFor();
    expect(await alert.textContent()).not.toMatch(/rate_limited|Too many|429/);
    await resident.screenshot({ path: path.join(TMP, "resident-rate-limited-390.png"), fullPage: true });
    expect(await resident.getByRole("button", { name: "提交上报" }).isEnabled()).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});

import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { collectCspViolations } from "./csp.ts";
import { DEMO_PASSWORD, REPO_ROOT, startDemoServer } from "./server.ts";
import { apiSession, launchChromium, UI_TIMEOUT } from "./browser.ts";

const TMP = path.join(REPO_ROOT, ".tmp");
const DOCS = path.join(REPO_ROOT, "docs");
// A community of the demo district, one of its grid workers and its centre (社区工作站), which dispatches there.
const COMMUNITY = "530103001001";
const WORKER = `gw-${COMMUNITY}-1`;
const CENTRE = `community-${COMMUNITY}`;
// Tiananmen Square: a point outside the demo district.
const OUTSIDE = { latitude: 39.9087, longitude: 116.3975 };

let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const violations: string[] = [];
let inside: { latitude: number; longitude: number };
let gridCode: string;
let dispatcher: string;
let photo: Buffer;

function baseUrl(): string {
  if (!server) throw new Error("The server did not start");
  return server.url;
}

const apiSignIn = (username: string, password?: string) => apiSession(baseUrl(), username, password);

async function callApi(cookie: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl()}${url}`, {
    method,
    headers: { cookie, ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function act(cookie: string, id: string, body: Record<string, unknown>): Promise<void> {
  const read = await callApi(cookie, "GET", `/api/v1/cases/${id}`);
  const response = await callApi(cookie, "POST", `/api/v1/cases/${id}/transitions`, body, { "if-match": read.headers.get("etag") ?? "" });
  expect(response.status, await response.clone().text()).toBe(200);
}

type Found = { id: string; number: string; status: string; createdAt: string; source: string };

/** The cases whose text holds `words`, as the console's API lists them. */
async function casesWith(words: string): Promise<Found[]> {
  const response = await callApi(dispatcher, "GET", `/api/v1/cases?q=${encodeURIComponent(words)}&limit=50`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { cases: Found[] }).cases;
}

/** A case in the community, registered and dispatched to the community's own centre. */
async function taskForWorker(description: string): Promise<{ id: string; number: string }> {
  const centre = await apiSignIn(CENTRE);
  const created = await callApi(dispatcher, "POST", "/api/v1/cases", { description, gridCode, source: "hotline" });
  expect(created.status, await created.clone().text()).toBe(201);
  const { case: found } = (await created.json()) as { case: { id: string; number: string } };
  await act(centre, found.id, { action: "accept" });
  await act(centre, found.id, { action: "register" });
  await act(centre, found.id, { action: "dispatch", to: { divisionCode: COMMUNITY } });
  return found;
}

/** A grid worker's phone: 390×844, touch, GPS at `at`, signed in to the field app; `clock` installs a clock the test moves. */
async function phone(at = inside, clock?: Date, username = WORKER): Promise<Page> {
  if (!browser) throw new Error("The browser did not start");
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    geolocation: at,
    permissions: ["geolocation"],
  });
  context.setDefaultTimeout(UI_TIMEOUT);
  contexts.push(context);
  await collectCspViolations(context, violations);
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(error.message));
  if (clock) await page.clock.install({ time: clock });
  await page.goto(`${baseUrl()}/field`);
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await page.getByRole("heading", { name: "我的任务" }).waitFor();
  return page;
}

async function tab(page: Page, name: string): Promise<void> {
  await page.getByRole("navigation").getByRole("link", { name: new RegExp(`^${name}`) }).click();
}

/** A report as the worker takes it: a photo, the GPS point, the words; with `onSpot`, an after-photo too. */
async function report(page: Page, description: string, screenshot?: string, onSpot = false): Promise<void> {
  await tab(page, "上报");
  await page.getByLabel("现场照片").setInputFiles({ name: "scene.jpg", mimeType: "image/jpeg", buffer: photo });
  await page.getByRole("button", { name: "删除照片 1" }).waitFor();
  if (onSpot) {
    await page.getByLabel("已就地处置").check();
    await page.getByLabel("处置后照片").setInputFiles({ name: "after.jpg", mimeType: "image/jpeg", buffer: photo });
    await page.getByRole("button", { name: "删除照片 1" }).nth(1).waitFor();
  }
  await page.getByRole("button", { name: "获取定位" }).click();
  await page.getByTestId("report-point").waitFor();
  await page.getByLabel("问题描述").fill(description);
  if (screenshot) await screenshots(page, screenshot);
  await page.getByRole("button", { name: "上报", exact: true }).click();
  await page.getByRole("status").filter({ hasText: /已保存|已上报/ }).waitFor();
}

/** A page at 390×844 (in docs/ and .tmp/) and at the narrowest phones, 360 px (.tmp/). */
async function screenshots(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(TMP, `${name}-390.png`) });
  await page.screenshot({ path: path.join(DOCS, `${name}.png`) });
  await page.setViewportSize({ width: 360, height: 780 });
  await page.screenshot({ path: path.join(TMP, `${name}-360.png`) });
  await page.setViewportSize({ width: 390, height: 844 });
}

async function openTask(page: Page, number: string): Promise<void> {
  await tab(page, "任务");
  await page.getByRole("link").filter({ hasText: number }).click();
  await page.getByRole("region", { name: "操作" }).waitFor();
}

/** An action on the open task, with a note and, for handling, an after-photo. */
async function takeAction(page: Page, action: string, note?: string): Promise<void> {
  const actions = page.getByRole("region", { name: "操作" });
  await actions.getByRole("button", { name: action, exact: true }).click();
  const form = page.getByRole("form", { name: action });
  if (note) await form.getByLabel("说明").fill(note);
  const photoLabel = action === "处置完成" ? "处置后照片" : /核查|抽查/.test(action) ? "核查照片" : null;
  if (photoLabel) {
    await form.getByLabel(photoLabel).setInputFiles({ name: "check.jpg", mimeType: "image/jpeg", buffer: photo });
    await form.getByRole("button", { name: "删除照片 1" }).waitFor();
  }
  await form.getByRole("button", { name: action, exact: true }).click();
  await form.waitFor({ state: "detached" });
}

async function waitingCount(page: Page): Promise<string> {
  await tab(page, "待发送");
  return (await page.getByTestId("outbox-count").textContent()) ?? "";
}

async function nothingWaiting(page: Page): Promise<void> {
  await tab(page, "待发送");
  await page.getByTestId("outbox-count").filter({ hasText: "没有等待发送的内容" }).waitFor();
}

beforeAll(async () => {
  server = await startDemoServer();
  browser = await launchChromium();
  dispatcher = await apiSignIn("dispatcher");
  // A point inside one of the community's grids: the middle of its outline, checked by the locate API.
  const grids = (await (await callApi(dispatcher, "GET", `/api/v1/grids?division=${COMMUNITY}`)).json()) as {
    features: { properties: { code: string }; geometry: { coordinates: number[][][] } }[];
  };
  for (const grid of grids.features) {
    const ring = grid.geometry.coordinates[0];
    const lng = ring.reduce((sum, [x]) => sum + x, 0) / ring.length;
    const lat = ring.reduce((sum, [, y]) => sum + y, 0) / ring.length;
    const located = await callApi(dispatcher, "GET", `/api/v1/grids/locate?lat=${lat}&lng=${lng}`);
    if (located.status === 200 && ((await located.json()) as { grid: { code: string } }).grid.code === grid.properties.code) {
      inside = { latitude: lat, longitude: lng };
      gridCode = grid.properties.code;
      break;
    }
  }
  if (!inside) throw new Error(`No point found inside the grids of ${COMMUNITY}`);
  photo = await sharp({ create: { width: 2400, height: 1800, channels: 3, background: { r: 90, g: 120, b: 80 } } })
    .jpeg({ quality: 95 })
    .toBuffer();
  await mkdir(TMP, { recursive: true });
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  expect(pageErrors.splice(0)).toEqual([]);
  expect(violations.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("the field app", () => {
  it("keeps two reports and a handling taken offline and sends each exactly once, in order, when the network returns", async () => {
    const task = await taskForWorker("巷道堆放建筑垃圾，需清理");
    const page = await phone();
    await page.getByRole("link").filter({ hasText: task.number }).waitFor();
    await screenshots(page, "field-tasks");
    await openTask(page, task.number);
    await takeAction(page, "签收");
    await page.getByRole("region", { name: "操作" }).getByRole("button", { name: "处置完成" }).waitFor();

    await page.context().setOffline(true);
    await report(page, "离线上报一：井盖破损", "field-report");
    await report(page, "离线上报二：路灯不亮");
    await openTask(page, task.number);
    await takeAction(page, "处置完成", "已清理完毕");
    expect(await waitingCount(page)).toBe("3 项等待发送");
    expect(await page.getByTestId("outbox-item").filter({ hasText: "等待发送" }).count()).toBe(3);

    await page.context().setOffline(false);
    await nothingWaiting(page);

    const [first] = await casesWith("离线上报一");
    const [second] = await casesWith("离线上报二");
    expect(await casesWith("离线上报一")).toHaveLength(1);
    expect(await casesWith("离线上报二")).toHaveLength(1);
    expect(first.source).toBe("grid_worker");
    const detail = (await (await callApi(dispatcher, "GET", `/api/v1/cases/${task.id}`)).json()) as {
      case: { status: string };
      photos: { kind: string | null }[];
      timeline: { action: string; at: string }[];
    };
    expect(detail.case.status).toBe("handled");
    expect(detail.timeline.filter((event) => event.action === "handle")).toHaveLength(1);
    expect(detail.photos.some((p) => p.kind === "after")).toBe(true);
    const handledAt = detail.timeline.find((event) => event.action === "handle")!.at;
    expect(first.createdAt < second.createdAt && second.createdAt < handledAt).toBe(true);
    const firstPhotos = (await (await callApi(dispatcher, "GET", `/api/v1/cases/${first.id}`)).json()) as { photos: { width: number }[] };
    // Compressed on the phone: the long side at most 1600 px.
    expect(firstPhotos.photos).toHaveLength(1);
    expect(firstPhotos.photos[0].width).toBeLessThanOrEqual(1600);
  });

  it("loses and doubles nothing while the server answers 500 for a while, even when it acted before failing", async () => {
    const page = await phone();
    let failing = true;
    let created = 0;
    await page.route("**/api/v1/{cases,attachments}", async (route) => {
      if (route.request().method() !== "POST" || !failing) return route.fallback();
      if (route.request().url().endsWith("/cases") && created++ === 0) {
        // The server makes the case, then the answer is lost on the way back.
        await route.fetch();
      }
      return route.fulfill({ status: 500, contentType: "application/json", body: JSON.stringify({ error: { code: "internal", message: "Internal error" } }) });
    });
    await report(page, "服务器故障期间上报一：占道经营");
    await report(page, "服务器故障期间上报二：绿化带缺损");
    expect(await waitingCount(page)).toBe("2 项等待发送");
    await page.getByText(/上次发送失败/).waitFor();

    failing = false;
    await page.getByRole("button", { name: "立即发送" }).click();
    await nothingWaiting(page);
    expect(await casesWith("服务器故障期间上报一")).toHaveLength(1);
    expect(await casesWith("服务器故障期间上报二")).toHaveLength(1);
    const [one] = await casesWith("服务器故障期间上报一");
    const [two] = await casesWith("服务器故障期间上报二");
    expect(one.createdAt < two.createdAt).toBe(true);
  });

  it("keeps a report the server refuses on the device with the reason, across a reload", async () => {
    const page = await phone(OUTSIDE);
    await report(page, "区外的点位：测试退回");
    await tab(page, "待发送");
    const item = page.getByTestId("outbox-item").filter({ hasText: "区外的点位" });
    await item.getByRole("alert").filter({ hasText: "outside_district" }).waitFor();
    await page.reload();
    await tab(page, "待发送");
    await page.getByTestId("outbox-item").filter({ hasText: "区外的点位" }).getByRole("alert").waitFor();
    expect(await casesWith("区外的点位")).toHaveLength(0);
    expect(await waitingCount(page)).toBe("1 项等待发送");

    // Signing out asks first while an item waits, then clears the phone.
    const asked: string[] = [];
    page.once("dialog", (dialog) => {
      asked.push(dialog.message());
      void dialog.accept();
    });
    await page.getByRole("button", { name: "退出" }).click();
    await page.getByRole("button", { name: "登录" }).waitFor();
    expect(asked).toEqual(["还有 1 项等待发送，退出会把它们从本机删除。确定退出吗？"]);
    await page.getByLabel("用户名").fill(WORKER);
    await page.getByLabel("密码").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "登录" }).click();
    await nothingWaiting(page);
  });

  it("closes a problem handled on the spot at community level with the finder as handler, for the supervisor's sample review", async () => {
    const page = await phone();
    await report(page, "就地处置：清理小广告", undefined, true);
    await page.getByRole("status").filter({ hasText: "已上报" }).waitFor();
    await nothingWaiting(page);
    const [found] = await casesWith("就地处置：清理小广告");
    expect(found).toMatchObject({ status: "closed", level: "community", source: "grid_worker" });
    const detail = (await (await callApi(dispatcher, "GET", `/api/v1/cases/${found.id}`)).json()) as {
      case: { handledOnSpot: boolean; assignment: Record<string, string> | null };
      photos: { kind: string | null }[];
    };
    const me = (await (await callApi(await apiSignIn(WORKER), "GET", "/api/v1/auth/me")).json()) as { user: { id: string } };
    expect(detail.case.handledOnSpot).toBe(true);
    expect(Object.values(detail.case.assignment ?? {})).toContain(me.user.id);
    expect(detail.photos.map((p) => p.kind).sort()).toEqual(["after", "before"]);
    const supervisors = (await (await callApi(dispatcher, "GET", `/api/v1/users?role=supervisor&division=${COMMUNITY.slice(0, 9)}&limit=50`)).json()) as {
      users: { username: string; scopeCode: string | null }[];
    };
    const supervisorName = supervisors.users.find((user) => user.scopeCode === COMMUNITY.slice(0, 9))!.username;
    const supervisor = await apiSignIn(supervisorName);
    const review = (await (await callApi(supervisor, "GET", "/api/v1/cases?handledOnSpot=true&reviewed=false&status=closed&limit=200")).json()) as { cases: { id: string }[] };
    expect(review.cases.map((row) => row.id)).toContain(found.id);

    // The supervisor samples it on their own phone, with a photo of the place.
    const inspector = await phone(inside, undefined, supervisorName);
    await openTask(inspector, found.number);
    await takeAction(inspector, "抽查通过");
    await nothingWaiting(inspector);
    const reviewed = (await (await callApi(dispatcher, "GET", `/api/v1/cases/${found.id}`)).json()) as { case: { spotReview: string | null }; photos: { kind: string | null }[] };
    expect(reviewed.case.spotReview).toBe("passed");
    expect(reviewed.photos.map((p) => p.kind)).toContain("verification");
  });

  it("records a patrol's track with the gap where the phone fell silent, and counts no distance across it", async () => {
    // An hour ago, so that the minutes the test moves the clock on stay in the server's past.
    const start = new Date(Date.now() - 3_600_000);
    const page = await phone(inside, start);
    await tab(page, "巡查");
    await page.getByRole("button", { name: "开始巡查" }).click();
    const summary = page.getByTestId("patrol-summary");
    await summary.filter({ hasText: "已记录 1 个" }).waitFor();
    // About 111 m north every half minute, then five silent minutes, then on again.
    const walk = [
      { after: 30_000, north: 0.001 },
      { after: 300_000, north: 0.002 },
      { after: 30_000, north: 0.003 },
    ];
    for (const [i, step] of walk.entries()) {
      await page.clock.fastForward(step.after);
      await page.context().setGeolocation({ latitude: inside.latitude + step.north, longitude: inside.longitude });
      await summary.filter({ hasText: `已记录 ${i + 2} 个` }).waitFor();
    }
    await summary.filter({ hasText: "中断 1 处" }).waitFor();
    await page.screenshot({ path: path.join(TMP, "field-patrol-390.png") });
    await page.getByRole("button", { name: "结束巡查" }).click();
    await nothingWaiting(page);

    const supervisors = (await (await callApi(dispatcher, "GET", `/api/v1/users?role=supervisor&division=${COMMUNITY.slice(0, 9)}&limit=50`)).json()) as {
      users: { username: string; scopeCode: string | null }[];
    };
    const supervisorName = supervisors.users.find((user) => user.scopeCode === COMMUNITY.slice(0, 9))!.username;
    const supervisor = await apiSignIn(supervisorName);
    const day = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(start);
    const answer = await callApi(supervisor, "GET", `/api/v1/patrols?division=${COMMUNITY}&from=${day}&to=${day}`);
    expect(answer.status, await answer.clone().text()).toBe(200);
    const { days } = (await answer.json()) as { days: { name: string; patrols: number; gaps: number; distanceMeters: number; durationSeconds: number }[] };
    expect(days).toHaveLength(1);
    expect(days[0]).toMatchObject({ patrols: 1, gaps: 1 });
    // Two walked steps of 0.001° latitude (about 111 m each); the jump across the gap is not counted.
    expect(days[0].distanceMeters).toBeGreaterThan(215);
    expect(days[0].distanceMeters).toBeLessThan(230);

    // The supervisor's phone shows the worker's day: time, distance, one gap, and the gap's times on a tap.
    const overseer = await phone(inside, undefined, supervisorName);
    await tab(overseer, "巡查");
    await overseer.getByRole("heading", { name: "网格员巡查统计" }).waitFor();
    // An hour ago may have been yesterday in China.
    if (day !== new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date())) await overseer.getByRole("button", { name: "前一天" }).click();
    const row = overseer.getByTestId("patrol-day").filter({ hasText: days[0].name });
    await row.filter({ hasText: `巡查时长 ${Math.round(days[0].durationSeconds / 60)} 分钟` }).filter({ hasText: `里程 ${days[0].distanceMeters} m` }).filter({ hasText: "中断 1 处" }).waitFor();
    await row.getByRole("button").click();
    const gaps = row.getByRole("list", { name: "轨迹中断" }).getByRole("listitem");
    await gaps.filter({ hasText: /^\d{2}:\d{2}–\d{2}:\d{2} 定位中断 \d+ 分钟$/ }).waitFor();
    expect(await gaps.count()).toBe(1);
    await overseer.screenshot({ path: path.join(TMP, "field-patrol-days-390.png") });
  });

  it("opens from the service worker with the network off after one visit", async () => {
    const page = await phone();
    // The worker installed on the first visit (its cache filled), not yet in control of this page.
    await expect
      .poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration("/field/"))?.active?.state), { timeout: UI_TIMEOUT })
      .toBe("activated");
    await page.reload();
    await page.getByRole("heading", { name: "我的任务" }).waitFor();
    await page.context().setOffline(true);
    const response = await page.reload();
    expect(response?.fromServiceWorker()).toBe(true);
    await page.getByRole("heading", { name: "我的任务" }).waitFor();
    // The tasks are the copy kept on the device: the API could not be reached.
    await page.getByText(/^离线副本，保存于/).waitFor();
    await tab(page, "上报");
    await page.getByRole("heading", { name: "上报问题" }).waitFor();
    // The map is a chunk of its own, kept by the worker too: the pin moves offline, over the
    // community's grids copied at sign-in.
    await page.getByRole("button", { name: "获取定位" }).click();
    await page.getByTestId("report-point").filter({ hasText: "精度约" }).waitFor();
    await page.getByRole("button", { name: "在地图上调整位置" }).click();
    const map = page.getByRole("region", { name: "位置" });
    // The point and at least one grid.
    await map.locator("path").nth(1).waitFor();
    const box = await map.boundingBox();
    await page.mouse.click(box!.x + box!.width / 2 + 40, box!.y + box!.height / 2);
    await page.getByTestId("report-point").filter({ hasText: "地图选点" }).waitFor();
  });
});

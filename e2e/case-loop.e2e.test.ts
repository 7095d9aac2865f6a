import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, REPO_ROOT, startDemoServer } from "./server.ts";
import { confirmDialog, launchChromium, openCaseAction, UI_TIMEOUT } from "./browser.ts";

const TMP = path.join(REPO_ROOT, ".tmp");

let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
/** What any page threw or logged as an error; a screen that works logs none. */
const pageErrors: string[] = [];

type Place = { gridCode: string; gridName: string; communityCode: string; communityName: string; streetCode: string };
/** Two communities of the demo district, each with a grid, and the supervisor of the first one's street. */
let places: { home: Place; other: Place; supervisor: string };

function baseUrl(): string {
  if (!server) throw new Error("The server did not start");
  return server.url;
}

/** A person at their own browser: a fresh context, signed in as `username` on the page `url`. */
async function personAt(username: string, url: string, width = 1366): Promise<Page> {
  if (!browser) throw new Error("The browser did not start");
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  context.setDefaultTimeout(UI_TIMEOUT);
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (error) => pageErrors.push(`${username}: ${error.message}`));
  await page.goto(baseUrl() + url);
  await page.getByLabel("用户名", { exact: true }).fill(username);
  await page.getByLabel("密码", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await page.getByLabel("用户名", { exact: true }).waitFor({ state: "detached" });
  return page;
}

async function displayName(page: Page): Promise<string> {
  const answer = await page.request.get(`${baseUrl()}/api/v1/auth/me`);
  return ((await answer.json()) as { user: { displayName: string } }).user.displayName;
}

async function takeAction(page: Page, action: string): Promise<void> {
  await confirmDialog(page, await openCaseAction(page, action));
}

async function statusIs(page: Page, status: string): Promise<void> {
  await page.locator(".case-header__status").filter({ hasText: new RegExp(`^${status}$`) }).waitFor();
}

/**
 * A seat operator takes a call with the keyboard alone: number, name, a few characters of the
 * place picked from the list, the description, Ctrl+Enter to preview, Enter to create. Answers
 * the case number read to the caller and the case's page.
 */
async function takeCall(
  page: Page,
  place: Place,
  description: string,
  { screenshot, expectSuggestion }: { screenshot?: string; expectSuggestion?: string } = {},
): Promise<{ number: string; href: string }> {
  await page.getByLabel("来电号码").waitFor();
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("phone");
  await page.keyboard.type("13987654321");
  await page.keyboard.press("Tab");
  await page.keyboard.type("李先生");
  await page.keyboard.press("Tab");
  await page.keyboard.type(place.gridName);
  // The list's options are announced to screen readers; the first, the closest name, is active.
  await page.getByRole("option", { name: place.gridName }).first().waitFor({ state: "attached" });
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  await page.keyboard.type(description);
  if (expectSuggestion) await page.getByText(`建议类别：${expectSuggestion}`).waitFor();
  if (screenshot) {
    await mkdir(TMP, { recursive: true });
    await page.screenshot({ path: screenshot });
  }
  await page.keyboard.press("Control+Enter");
  const preview = page.getByRole("region", { name: "创建前核对" });
  await preview.getByText(place.gridCode).waitFor();
  await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("确认创建");
  await page.keyboard.press("Enter");
  const number = page.getByLabel("案件编号");
  await number.waitFor();
  const text = (await number.textContent())?.trim() ?? "";
  expect(text).toMatch(/^\d{6}-\d{8}-\d{5}$/);
  const href = await page.getByRole("link", { name: "查看案件" }).getAttribute("href");
  if (!href) throw new Error("No link to the created case");
  return { number: text, href };
}

beforeAll(async () => {
  server = await startDemoServer();
  browser = await launchChromium();
  // Where the calls come from: read as the administrator, as a test's own setup.
  const admin = await personAt("admin", "/");
  const grids = (await (await admin.request.get(`${baseUrl()}/api/v1/grids?division=530103`)).json()) as {
    features: { properties: { code: string; name: string; communityCode: string; communityName: string; streetCode: string } }[];
  };
  const byCommunity = new Map<string, Place>();
  for (const { properties: grid } of grids.features) {
    if (!byCommunity.has(grid.communityCode)) {
      byCommunity.set(grid.communityCode, { gridCode: grid.code, gridName: grid.name, communityCode: grid.communityCode, communityName: grid.communityName, streetCode: grid.streetCode });
    }
  }
  const [home, other] = [...byCommunity.values()];
  const supervisors = (await (await admin.request.get(`${baseUrl()}/api/v1/users?role=supervisor&division=${home.streetCode}&limit=10`)).json()) as {
    users: { username: string; scopeCode: string | null }[];
  };
  const supervisor = supervisors.users.find((user) => user.scopeCode === home.streetCode)?.username;
  if (!supervisor) throw new Error(`No supervisor in street ${home.streetCode}`);
  places = { home, other, supervisor };
  await admin.context().close();
});

afterEach(async ({ task }) => {
  if (task.result?.state !== "fail") return;
  // What each person's screen showed when the test failed, as artifacts beside the error.
  await mkdir(TMP, { recursive: true });
  let index = 0;
  for (const context of contexts) {
    for (const page of context.pages()) {
      await page.screenshot({ path: path.join(TMP, `case-loop-failure-${++index}.png`), fullPage: true }).catch(() => undefined);
    }
  }
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe("the case loop in the console", () => {
  it("a call becomes a case that is accepted, registered, dispatched, handled with a photo, verified and closed, every step in its timeline", async () => {
    const { home, supervisor } = places;
    // The community's centre has its queue open before the call comes in.
    const dispatcher = await personAt(`community-${home.communityCode}`, "/console/cases?queue=centre");
    await dispatcher.getByRole("table", { name: /^案件列表/ }).waitFor();
    await dispatcher.evaluate(() => Object.assign(window, { stillTheSamePage: true }));

    const seat = await personAt("seat-01", "/console/intake");
    const { number, href } = await takeCall(seat, home, "小区门口满地垃圾，好几天没人清理，味道很大", {
      screenshot: path.join(TMP, "intake.png"),
      expectSuggestion: "暴露垃圾",
    });
    const seatName = await displayName(seat);

    // The community's centre owns a community-level case.
    // The new case appears in the open queue without a reload, and the dispatcher opens it.
    await dispatcher.getByRole("link", { name: `打开案件 ${number}` }).click();
    expect(await dispatcher.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(true);
    // The case's page, with the queue it was opened from in `?from=`.
    await dispatcher.waitForURL((url) => url.pathname === href);
    await dispatcher.locator(".case-number--large").filter({ hasText: number }).waitFor();
    await statusIs(dispatcher, "待受理");
    await takeAction(dispatcher, "受理");
    await statusIs(dispatcher, "待立案");

    const register = await openCaseAction(dispatcher, "立案");
    // The category suggested from the caller's words is preselected.
    await register.getByText("暴露垃圾").first().waitFor();
    await confirmDialog(dispatcher, register);
    await statusIs(dispatcher, "待派遣");
    await dispatcher.getByRole("region", { name: "可执行操作" }).getByRole("button", { name: "派遣", exact: true }).waitFor();
    await mkdir(TMP, { recursive: true });
    // What a dispatcher sees with a case to dispatch; the confirmation toast gone first.
    await expect.poll(() => dispatcher.locator(".ant-message-notice").count(), { timeout: UI_TIMEOUT }).toBe(0);
    await dispatcher.screenshot({ path: path.join(TMP, "case-detail.png"), fullPage: true });

    const dispatch = await openCaseAction(dispatcher, "派遣");
    await dispatch.getByText("盘龙区城市管理局").waitFor();
    await confirmDialog(dispatcher, dispatch);
    await statusIs(dispatcher, "待签收");
    const dispatcherName = await displayName(dispatcher);

    const handler = await personAt("handler-cgj-1", href);
    await statusIs(handler, "待签收");
    await takeAction(handler, "签收");
    await statusIs(handler, "处置中");
    const handle = await openCaseAction(handler, "处置反馈");
    await handle.getByLabel("办理意见").fill("已安排环卫清运，现场已清理干净");
    const photo = await sharp({ create: { width: 320, height: 240, channels: 3, background: "#4a7" } }).jpeg().toBuffer();
    const chooser = handler.waitForEvent("filechooser");
    await handle.getByRole("button", { name: "上传照片" }).click();
    await (await chooser).setFiles({ name: "after.jpg", mimeType: "image/jpeg", buffer: photo });
    await handle.getByRole("img", { name: "after.jpg" }).or(handle.locator(".ant-upload-list-item-done")).first().waitFor();
    await confirmDialog(handler, handle);
    await statusIs(handler, "待核查");
    const handlerName = await displayName(handler);

    const inspector = await personAt(supervisor, href);
    await statusIs(inspector, "待核查");
    // The after-photo is there to check against, full size on click.
    const after = inspector.getByRole("img", { name: "处置后照片 1" });
    await after.waitFor();
    await after.click();
    const full = inspector.locator(".ant-image-preview-img");
    await full.waitFor();
    expect(await full.evaluate((image) => (image as HTMLImageElement).naturalWidth)).toBe(320);
    await inspector.keyboard.press("Escape");
    await full.waitFor({ state: "detached" });
    await takeAction(inspector, "核查通过");
    await statusIs(inspector, "已结案");
    const inspectorName = await displayName(inspector);

    const timeline = inspector.locator(".case-timeline__event");
    const steps = [
      ["上报", seatName],
      ["受理", dispatcherName],
      ["立案", dispatcherName],
      ["派遣", dispatcherName],
      ["签收", handlerName],
      ["处置反馈", handlerName],
      ["核查通过", inspectorName],
    ] as const;
    await expect.poll(() => timeline.count()).toBe(steps.length);
    for (const [index, [action, actor]] of steps.entries()) {
      const event = timeline.nth(index);
      expect(await event.locator(".case-timeline__action").textContent()).toBe(action);
      expect(await event.locator(".case-timeline__actor").textContent()).toContain(actor);
    }
    await inspector.getByText("已安排环卫清运，现场已清理干净").waitFor();

    await expect.poll(() => inspector.locator(".ant-message-notice").count(), { timeout: UI_TIMEOUT }).toBe(0);
    await inspector.screenshot({ path: path.join(TMP, "case-closed.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it("a second dispatcher acting on a case someone changed meanwhile is told 已被他人修改, and nothing is overwritten", async () => {
    const seat = await personAt("seat-02", "/console/intake");
    const { href } = await takeCall(seat, places.home, "路口的垃圾桶坏了，盖子掉了");

    const first = await personAt("dispatcher", href);
    const second = await personAt("dispatcher-2", href);
    await statusIs(first, "待受理");
    await statusIs(second, "待受理");

    // The second is writing a note when the first accepts the case.
    const dialog = await openCaseAction(second, "受理");
    await dialog.getByLabel("办理意见").fill("第二位指挥员的意见");
    await takeAction(first, "受理");
    await statusIs(first, "待立案");
    await dialog.getByRole("button", { name: "确定" }).click();
    await second.getByRole("alert").filter({ hasText: "已被他人修改" }).waitFor();
    // The case is read again: the first dispatcher's step, once, and not the second's note.
    await statusIs(second, "待立案");
    const accepted = second.locator(".case-timeline__event").filter({ has: second.locator(".case-timeline__action", { hasText: /^受理$/ }) });
    await expect.poll(() => accepted.count()).toBe(1);
    expect(await accepted.locator(".case-timeline__actor").textContent()).toContain(await displayName(first));
    expect(await second.getByText("第二位指挥员的意见").count()).toBe(0);
  });

  it("a caller reporting an open case again is attached to it from the preview instead of making a second case", async () => {
    const first = await personAt("seat-04", "/console/intake");
    const { number, href } = await takeCall(first, places.home, "公园门口的路灯不亮，晚上很黑");
    const seat = await personAt("seat-05", "/console/intake");
    await seat.getByLabel("来电号码").fill("13700001111");
    await seat.getByLabel("地点").fill(places.home.gridName);
    await seat.getByRole("option", { name: places.home.gridName }).first().waitFor({ state: "attached" });
    await seat.keyboard.press("Enter");
    await seat.getByLabel("问题描述").fill("公园门口路灯不亮，晚上太黑了");
    await seat.getByRole("button", { name: "预览" }).click();
    const duplicate = seat.getByRole("region", { name: "创建前核对" }).getByRole("listitem").filter({ hasText: number });
    await duplicate.getByRole("button", { name: "关联到此案件" }).click();
    await seat.getByText("来电已关联到已有案件").waitFor();
    expect(((await seat.getByLabel("案件编号").textContent()) ?? "").trim()).toBe(number);

    const dispatcher = await personAt("dispatcher", href);
    const followUp = dispatcher.locator(".case-timeline__event").filter({ has: dispatcher.locator(".case-timeline__action", { hasText: /^追加来电$/ }) });
    await followUp.waitFor();
    await followUp.getByText("公园门口路灯不亮，晚上太黑了").waitFor();
    await followUp.getByText("137****1111").waitFor();
  });

  it("a half-filled call survives a session that expires mid-call and is there again after signing in", async () => {
    const seat = await personAt("seat-06", "/console/intake");
    await seat.getByLabel("来电号码").fill("13600002222");
    await seat.getByLabel("问题描述").fill("井盖松动，车一压就响");
    // The session ends on the server side while the operator is still typing.
    await seat.context().clearCookies();
    // Typing on sends a request that finds the session gone; the live event stream may find it
    // first and put the sign-in in the form's place while the field is being typed into.
    await seat.getByLabel("地点").fill("尚义", { timeout: 5_000 }).catch(() => undefined);
    await seat.getByLabel("用户名", { exact: true }).waitFor();
    await seat.getByLabel("用户名", { exact: true }).fill("seat-06");
    await seat.getByLabel("密码", { exact: true }).fill(DEMO_PASSWORD);
    await seat.getByRole("button", { name: "登录", exact: true }).click();
    await seat.getByText("已恢复登录前未提交的来电记录").waitFor();
    expect(await seat.getByLabel("来电号码").inputValue()).toBe("13600002222");
    expect(await seat.getByLabel("问题描述").inputValue()).toBe("井盖松动，车一压就响");
  });

  it("a community worker who opens another community's case by its URL sees not found", async () => {
    const seat = await personAt("seat-03", "/console/intake");
    const { href, number } = await takeCall(seat, places.home, "楼道里堆满了杂物，影响通行");
    const worker = await personAt(`gw-${places.other.communityCode}-1`, href);
    await worker.getByText("未找到该案件").waitFor();
    expect(await worker.getByText(number).count()).toBe(0);
  });
});

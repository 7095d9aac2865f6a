import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, startDemoServer } from "./server.ts";
import { apiSession, launchChromium, openCaseAction, openPage, UI_TIMEOUT } from "./browser.ts";
import { signInAt } from "./sign-in.ts";

const SCREENSHOT_DIR = path.join(REPO_ROOT, ".tmp");
// A grid of 尚义社区 (拓东街道).
const SHANGYI = "530103001001001";

let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const violations: string[] = [];

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

/** One workflow action through the API, as a script or another console would take it. */
async function act(cookie: string, id: string, body: Record<string, unknown>): Promise<void> {
  const read = await callApi(cookie, "GET", `/api/v1/cases/${id}`);
  const response = await callApi(cookie, "POST", `/api/v1/cases/${id}/transitions`, body, { "if-match": read.headers.get("etag") ?? "" });
  expect(response.status, await response.clone().text()).toBe(200);
}

/** A case the district centre reports, registers and dispatches to 城管局 (cgj). */
async function dispatchToCgj(dispatcher: string, description: string): Promise<{ id: string; number: string }> {
  const created = await callApi(dispatcher, "POST", "/api/v1/cases", { description, gridCode: SHANGYI, source: "hotline", reporter: { phone: "13812345678" } });
  expect(created.status, await created.clone().text()).toBe(201);
  const { case: found } = (await created.json()) as { case: { id: string; number: string } };
  await act(dispatcher, found.id, { action: "accept" });
  await act(dispatcher, found.id, { action: "register", level: "district", categoryCode: "event.street_order.road_occupation" });
  await act(dispatcher, found.id, { action: "dispatch", to: { departmentCode: "cgj" } });
  return found;
}

async function newPage(width = 1366, height = 768): Promise<Page> {
  return openPage(browser, contexts, violations, { viewport: { width, height } });
}

async function signIn(page: Page, username: string, at = "/"): Promise<void> {
  await signInAt(page, `${baseUrl()}${at}`, username);
}

const poll = <T>(value: () => T | Promise<T>) => expect.poll(value, { timeout: UI_TIMEOUT, interval: 100 });
/** The bell's unread count, as its label tells it. */
const unreadOf = async (page: Page) => {
  const label = (await page.getByRole("button", { name: /^消息通知/ }).getAttribute("aria-label")) ?? "";
  return Number(label.match(/(\d+) 条未读/)?.[1] ?? 0);
};

beforeAll(async () => {
  server = await startDemoServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  violations.splice(0);
});

describe("notifications and response templates", () => {
  it("rings a handler's bell for a dispatch to their department without a reload; opening it leads to the case and reads it", async () => {
    const handler = await newPage();
    await signIn(handler, "handler-cgj-2");
    const bell = handler.getByRole("button", { name: /^消息通知/ });
    await bell.waitFor();
    const before = await unreadOf(handler);

    const dispatcher = await apiSignIn("dispatcher");
    const first = await dispatchToCgj(dispatcher, "人行道上有人摆摊卖水果，行人只能走机动车道");
    await poll(() => unreadOf(handler)).toBe(before + 1);
    const second = await dispatchToCgj(dispatcher, "菜市场门口流动摊贩占道经营");
    await poll(() => unreadOf(handler)).toBe(before + 2);

    await bell.click();
    const list = handler.getByLabel("消息通知", { exact: true });
    const item = list.getByRole("button").filter({ hasText: first.number });
    await item.waitFor();
    await expect(list.getByRole("button").filter({ hasText: second.number }).textContent()).resolves.toContain("新任务");
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    // The list as it rests, not halfway through the popover's opening animation.
    await list.evaluate((element) => Promise.all((element.closest(".ant-popover") ?? element).getAnimations({ subtree: true }).map((animation) => animation.finished)));
    await handler.screenshot({ path: path.join(SCREENSHOT_DIR, "notifications-1366.png") });

    await item.click();
    await handler.waitForURL(new RegExp(`/console/cases/${first.id}$`));
    await handler.getByText(first.number, { exact: true }).first().waitFor();
    await poll(() => unreadOf(handler)).toBe(before + 1);
    // The bell and its list work under the app's Content-Security-Policy.
    expect(violations).toEqual([]);
  });

  it("fills a response template's placeholders into a dispatcher's note", async () => {
    const dispatcherApi = await apiSignIn("dispatcher");
    const found = await dispatchToCgj(dispatcherApi, "桥下有人占道卖菜，堵住了人行道");
    const page = await newPage();
    await signIn(page, "dispatcher-2", `/console/cases/${found.id}`);
    const dialog = await openCaseAction(page, "督办");
    await dialog.getByLabel("常用语").click();
    await page.locator(".ant-select-item-option").filter({ hasText: "督办提醒" }).click();
    const note = dialog.getByLabel("办理意见");
    await poll(() => note.inputValue()).toContain(found.number);
    const text = await note.inputValue();
    expect(text).toContain("盘龙区城市管理局");
    expect(text).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}前办结/);
    expect(text).not.toContain("{");
    await dialog.getByRole("button", { name: "确定" }).click();
    await dialog.waitFor({ state: "detached" });
    // The handlers of the department are told of the urging.
    const handler = await apiSignIn("handler-cgj-1");
    const listed = (await (await callApi(handler, "GET", "/api/v1/notifications")).json()) as { notifications: { caseId: string; kind: string }[] };
    expect(listed.notifications.filter((n) => n.caseId === found.id).map((n) => n.kind)).toEqual(["urged", "task"]);
  });
});

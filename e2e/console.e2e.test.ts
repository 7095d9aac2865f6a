import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, REPO_ROOT, startDemoServer } from "./server.ts";
import { apiSession, launchChromium, openPage, UI_TIMEOUT } from "./browser.ts";
import { signInAt } from "./sign-in.ts";

const SCREENSHOT_DIR = path.join(REPO_ROOT, ".tmp");
// Grids of 尚义社区 (street 拓东街道, 530103001) and of a community of another street.
const SHANGYI = "530103001001001";
const OTHER_STREET = "530103002001001";

let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
/** What the browsers refused under the Content-Security-Policy. */
const violations: string[] = [];
/** The cases this file reports, by name: their ids and numbers. */
const cases: Record<string, { id: string; number: string }> = {};

function baseUrl(): string {
  if (!server) throw new Error("The server did not start");
  return server.url;
}

/** A call to the API as `username`, the way a script would make it. */
async function callApi(cookie: string, method: string, url: string, body?: unknown): Promise<Response> {
  return fetch(`${baseUrl()}${url}`, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const apiSignIn = (username: string, password?: string) => apiSession(baseUrl(), username, password);

/** A browser of its own for one person, at the width of a command-centre laptop. */
async function newPage(width = 1366, height = 768): Promise<Page> {
  return openPage(browser, contexts, violations, { viewport: { width, height } });
}

async function signIn(page: Page, username: string, password = DEMO_PASSWORD, at = "/"): Promise<void> {
  await signInAt(page, `${baseUrl()}${at}`, username, password);
}

/** Refuses every request for `pattern`, as a dropped network would, until `restore()`. */
async function refuse(page: Page, pattern: string): Promise<{ refused: () => number; restore: () => void }> {
  let down = true;
  let refused = 0;
  await page.route(pattern, async (route) => {
    if (!down) return route.continue();
    refused++;
    return route.abort();
  });
  return { refused: () => refused, restore: () => void (down = false) };
}

/** Polls until the value matches; a screen may take a while to load on a busy machine. */
const poll = <T>(value: () => T | Promise<T>) => expect.poll(value, { timeout: UI_TIMEOUT, interval: 100 });
const menuLinks = (page: Page) => page.getByRole("navigation", { name: "主菜单" }).getByRole("link");
const caseRows = (page: Page) => page.getByRole("table", { name: /^案件列表/ }).locator("tbody tr.case-table__row");
const caseNumbers = async (page: Page) => (await page.locator(".case-table__row .case-number").allTextContents()).map((text) => text.trim());

beforeAll(async () => {
  server = await startDemoServer();
  browser = await launchChromium();

  // Cases for the queues to show: reported by a grid worker and by the hotline, in two streets.
  const admin = await apiSignIn("admin");
  const report = async (name: string, body: Record<string, unknown>) => {
    const response = await callApi(admin, "POST", "/api/v1/cases", body);
    expect(response.status, await response.clone().text()).toBe(201);
    const { case: created } = (await response.json()) as { case: { id: string; number: string } };
    cases[name] = created;
  };
  await report("manhole", { description: "小区门口的井盖不见了，晚上很危险", gridCode: SHANGYI, source: "grid_worker", urgency: "urgent", reporter: { phone: "13812345678" } });
  await report("streetlight", { description: "路灯不亮了，晚上很黑", gridCode: OTHER_STREET, source: "hotline" });
  await report("garbage", { description: "垃圾桶满了没人清理，气味很大", gridCode: SHANGYI, source: "hotline" });
  await report("noise", { description: "夜间施工噪音扰民", gridCode: OTHER_STREET, source: "hotline" });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  // Every screen works under the app's Content-Security-Policy.
  expect(violations.splice(0)).toEqual([]);
});

describe("console shell", () => {
  it("shows a grid worker the case pages and no administration pages", async () => {
    const page = await newPage();
    await signIn(page, "gw-530103001001-1");
    await page.waitForURL(/\/console\/cases$/);
    await poll(() => menuLinks(page).allTextContents()).toEqual(["案件队列", "网格地图"]);
    await poll(() => page.title()).toBe("案件队列 · gridgov");
    // Their queue holds only their community's cases.
    await poll(() => caseNumbers(page)).toEqual(expect.arrayContaining([cases.manhole.number, cases.garbage.number]));
    expect(await caseNumbers(page)).not.toContain(cases.streetlight.number);

    // The auditor, an administrator without case work, has the map only, and an unknown console URL is a 404 inside the shell.
    const auditor = await newPage();
    await signIn(auditor, "auditor");
    await auditor.waitForURL(/\/console\/map$/);
    await poll(() => menuLinks(auditor).allTextContents()).toEqual(["网格地图"]);
    await auditor.goto(`${baseUrl()}/console/no-such-page`);
    await auditor.getByRole("heading", { name: "页面不存在" }).waitFor();
    await poll(() => menuLinks(auditor).count()).toBe(1);
  });

  it("says the sign-in page could not be loaded, and loads it again on retry", async () => {
    const page = await newPage(390, 844);
    // Refused until the page has said so: the entry and the app both ask for the chunk, and a
    // single refusal would fail only whichever asked first.
    const network = await refuse(page, "**/assets/LoginPage-*");
    await page.goto(`${baseUrl()}/console/cases`);
    await page.getByText("无法连接服务器，请检查网络后重试。").waitFor();
    expect(network.refused()).toBeGreaterThan(0);
    network.restore();
    await page.getByRole("button", { name: /重\s*试/ }).click();
    await page.getByRole("button", { name: /登\s*录/ }).waitFor();
  });

  it("says so in plain words when the app's own code cannot be loaded, and loads the page on reload", async () => {
    const page = await newPage(1366, 768);
    // Signed in: nothing but the entry asks for the app's chunk (the sign-in page's chunk would too).
    const [name, value] = (await apiSignIn("dispatcher")).split("=");
    await page.context().addCookies([{ name, value, url: baseUrl() }]);
    // The app's chunk cannot be had (it is preloaded, then imported) until the network comes back.
    const network = await refuse(page, "**/assets/mount-*.js");
    await page.goto(`${baseUrl()}/console/cases`);
    const notice = page.getByRole("alert");
    await notice.getByText("页面未能加载，请检查网络后重新加载。").waitFor();
    expect(await notice.getByText("The page could not be loaded. Check the network and reload.").count()).toBe(1);
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "console-entry-failure.png") });
    expect(network.refused()).toBeGreaterThan(0);
    network.restore();
    await notice.getByRole("button", { name: "重新加载 · Reload" }).click();
    await poll(() => menuLinks(page).count()).toBeGreaterThan(0);
    await poll(() => page.title()).toBe("案件队列 · gridgov");
  });

  it("folds the menu to its icons on a narrow screen, and opening it there is not kept for a wide one", async () => {
    const page = await newPage(800, 900);
    await signIn(page, "dispatcher");
    await page.waitForURL(/\/console\/cases/);
    const toggle = page.locator(".app-header__toggle");
    const sider = page.locator(".console__sider");
    await poll(() => toggle.getAttribute("aria-expanded")).toBe("false");
    expect(Math.round((await sider.boundingBox())?.width ?? 0)).toBe(56);
    await toggle.click();
    await poll(async () => Math.round((await sider.boundingBox())?.width ?? 0)).toBe(200);
    expect(await page.evaluate(() => window.localStorage.getItem("gridgov.menuCollapsed"))).toBeNull();
    // Wider than a tablet: the menu as the wide screen had it, open.
    await page.setViewportSize({ width: 1366, height: 768 });
    await poll(() => toggle.getAttribute("aria-expanded")).toBe("true");
    // Narrow again: folded again.
    await page.setViewportSize({ width: 800, height: 900 });
    await poll(() => toggle.getAttribute("aria-expanded")).toBe("false");
  });

  it("styles Ant Design's components from the stylesheet built with the app, generating none of them in the page", async () => {
    const page = await newPage();
    await signIn(page, "dispatcher");
    await page.waitForURL(/\/console\/cases/);
    // A page loaded whole, as a link opens it: its first render uses the sheet.
    await page.goto(`${baseUrl()}/console/cases/${cases.manhole.id}`);
    await page.getByText(cases.manhole.number).first().waitFor();
    expect(await page.locator('link[rel="stylesheet"][href^="/assets/antd-"]').count()).toBe(1);
    // A component's styles generated at run time are a <style> of rules scoped by the theme's hash class.
    const generated = await page.evaluate(() =>
      [...document.querySelectorAll("style")].map((style) => style.textContent ?? "").filter((text) => text.includes(":where(.css-")).map((text) => text.slice(0, 80)),
    );
    expect(generated).toEqual([]);
    // The sheet's rules apply, in the console's theme: the current page's menu item in its primary colour.
    const selected = page.getByRole("navigation", { name: "主菜单" }).locator(".ant-menu-item-selected");
    expect(await selected.evaluate((item) => getComputedStyle(item).color)).toBe("rgb(31, 95, 191)");
  });

  it("returns the user to the page they asked for after signing in", async () => {
    const page = await newPage();
    await signIn(page, "leader", DEMO_PASSWORD, "/console/cases?source=hotline");
    await page.waitForURL(/\/console\/cases\?source=hotline$/);
    await poll(() => caseNumbers(page)).toEqual(
      expect.arrayContaining([cases.streetlight.number, cases.garbage.number, cases.noise.number]),
    );
    expect(await caseNumbers(page)).not.toContain(cases.manhole.number);
  });
});

describe("case queues", () => {
  it("lists the dispatcher's centre queue, keeps filters in the URL across a reload and the back button", async () => {
    const page = await newPage();
    await signIn(page, "dispatcher");
    await page.waitForURL(/\/console\/cases\?queue=centre$/);
    const queues = page.getByRole("radiogroup", { name: "队列" });
    await poll(() => queues.getByRole("radio", { name: /本中心待办/ }).isChecked()).toBe(true);
    // A click on a queue's label, as a user does (the radio inputs are styled away).
    await queues.locator("label").filter({ hasText: "全部案件" }).click();
    await page.waitForURL(/\/console\/cases$/);
    await poll(() => caseNumbers(page)).toEqual(expect.arrayContaining(Object.values(cases).map((c) => c.number)));

    // Each open case shows its light with words: reported now, it is in time.
    const manholeRow = caseRows(page).filter({ hasText: cases.manhole.number });
    await poll(() => manholeRow.locator(".deadline__words").textContent()).toMatch(/^(剩 \d+ 工作(日|小时|分钟)|临期 · 剩 .+)$/);
    expect(await manholeRow.getByText("紧急").count()).toBe(1);
    expect(await manholeRow.getByText("待受理").count()).toBe(1);

    // Filters: the hotline's cases, then a search.
    await page.getByRole("combobox", { name: "来源" }).click();
    await page.locator(".ant-select-dropdown").getByTitle("热线", { exact: true }).click();
    await page.waitForURL(/source=hotline/);
    await poll(() => caseNumbers(page)).not.toContain(cases.manhole.number);
    await page.getByLabel("搜索", { exact: true }).fill("垃圾桶");
    await page.getByLabel("搜索", { exact: true }).press("Enter");
    await page.waitForURL(/q=/);
    await poll(() => caseNumbers(page)).toEqual([cases.garbage.number]);

    // A reload shows the same list, with the filters shown in their controls.
    await page.reload();
    await poll(() => caseNumbers(page)).toEqual([cases.garbage.number]);
    expect(await page.getByLabel("搜索", { exact: true }).inputValue()).toBe("垃圾桶");
    expect(await page.locator(".queue-filters__source").textContent()).toContain("热线");

    // Back: the search is gone, the source filter stays.
    await page.goBack();
    await page.waitForURL((url) => !url.search.includes("q=") && url.search.includes("source=hotline"));
    await poll(() => caseNumbers(page)).toEqual(expect.arrayContaining([cases.garbage.number, cases.streetlight.number, cases.noise.number]));
    expect(await page.getByLabel("搜索", { exact: true }).inputValue()).toBe("");

    // A case number finds its case, and a click on the row opens it.
    await page.getByLabel("搜索", { exact: true }).fill(cases.noise.number);
    await page.getByLabel("搜索", { exact: true }).press("Enter");
    await poll(() => caseNumbers(page)).toEqual([cases.noise.number]);
    await page.getByRole("link", { name: `打开案件 ${cases.noise.number}` }).waitFor();

    // A search that matches nothing says so and how to go on.
    await page.getByLabel("搜索", { exact: true }).fill("没有这样的案件描述");
    await page.getByLabel("搜索", { exact: true }).press("Enter");
    await page.getByText("没有符合条件的案件").waitFor();
    await page.getByRole("button", { name: "清除筛选" }).click();
    await page.waitForURL(/\/console\/cases$/);
    await poll(() => caseNumbers(page)).toEqual(expect.arrayContaining(Object.values(cases).map((c) => c.number)));

    // The export downloads the listed cases as CSV, phones masked.
    await page.getByLabel("搜索", { exact: true }).fill("井盖");
    await page.getByLabel("搜索", { exact: true }).press("Enter");
    await poll(() => caseNumbers(page)).toEqual([cases.manhole.number]);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "导出 CSV" }).click()]);
    expect(download.suggestedFilename()).toMatch(/^cases-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile(await download.path(), "utf8");
    expect(csv.trim().split("\r\n")).toHaveLength(2);
    expect(csv).toContain(cases.manhole.number);
    expect(csv).toContain("138****5678");
    await page.getByRole("button", { name: "清除筛选" }).click();
    await poll(() => caseNumbers(page)).toEqual(expect.arrayContaining(Object.values(cases).map((c) => c.number)));

    expect(await queues.getByRole("radio", { name: /全部案件/ }).isChecked()).toBe(true);
    await page.mouse.move(0, 0);
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "console-queue.png") });
  });

  it("shows no export button to those who may not export", async () => {
    const page = await newPage();
    await signIn(page, "gw-530103001001-1");
    await poll(() => caseNumbers(page)).toContain(cases.manhole.number);
    expect(await page.getByRole("button", { name: "导出 CSV" }).count()).toBe(0);
  });
});

describe("password", () => {
  it("makes a new account choose its own password before anything else, with the policy's errors in Chinese", async () => {
    const admin = await apiSignIn("admin");
    const created = await callApi(admin, "POST", "/api/v1/users", {
      username: "newdispatcher",
      displayName: "新来的派遣员",
      password: "Initial-pass-2026",
      roles: ["dispatcher"],
      scopeCode: "530103001",
    });
    expect(created.status, await created.clone().text()).toBe(201);

    const page = await newPage();
    await signIn(page, "newdispatcher", "Initial-pass-2026", "/console/cases?queue=overdue");
    await page.waitForURL(/\/console\/password\?next=/);
    await page.getByText("请先设置自己的新密码").waitFor();
    expect(await menuLinks(page).count()).toBe(0);
    // Nothing else opens until the password is changed.
    await page.goto(`${baseUrl()}/console/map`);
    await page.waitForURL(/\/console\/password\?next=/);

    const current = page.getByLabel("当前密码", { exact: true });
    const fresh = page.getByLabel("新密码", { exact: true });
    const confirm = page.getByLabel("确认新密码", { exact: true });
    const submit = page.getByRole("button", { name: "修改密码" });

    await current.fill("Initial-pass-2026");
    await fresh.fill("short");
    await confirm.fill("short");
    await submit.click();
    await page.getByText("新密码太短：至少需要 10 个字符。").first().waitFor();

    await fresh.fill("newdispatcher-2026");
    await confirm.fill("newdispatcher-2026");
    await submit.click();
    await page.getByRole("alert").filter({ hasText: "新密码不能包含您的用户名。" }).waitFor();

    await current.fill("not-the-password");
    await fresh.fill("Kunming-panlong-77");
    await confirm.fill("Kunming-panlong-78");
    await submit.click();
    await page.getByText("两次输入的新密码不一致").waitFor();

    await confirm.fill("Kunming-panlong-77");
    await submit.click();
    await page.getByRole("alert").filter({ hasText: "当前密码不正确" }).waitFor();

    await current.fill("Initial-pass-2026");
    await fresh.fill("Kunming-panlong-77");
    await confirm.fill("Kunming-panlong-77");
    await submit.click();
    // On to the page they last asked for, with the whole console.
    await page.waitForURL(/\/console\/map$/);
    await poll(() => menuLinks(page).allTextContents()).toEqual(["案件队列", "领导驾驶舱", "网格地图", "12345工单交换"]);

    // The new password is the one that signs in now.
    await page.getByRole("button", { name: "退出登录" }).click();
    await page.getByLabel("用户名", { exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/");
    await page.getByLabel("用户名", { exact: true }).fill("newdispatcher");
    await page.getByLabel("密码", { exact: true }).fill("Kunming-panlong-77");
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await page.waitForURL(/\/console\/cases\?queue=centre$/);
  });
});

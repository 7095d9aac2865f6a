import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, startDemoServer } from "./server.ts";
import { apiSession, dialogAtRest, launchChromium, openPage, settled, UI_TIMEOUT } from "./browser.ts";
import { signInAt } from "./sign-in.ts";

const SCREENSHOT_DIR = path.join(REPO_ROOT, ".tmp");
// A grid of 尚义社区 (street 拓东街道, 530103001).
const SHANGYI = "530103001001001";
const WORD = "督办演练";
const STREET_DISPATCHER = "dispatcher-001-1";

let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const violations: string[] = [];
/** The ten cases of this file, newest first as the queue lists them. */
const cases: { id: string; number: string }[] = [];

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

async function newPage(width = 1366, height = 768): Promise<Page> {
  return openPage(browser, contexts, violations, { viewport: { width, height } });
}

async function signIn(page: Page, username: string, at = "/"): Promise<void> {
  await signInAt(page, `${baseUrl()}${at}`, username);
}

const poll = <T>(value: () => T | Promise<T>) => expect.poll(value, { timeout: UI_TIMEOUT, interval: 100 });
const caseNumbers = async (page: Page) => (await page.locator(".case-table__row .case-number").allTextContents()).map((text) => text.trim());
const pageNumber = async (page: Page) => (await page.locator(".case-number--large").textContent())?.trim();

beforeAll(async () => {
  server = await startDemoServer();
  browser = await launchChromium();
  const admin = await apiSignIn("admin");
  for (let i = 1; i <= 10; i++) {
    const response = await callApi(admin, "POST", "/api/v1/cases", { description: `${WORD}第 ${i} 件：人行道护栏损坏`, gridCode: SHANGYI, source: "hotline" });
    expect(response.status).toBe(201);
    cases.unshift(((await response.json()) as { case: { id: string; number: string } }).case);
  }
  // One of the ten is out of reach of an urge: accepted, then not registered (不予立案).
  const dispatcher = await apiSignIn(STREET_DISPATCHER);
  const rejected = cases[4].id;
  for (const body of [{ action: "accept" }, { action: "reject", reasonCode: "not_governance", note: "不属于城市管理范围" }]) {
    const read = await callApi(dispatcher, "GET", `/api/v1/cases/${rejected}`);
    const acted = await callApi(dispatcher, "POST", `/api/v1/cases/${rejected}/transitions`, body, { "if-match": read.headers.get("etag") ?? "" });
    expect(acted.status, await acted.text()).toBe(200);
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  expect(violations.splice(0)).toEqual([]);
});

describe("staff tools", () => {
  it("walks the filtered list from a case's page with the buttons and the keys", async () => {
    const page = await newPage();
    await signIn(page, STREET_DISPATCHER, `/console/cases?q=${encodeURIComponent(WORD)}`);
    await poll(() => caseNumbers(page)).toEqual(cases.map((c) => c.number));
    await page.getByRole("link", { name: `打开案件 ${cases[0].number}` }).click();
    await poll(() => pageNumber(page)).toBe(cases[0].number);
    const walk = page.getByRole("navigation", { name: "在列表中翻阅" });
    await poll(() => walk.getByRole("button", { name: /上一件/ }).isDisabled()).toBe(true);
    await walk.getByRole("button", { name: /下一件/ }).click();
    await poll(() => pageNumber(page)).toBe(cases[1].number);
    await poll(() => walk.getByRole("button", { name: /下一件/ }).isEnabled()).toBe(true);
    await page.keyboard.press("]");
    await poll(() => pageNumber(page)).toBe(cases[2].number);
    // A reload keeps the list it came from.
    await page.reload();
    await poll(() => pageNumber(page)).toBe(cases[2].number);
    await poll(() => walk.getByRole("button", { name: /上一件/ }).isEnabled()).toBe(true);
    await page.keyboard.press("[");
    await poll(() => pageNumber(page)).toBe(cases[1].number);
    await walk.getByRole("link", { name: "返回列表" }).click();
    await page.waitForURL(/\/console\/cases\?q=/);
    await poll(() => caseNumbers(page)).toEqual(cases.map((c) => c.number));
  });

  it("keeps a saved filter across a reload, and its link shows another user the same filters", async () => {
    const page = await newPage();
    await signIn(page, STREET_DISPATCHER, `/console/cases?status=reported&q=${encodeURIComponent(WORD)}`);
    await poll(() => caseNumbers(page)).toHaveLength(9);
    const saved = page.getByRole("region", { name: "我的筛选" });
    await saved.getByRole("button", { name: "保存筛选" }).click();
    const dialog = await dialogAtRest(page.getByRole("dialog", { name: "保存当前筛选" }));
    await dialog.getByLabel("名称").fill("护栏待受理");
    await dialog.getByRole("button", { name: "确定" }).click();
    await saved.getByRole("link", { name: "护栏待受理" }).waitFor();

    await page.goto(`${baseUrl()}/console/cases`);
    await page.reload();
    const link = page.getByRole("region", { name: "我的筛选" }).getByRole("link", { name: "护栏待受理" });
    await link.click();
    await poll(() => caseNumbers(page)).toHaveLength(9);
    expect(await link.getAttribute("aria-current")).toBe("true");
    const href = await link.getAttribute("href");

    // The district's dispatcher opens the link and sees the same filters applied within their scope.
    const other = await newPage();
    await signIn(other, "dispatcher", href ?? "");
    await poll(() => other.getByLabel("搜索", { exact: true }).first().inputValue()).toBe(WORD);
    await poll(() => caseNumbers(other)).toEqual(cases.filter((_, i) => i !== 4).map((c) => c.number));
  });

  it("urges ten selected cases and reports nine done and the one refused with its reason", async () => {
    const page = await newPage();
    await signIn(page, STREET_DISPATCHER, `/console/cases?q=${encodeURIComponent(WORD)}`);
    await poll(() => caseNumbers(page)).toHaveLength(10);
    await page.getByRole("checkbox", { name: "选择本页全部案件" }).check();
    const bar = page.getByRole("region", { name: "批量操作" });
    await poll(() => bar.getByRole("status").textContent()).toBe("已选 10 件");
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await settled(page);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "console-queue-selection.png") });

    await bar.getByRole("button", { name: "批量督办" }).click();
    const dialog = await dialogAtRest(page.getByRole("dialog", { name: "批量督办 10 件案件" }));
    await dialog.getByRole("textbox", { name: "说明" }).fill("请今日内处置并反馈");
    await dialog.getByRole("button", { name: "确定" }).click();
    const report = await dialogAtRest(page.getByRole("dialog", { name: "批量督办结果" }));
    await report.getByText("成功 9 件，未办理 1 件").waitFor();
    const refused = report.getByRole("table", { name: "未办理的案件" });
    await poll(() => refused.locator("tbody tr").count()).toBe(1);
    expect((await refused.locator("tbody tr td").allTextContents()).map((text) => text.trim())).toEqual([
      cases[4].number,
      expect.stringContaining(WORD),
      "案件当前状态不允许此操作",
    ]);
    await settled(page);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "console-bulk-report.png") });

    // The refused one can be selected again to retry.
    await report.getByRole("button", { name: "选中未办理的案件" }).click();
    await poll(() => bar.getByRole("status").textContent()).toBe("已选 1 件");
    await poll(() => page.getByRole("checkbox", { name: `选择案件 ${cases[4].number}` }).isChecked()).toBe(true);
  });

  it("reassigns three dispatched cases to another department and reports the one waiting for a return decision", async () => {
    const word = "改派演练";
    const admin = await apiSignIn("admin");
    const dispatcher = await apiSignIn(STREET_DISPATCHER);
    const handler = await apiSignIn("handler-cgj-1");
    const act = async (cookie: string, id: string, body: Record<string, unknown>) => {
      const read = await callApi(dispatcher, "GET", `/api/v1/cases/${id}`);
      const acted = await callApi(cookie, "POST", `/api/v1/cases/${id}/transitions`, body, { "if-match": read.headers.get("etag") ?? "" });
      expect(acted.status, await acted.text()).toBe(200);
    };
    const numbers: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const response = await callApi(admin, "POST", "/api/v1/cases", { description: `${word}第 ${i} 件：道路积水`, gridCode: SHANGYI, source: "hotline" });
      const { id, number } = ((await response.json()) as { case: { id: string; number: string } }).case;
      numbers.push(number);
      for (const body of [{ action: "accept" }, { action: "register" }, { action: "dispatch", to: { departmentCode: "cgj" } }]) await act(dispatcher, id, body);
      // The first waits for the centre's decision on a return: not reassigned until it is decided.
      if (i === 1) await act(handler, id, { action: "return", reasonCode: "not_our_duty", note: "属供水问题" });
    }

    const page = await newPage();
    await signIn(page, STREET_DISPATCHER, `/console/cases?q=${encodeURIComponent(word)}`);
    await poll(() => caseNumbers(page)).toHaveLength(3);
    await page.getByRole("checkbox", { name: "选择本页全部案件" }).check();
    const bar = page.getByRole("region", { name: "批量操作" });
    await bar.getByRole("button", { name: "批量改派" }).click();
    const dialog = await dialogAtRest(page.getByRole("dialog", { name: "批量改派 3 件案件" }));
    await dialog.getByRole("button", { name: "确定" }).click();
    await dialog.getByText("请填写改派原因").waitFor();
    await dialog.getByRole("combobox", { name: "改派至部门" }).fill("水务");
    await page.locator(".ant-select-dropdown:visible .ant-select-item-option").filter({ hasText: "盘龙区水务局" }).first().click();
    await dialog.getByRole("textbox", { name: "改派原因" }).fill("积水由供水管网渗漏引起，改派水务局");
    await dialog.getByRole("button", { name: "确定" }).click();
    const report = await dialogAtRest(page.getByRole("dialog", { name: "批量改派结果" }));
    await report.getByText("成功 2 件，未办理 1 件").waitFor();
    const refused = report.getByRole("table", { name: "未办理的案件" });
    expect((await refused.locator("tbody tr td").allTextContents()).map((text) => text.trim())).toEqual([
      numbers[0],
      expect.stringContaining(word),
      "案件当前状态不允许此操作",
    ]);

    // The case page's action dialog opens over the page without an inline style the policy refuses.
    await report.locator(".ant-modal-footer").getByRole("button", { name: "关闭" }).click();
    await report.waitFor({ state: "detached" });
    await page.getByRole("link", { name: `打开案件 ${numbers[1]}` }).click();
    await page.getByRole("button", { name: "改派", exact: true }).click();
    const reassign = await dialogAtRest(page.getByRole("dialog", { name: "改派" }));
    await reassign.getByText("改派至").first().waitFor();
    await reassign.getByRole("button", { name: "取消" }).click();
    await reassign.waitFor({ state: "detached" });
  });
});

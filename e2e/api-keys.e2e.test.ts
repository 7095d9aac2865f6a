import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, REPO_ROOT, startDemoServer } from "./server.ts";
import { dialogAtRest, launchChromium, openPage, UI_TIMEOUT } from "./browser.ts";

const TMP = path.join(REPO_ROOT, ".tmp");

let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const violations: string[] = [];

const baseUrl = () => {
  if (!server) throw new Error("The server did not start");
  return server.url;
};
const whoIs = (key: string) => fetch(`${baseUrl()}/api/v1/auth/me`, { headers: { authorization: `Bearer ${key}` } });

async function newPage(): Promise<Page> {
  const page = await openPage(browser, contexts, violations, { viewport: { width: 1440, height: 900 } });
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl() });
  return page;
}

async function signIn(page: Page, username: string, at: string): Promise<void> {
  await page.goto(`${baseUrl()}${at}`);
  await page.getByLabel("用户名", { exact: true }).fill(username);
  await page.getByLabel("密码", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await page.getByRole("button", { name: "退出登录" }).waitFor();
}

beforeAll(async () => {
  server = await startDemoServer();
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  expect(violations.splice(0)).toEqual([]);
});

describe("API keys page", () => {
  it("lets an administrator create a key, see it once, copy it, and revoke it", async () => {
    const page = await newPage();
    await signIn(page, "admin", "/console/cases");
    await page.getByRole("menuitem", { name: "API 密钥" }).click();
    await page.getByRole("heading", { name: "API 密钥" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/console/api-keys");

    await page.getByRole("button", { name: "新建 API 密钥" }).click();
    const form = await dialogAtRest(page.getByRole("dialog", { name: "新建 API 密钥" }));
    await form.getByLabel("名称").fill("12345 热线对接");
    await form.getByLabel("所属单位").fill("市12345热线");
    await form.getByLabel(/数据交换/).check();
    await form.getByLabel("每分钟请求上限").fill("120");
    await form.getByRole("button", { name: "创 建" }).or(form.getByRole("button", { name: "创建" })).click();

    const shown = await dialogAtRest(page.getByRole("dialog", { name: "API 密钥已创建" }));
    await shown.getByText("关闭本窗口后将无法再次查看").waitFor();
    const key = (await shown.getByTestId("new-api-key").textContent())?.trim() ?? "";
    expect(key).toMatch(/^ggk_[A-Za-z0-9_-]{32}$/);
    await shown.getByRole("button", { name: "复制密钥" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    const row = page.getByRole("row", { name: /12345 热线对接/ });
    await row.getByText("有效").waitFor();
    await row.getByText("数据交换").waitFor();
    await row.getByText("120 次/分钟").waitFor();
    await mkdir(TMP, { recursive: true });
    await page.screenshot({ path: path.join(TMP, "api-keys-created.png"), fullPage: true });

    await shown.getByRole("button", { name: "我已保存，关闭" }).click();
    await page.getByTestId("new-api-key").waitFor({ state: "detached" });
    // Once closed, the key is nowhere on the page: only its prefix is listed.
    const html = await page.content();
    expect(html.includes(key) ? html.slice(Math.max(0, html.indexOf(key) - 600), html.indexOf(key) + 100) : "").toBe("");
    await row.getByText(`${key.slice(0, 10)}…`).waitFor();
    expect((await whoIs(key)).status).toBe(200);

    await row.getByRole("button", { name: "吊销 12345 热线对接" }).click();
    const confirm = page.getByRole("tooltip").filter({ hasText: "确定吊销密钥" });
    await confirm.getByRole("button", { name: /吊\s?销/ }).click();
    await row.getByText("已吊销", { exact: true }).waitFor();
    await row.getByText(/由 系统管理员 吊销/).waitFor();
    expect((await whoIs(key)).status).toBe(401);
    await page.screenshot({ path: path.join(TMP, "api-keys.png"), fullPage: true });
  });
});

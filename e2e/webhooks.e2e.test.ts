import { mkdir } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, REPO_ROOT, startDemoServer } from "./server.ts";
import { dialogAtRest, launchChromium, UI_TIMEOUT } from "./browser.ts";
import { collectCspViolations } from "./csp.ts";

const SCREENSHOT = path.join(REPO_ROOT, ".tmp/webhooks.png");

let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: Browser | undefined;
let receiver: http.Server | undefined;
const received: string[] = [];

function baseUrl(): string {
  if (!server) throw new Error("The server did not start");
  return server.url;
}

async function newContext(violations: string[]): Promise<BrowserContext> {
  if (!browser) throw new Error("The browser did not start");
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
  context.setDefaultTimeout(UI_TIMEOUT);
  await collectCspViolations(context, violations);
  return context;
}

async function signIn(page: Page, username: string): Promise<void> {
  await page.goto(`${baseUrl()}/console/webhooks`);
  await page.getByLabel("用户名", { exact: true }).fill(username);
  await page.getByLabel("密码", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await page.getByRole("heading", { name: "事件推送（Webhook）" }).waitFor();
}

/** Reports a case as a resident would, from outside any browser. */
async function report(): Promise<void> {
  const response = await fetch(`${baseUrl()}/api/v1/cases`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ description: "推送测试：井盖松动", gridCode: "530103001001001" }),
  });
  expect(response.status).toBe(201);
}

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      received.push(String(request.headers["gridgov-event-id"]));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver?.listen(0, "127.0.0.1", resolve));
  server = await startDemoServer({ OUTBOUND_ALLOWED_NETWORKS: "127.0.0.1/32" });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe("webhooks console", () => {
  it("lets an administrator subscribe a receiver, see the secret once, follow deliveries, disable and enable it", async () => {
    const violations: string[] = [];
    const context = await newContext(violations);
    const page = await context.newPage();
    await signIn(page, "admin");
    await page.getByText("还没有推送订阅").waitFor();

    // A private address is refused with words that say what to do.
    await page.getByRole("button", { name: "新建推送" }).click();
    const dialog = await dialogAtRest(page.getByRole("dialog", { name: "新建推送" }));
    await dialog.getByLabel("接收地址").fill("http://10.0.0.8/hook");
    await dialog.getByRole("button", { name: "创建" }).click();
    await dialog.getByText("该地址指向内网、回环或保留地址").waitFor();

    const hookUrl = `http://127.0.0.1:${(receiver?.address() as AddressInfo).port}/hook`;
    await dialog.getByLabel("接收地址").fill(hookUrl);
    await dialog.getByLabel("说明").fill("区大数据中心");
    // Personal data is the security administrator's to grant.
    await expect.poll(() => dialog.getByRole("checkbox", { name: /含个人信息/ }).isDisabled()).toBe(true);
    await dialog.getByRole("button", { name: "创建" }).click();
    await page.getByText("签名密钥只显示这一次").waitFor();
    await expect.poll(async () => (await page.getByTestId("webhook-secret").textContent()) ?? "").toMatch(/^whsec_/);

    await report();
    await report();
    await expect.poll(() => received.length, { timeout: UI_TIMEOUT }).toBeGreaterThanOrEqual(2);
    await page.reload();
    const row = page.getByRole("row", { name: /区大数据中心/ });
    await row.getByText("启用中").waitFor();
    await row.getByRole("button", { name: `投递记录 ${hookUrl}` }).click();
    const log = await dialogAtRest(page.getByRole("dialog", { name: `投递记录：${hookUrl}` }));
    await expect.poll(() => log.getByText("已送达").count(), { timeout: UI_TIMEOUT }).toBeGreaterThanOrEqual(2);
    expect(page.url()).toContain("log=");
    await log.getByRole("button", { name: "Close" }).or(log.getByRole("button", { name: "关闭" })).first().click();
    // Until it has closed, its mask takes the clicks meant for the rows.
    await log.waitFor({ state: "hidden" });
    // Shown once: after a reload the secret is gone for good.
    expect(await page.getByTestId("webhook-secret").count()).toBe(0);
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    // The page as it rests, once the drawer has finished closing.
    await page.evaluate(() => Promise.all(document.getAnimations().filter((animation) => animation.effect?.getTiming().iterations !== Infinity).map((animation) => animation.finished)));
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await row.getByRole("button", { name: "停用" }).click();
    await page.locator(".ant-popconfirm").getByRole("button", { name: "停用" }).click();
    await row.getByText("已停用").waitFor();
    await row.getByRole("button", { name: "启用" }).click();
    await row.getByText("启用中").waitFor();
    expect(violations).toEqual([]);
    await context.close();
  });
});

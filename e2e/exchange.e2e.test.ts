import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, REPO_ROOT, startDemoServer } from "./server.ts";
import { launchChromium, openPage, settled, UI_TIMEOUT } from "./browser.ts";

const SCREENSHOT_DIR = path.join(REPO_ROOT, ".tmp");
// A grid of 尚义社区 (street 拓东街道, 530103001).
const SHANGYI = "530103001001001";

let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const violations: string[] = [];
let gridName = "";

function baseUrl(): string {
  if (!server) throw new Error("The server did not start");
  return server.url;
}

async function newPage(width = 1440, height = 900): Promise<Page> {
  return openPage(browser, contexts, violations, { viewport: { width, height }, acceptDownloads: true });
}

async function signIn(page: Page, username: string, at = "/"): Promise<void> {
  await page.goto(`${baseUrl()}${at}`);
  await page.getByLabel("用户名", { exact: true }).fill(username);
  await page.getByLabel("密码", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await page.getByRole("button", { name: "退出登录" }).waitFor();
}


/** A 12345 file as the city's platform sends it: CSV in UTF-8 with a BOM. */
function ordersFile(): Buffer {
  const lines = [
    "工单编号,受理时间,诉求内容,问题地址,问题类别,来电号码",
    `KM-E2E-1,2026-12-01 09:30,路灯不亮已经三天了,${gridName}门口,城管_路灯,13800001234`,
    `KM-E2E-2,2026-12-01 10:05,井盖缺失有安全隐患,${gridName}东侧,,13800005678`,
    `KM-E2E-3,2026-12-01 11:40,垃圾堆积无人清运,${gridName}北门,,`,
    "KM-E2E-4,2026-12-01 12:00,路面破损,火星基地,,",
  ];
  return Buffer.from(`\uFEFF${lines.join("\r\n")}\r\n`);
}

beforeAll(async () => {
  server = await startDemoServer();
  browser = await launchChromium();
  const login = await fetch(`${baseUrl()}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "dispatcher", password: DEMO_PASSWORD }),
  });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
  const grid = await fetch(`${baseUrl()}/api/v1/grids/${SHANGYI}`, { headers: { cookie } });
  gridName = ((await grid.json()) as { grid: { name: string } }).grid.name;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  expect(violations.splice(0)).toEqual([]);
});

describe("12345 work-order exchange", () => {
  it("saves a mapping, previews a file with its bad row, imports the good rows once, and downloads the results", async () => {
    const page = await newPage();
    await signIn(page, "dispatcher");
    await page.getByRole("menuitem", { name: /12345工单交换/ }).click();
    await page.getByRole("heading", { name: "12345工单交换", level: 2 }).waitFor();
    await page.getByText("还没有字段映射").waitFor();

    await page.getByRole("button", { name: "新建映射" }).click();
    const drawer = page.getByRole("dialog");
    await drawer.getByLabel("映射名称").fill("昆明市12345");
    await drawer.getByLabel("来源平台标识").fill("km12345");
    await drawer.getByLabel("工单编号", { exact: true }).fill("工单编号");
    await drawer.getByLabel("受理时间", { exact: true }).fill("受理时间");
    await drawer.getByLabel("诉求内容", { exact: true }).fill("诉求内容");
    await drawer.getByLabel("地址", { exact: true }).fill("问题地址");
    await drawer.getByLabel("类别", { exact: true }).fill("问题类别");
    await drawer.getByLabel("来电号码", { exact: true }).fill("来电号码");
    await drawer.getByRole("button", { name: "添加类别对照" }).click();
    await drawer.getByLabel("文件中的类别").fill("城管_路灯");
    await drawer.getByLabel("本系统类别").fill("路灯");
    await page.locator(".ant-select-dropdown:visible .ant-select-item-option").filter({ hasText: /^路灯$/ }).first().click();
    await drawer.getByRole("button", { name: "保存" }).click();
    await page.getByText("映射已保存").waitFor();
    const mappings = page.locator(".ant-card").filter({ hasText: "字段映射" });
    await mappings.getByRole("cell", { name: "昆明市12345", exact: true }).waitFor();

    await page.getByLabel("工单文件").setInputFiles({ name: "orders.csv", mimeType: "text/csv", buffer: ordersFile() });
    await page.getByRole("button", { name: "预览" }).click();
    await page.getByText("共 4 行：无误 3 行（其中新工单 3 件，已导入过 0 件），有误 1 行。").waitFor();
    const preview = page.locator(".exchange-preview");
    await preview.getByRole("cell", { name: "KM-E2E-1" }).waitFor();
    await expect(preview.getByRole("row").filter({ hasText: "KM-E2E-1" }).getByRole("cell", { name: "路灯", exact: true }).count()).resolves.toBe(1);
    await preview.getByRole("cell", { name: "地址「火星基地」找不到对应的网格、社区或小区" }).waitFor();
    await preview.getByText("有 1 行有误：改正文件后重新预览").waitFor();
    await expect(preview.getByRole("button", { name: "导入" }).isDisabled()).resolves.toBe(true);
    await settled(page);
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "exchange-hotline-1440.png"), fullPage: true });

    await preview.getByRole("checkbox", { name: /只导入无误的行/ }).check();
    await preview.getByRole("button", { name: "导入" }).click();
    await page.getByText("已导入：新建案件 3 件，已存在未改动 0 件，跳过有误的行 1 行。").waitFor();

    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "下载" }).click();
    const file = await readFile(await (await download).path());
    expect(file.subarray(0, 2).toString("latin1")).toBe("PK");
  });

  it("shows another dispatcher the saved mapping, and the same file imported again makes no new case", async () => {
    const page = await newPage();
    await signIn(page, "dispatcher-2", "/console/exchange/hotline");
    await page.getByRole("cell", { name: "昆明市12345", exact: true }).waitFor();
    await page.getByLabel("工单文件").setInputFiles({ name: "orders.csv", mimeType: "text/csv", buffer: ordersFile() });
    await page.getByRole("button", { name: "预览" }).click();
    await page.getByText("共 4 行：无误 3 行（其中新工单 0 件，已导入过 3 件），有误 1 行。").waitFor();
    await expect(page.locator(".exchange-preview").getByText("已导入", { exact: true }).count()).resolves.toBe(3);
    await expect(page.locator(".exchange-preview").getByRole("button", { name: "导入" }).isDisabled()).resolves.toBe(true);
  });

  it("refuses the page to those who do not exchange work orders", async () => {
    const page = await newPage();
    await signIn(page, "handler-cgj-1", "/console/exchange/hotline");
    await page.getByText("只有指挥中心调度员和系统管理员可以交换12345工单。").waitFor();
    await expect(page.getByRole("menuitem", { name: /12345工单交换/ }).count()).resolves.toBe(0);
  });
});

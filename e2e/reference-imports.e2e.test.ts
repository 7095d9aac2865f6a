import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, startDemoServer } from "./server.ts";
import { launchChromium, openPage, settled, UI_TIMEOUT } from "./browser.ts";
import { signInAt } from "./sign-in.ts";

const SCREENSHOT_DIR = path.join(REPO_ROOT, ".tmp");

let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const violations: string[] = [];

function baseUrl(): string {
  if (!server) throw new Error("The server did not start");
  return server.url;
}

async function newPage(width = 1440, height = 900): Promise<Page> {
  return openPage(browser, contexts, violations, { viewport: { width, height }, acceptDownloads: true });
}

const signIn = (page: Page, username: string, at = "/") => signInAt(page, `${baseUrl()}${at}`, username);


/** A departments file as a clerk saves it from Excel: CSV in UTF-8 with a BOM, one row with a division that does not exist. */
function departmentsFile(): Buffer {
  const lines = ["部门编码,部门名称,所属区划编码,值班电话", "e2e-ldj,拓东街道路灯所,530103001,0871-65001234", "e2e-hwj,区环卫站,530103,", "e2e-bad,不存在的区划,530199,"];
  return Buffer.from(`\uFEFF${lines.join("\r\n")}\r\n`);
}

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
  expect(violations.splice(0)).toEqual([]);
});

describe("reference-data imports", () => {
  it("an administrator previews a departments file, sees its bad row, imports the good rows only, and downloads the template", async () => {
    const page = await newPage();
    await signIn(page, "admin");
    await page.getByRole("menuitem", { name: /基础数据导入/ }).click();
    await page.getByRole("heading", { name: "基础数据导入", level: 2 }).waitFor();
    await page.getByRole("radiogroup", { name: "数据类型" }).getByText("部门", { exact: true }).click();
    await page.waitForURL(/kind=departments/);
    // The choice shows as checked once the page has read it back from its address.
    await page.getByRole("radio", { name: "部门", checked: true }).waitFor({ state: "attached" });
    await page.getByText("按部门编码认出已有部门").waitFor();

    const template = page.waitForEvent("download");
    await page.getByRole("button", { name: "下载模板" }).click();
    const templateFile = await readFile(await (await template).path());
    expect(templateFile.subarray(0, 2).toString("latin1")).toBe("PK");

    await page.getByLabel("数据文件").setInputFiles({ name: "departments.csv", mimeType: "text/csv", buffer: departmentsFile() });
    await page.getByRole("button", { name: "预览" }).click();
    await page.getByText("共 3 行：新建 2 条，更新 0 条，不变 0 条，有误 1 行。").waitFor();
    const preview = page.locator(".exchange-preview");
    await preview.getByRole("cell", { name: "e2e-ldj" }).waitFor();
    const badRow = preview.getByRole("row").filter({ hasText: "您的管辖范围内没有区划「530199」" });
    await expect(badRow.getByRole("cell").allTextContents()).resolves.toEqual(["4", "所属区划编码", "您的管辖范围内没有区划「530199」"]);
    await preview.getByText("有 1 行有误：改正文件后重新预览").waitFor();
    await expect(preview.getByRole("button", { name: "导入" }).isDisabled()).resolves.toBe(true);
    await settled(page);
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, "reference-imports-1440.png"), fullPage: true });

    await preview.getByRole("checkbox", { name: /只导入无误的行/ }).check();
    await preview.getByRole("button", { name: "只导入无误的行" }).click();
    await page.getByText("已导入：新建 2 条，更新 0 条，不变 0 条，跳过有误的行 1 行。").waitFor();
    await page.getByRole("cell", { name: "您的管辖范围内没有区划「530199」" }).waitFor();

    // The same file again: the good rows are there already, nothing to do.
    await page.getByLabel("数据文件").setInputFiles({ name: "departments.csv", mimeType: "text/csv", buffer: departmentsFile() });
    await page.getByRole("button", { name: "预览" }).click();
    await page.getByText("共 3 行：新建 0 条，更新 0 条，不变 2 条，有误 1 行。").waitFor();
  });

  it("is not offered to those who administer none of the data", async () => {
    const page = await newPage();
    await signIn(page, "dispatcher", "/console/exchange/imports");
    await page.getByText("您没有导入基础数据的权限").waitFor();
    await expect(page.getByRole("menuitem", { name: /基础数据导入/ }).count()).resolves.toBe(0);
  });
});

import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, REPO_ROOT, startDemoServer } from "./server.ts";
import { confirmDialog, launchChromium, openCaseAction, UI_TIMEOUT } from "./browser.ts";

const TMP = path.join(REPO_ROOT, ".tmp");
/** A grid of 尚义社区; the district's dispatcher owns every level of it. */
const GRID = "530103001001001";

let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

function baseUrl(): string {
  if (!server) throw new Error("The server did not start");
  return server.url;
}

/** A person at their own browser: a fresh context, signed in as `username` on the page `url`. */
async function personAt(username: string, url: string): Promise<Page> {
  if (!browser) throw new Error("The browser did not start");
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
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

/** A case registered at the district centre through the API, as the test's own setup: its page's path. */
async function registeredCase(page: Page, description: string): Promise<string> {
  const created = await page.request.post(`${baseUrl()}/api/v1/cases`, { data: { description, gridCode: GRID, source: "hotline" } });
  expect(created.status(), await created.text()).toBe(201);
  const id = ((await created.json()) as { case: { id: string } }).case.id;
  for (const data of [{ action: "accept" }, { action: "register", level: "district", categoryCode: "event.city_appearance.exposed_garbage" }]) {
    const current = await page.request.get(`${baseUrl()}/api/v1/cases/${id}`);
    const answer = await page.request.post(`${baseUrl()}/api/v1/cases/${id}/transitions`, { data, headers: { "if-match": current.headers().etag } });
    expect(answer.status(), await answer.text()).toBe(200);
  }
  return `/console/cases/${id}`;
}

/** Picks an option of a select in the dialog from its open list. */
async function choose(page: Page, dialog: ReturnType<Page["getByRole"]>, label: string, option: string) {
  await dialog.getByLabel(label, { exact: true }).click();
  await page.locator(".ant-select-dropdown:visible .ant-select-item-option").filter({ hasText: option }).first().click();
  // A multiple select keeps its list open; leaving the field closes it.
  await dialog.locator(".ant-modal-title").click();
  await expect.poll(() => page.locator(".ant-select-dropdown:visible").count()).toBe(0);
}

async function statusIs(page: Page, status: string): Promise<void> {
  await page.locator(".case-header__status").filter({ hasText: new RegExp(`^${status}$`) }).waitFor();
}

beforeAll(async () => {
  server = await startDemoServer();
  browser = await launchChromium();
});

afterEach(async ({ task }) => {
  if (task.result?.state !== "fail") return;
  await mkdir(TMP, { recursive: true });
  let index = 0;
  for (const context of contexts) {
    for (const page of context.pages()) {
      await page.screenshot({ path: path.join(TMP, `joint-handling-failure-${++index}.png`), fullPage: true }).catch(() => undefined);
    }
  }
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe("joint handling and returns in the console", () => {
  it("a dispatcher dispatches to a lead and a co-handler; the lead cannot complete before the co-handler reports, then can", async () => {
    const dispatcher = await personAt("dispatcher", "/");
    const href = await registeredCase(dispatcher, "河边步道满地垃圾，污水管也在往外冒水");
    await dispatcher.goto(baseUrl() + href);
    await statusIs(dispatcher, "待派遣");

    const dispatch = await openCaseAction(dispatcher, "派遣");
    await dispatch.getByText("盘龙区城市管理局").waitFor();
    await choose(dispatcher, dispatch, "协办单位", "盘龙区水务局");
    await confirmDialog(dispatcher, dispatch);
    await statusIs(dispatcher, "待签收");
    const joint = dispatcher.locator(".ant-card").filter({ hasText: "联合处置" });
    await joint.getByText("盘龙区水务局").waitFor();
    await joint.getByText("待签收").waitFor();

    const lead = await personAt("handler-cgj-1", href);
    await statusIs(lead, "待签收");
    await confirmDialog(lead, await openCaseAction(lead, "签收"));
    await statusIs(lead, "处置中");
    const early = await openCaseAction(lead, "处置反馈");
    await early.getByLabel("办理意见").fill("垃圾已清运");
    await early.getByRole("button", { name: "确定" }).click();
    // Refused: the co-handler's part is not in; the case stays in progress.
    await lead.getByText("协办单位尚未全部反馈").waitFor();
    await early.getByRole("button", { name: "取消" }).click();
    await early.waitFor({ state: "detached" });
    await statusIs(lead, "处置中");

    const co = await personAt("handler-swj-1", "/console/cases?queue=mine");
    await co.goto(baseUrl() + href);
    await confirmDialog(co, await openCaseAction(co, "协办签收"));
    const report = await openCaseAction(co, "协办反馈");
    await report.getByLabel("办理意见").fill("污水管已抢修，协办部分完成");
    await confirmDialog(co, report);
    await co.locator(".ant-card").filter({ hasText: "联合处置" }).getByText("已反馈").waitFor();

    // The lead's page follows the co-handler's report live, and now completes.
    await lead.locator(".ant-card").filter({ hasText: "联合处置" }).getByText("已反馈").waitFor();
    const handle = await openCaseAction(lead, "处置反馈");
    await handle.getByLabel("办理意见").fill("垃圾已清运，步道已冲洗");
    await confirmDialog(lead, handle);
    await statusIs(lead, "待核查");
    await mkdir(TMP, { recursive: true });
    await dispatcher.reload();
    await joint.getByText("已反馈").waitFor();
    await dispatcher.screenshot({ path: path.join(TMP, "joint-handling.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it("a handler's return waits for the dispatcher's approval and is counted for its department; the case then goes to a grid worker", async () => {
    const dispatcher = await personAt("dispatcher", "/");
    const stats = async () => {
      const answer = await dispatcher.request.get(`${baseUrl()}/api/v1/cases/stats?division=530103`);
      const body = (await answer.json()) as { returnsByDepartment: { departmentCode: string; requested: number; approved: number }[] };
      return body.returnsByDepartment.find((row) => row.departmentCode === "cgj") ?? { requested: 0, approved: 0 };
    };
    const before = await stats();
    const href = await registeredCase(dispatcher, "小区门口满地垃圾，好几天没人清理");
    await dispatcher.goto(baseUrl() + href);
    await confirmDialog(dispatcher, await openCaseAction(dispatcher, "派遣"));
    await statusIs(dispatcher, "待签收");

    const handler = await personAt("handler-cgj-1", href);
    const ask = await openCaseAction(handler, "退回");
    await choose(handler, ask, "退回原因", "属私人或物业管理范围");
    await ask.getByLabel("办理意见").fill("该处为小区物业管理区域");
    await confirmDialog(handler, ask);
    // The case stays with the department, marked, until the centre decides.
    await handler.getByText("处置单位已申请退回，待指挥中心审核").waitFor();
    await statusIs(handler, "待签收");
    await expect.poll(() => handler.getByRole("region", { name: "可执行操作" }).getByRole("button").count()).toBe(0);

    await dispatcher.getByText("处置单位已申请退回，待指挥中心审核").waitFor();
    await dispatcher.getByText("退回原因：属私人或物业管理范围").waitFor();
    await confirmDialog(dispatcher, await openCaseAction(dispatcher, "同意退回"));
    await statusIs(dispatcher, "待派遣");
    await statusIs(handler, "待派遣");
    await expect.poll(async () => {
      const after = await stats();
      return [after.requested - before.requested, after.approved - before.approved];
    }).toEqual([1, 1]);

    // Back for re-dispatch, the case goes to one of the community's grid workers by name.
    const workers = await dispatcher.request.get(`${baseUrl()}/api/v1/users?covers=530103001001&role=grid_worker`);
    const worker = ((await workers.json()) as { users: { username: string; displayName: string }[] }).users.find((user) => user.username === "gw-530103001001-1");
    if (!worker) throw new Error("The community has no grid worker gw-530103001001-1");
    const dispatch = await openCaseAction(dispatcher, "派遣");
    await dispatch.getByText("派给网格员", { exact: true }).click();
    await choose(dispatcher, dispatch, "网格员", worker.username);
    await confirmDialog(dispatcher, dispatch);
    await statusIs(dispatcher, "待签收");
    await dispatcher.locator(".case-facts").getByText(worker.displayName, { exact: true }).waitFor();
    await dispatcher.getByText(`派往：${worker.displayName}`).first().waitFor();
    expect(pageErrors).toEqual([]);
  });
});

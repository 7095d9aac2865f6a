import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, REPO_ROOT, startDemoServer } from "./server.ts";
import { apiSession, dialogAtRest, launchChromium, openPage, settled, UI_TIMEOUT } from "./browser.ts";
import { signInAt } from "./sign-in.ts";

const TMP = path.join(REPO_ROOT, ".tmp");
const SHANGYI = "530103001001001";
const CATEGORY = "governance.dispute.neighbour";
const STREET_ADMIN = { username: "street-admin", password: "Dianchi-Lake-2027" };

let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
/** Every Content-Security-Policy refusal the pages meet: tables, drawers and dialogs included, there must be none. */
const violations: string[] = [];
let admin = "";

const baseUrl = () => {
  if (!server) throw new Error("The server did not start");
  return server.url;
};
const callApi = (cookie: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
  fetch(`${baseUrl()}${url}`, {
    method,
    headers: { cookie, ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const apiSignIn = (username: string, password?: string) => apiSession(baseUrl(), username, password);
async function newPage(): Promise<Page> {
  return openPage(browser, contexts, violations, { viewport: { width: 1366, height: 768 } });
}
async function signIn(page: Page, username: string, password = DEMO_PASSWORD, at = "/"): Promise<void> {
  await signInAt(page, `${baseUrl()}${at}`, username, password);
}
const shot = async (page: Page, name: string) => {
  await mkdir(TMP, { recursive: true });
  await settled(page);
  await page.screenshot({ path: path.join(TMP, name), fullPage: true });
};

beforeAll(async () => {
  server = await startDemoServer();
  browser = await launchChromium();
  admin = await apiSignIn("admin");
  // A system administrator of one street, granted by the security administrator, past their first password.
  const secadmin = await apiSignIn("secadmin");
  const created = await callApi(secadmin, "POST", "/api/v1/users", { username: STREET_ADMIN.username, displayName: "街道管理员", password: "Panlong-Kunming-2026", roles: ["admin"], scopeCode: "530103001" });
  expect(created.status, await created.clone().text()).toBe(201);
  const first = await apiSignIn(STREET_ADMIN.username, "Panlong-Kunming-2026");
  const changed = await callApi(first, "POST", "/api/v1/auth/password", { currentPassword: "Panlong-Kunming-2026", newPassword: STREET_ADMIN.password });
  expect(changed.status, await changed.clone().text()).toBeLessThan(300);
  // A category with a required extra question.
  const categories = (await (await callApi(admin, "GET", "/api/v1/categories?class=governance")).json()) as { categories: { code: string; version: number }[] };
  const version = categories.categories.find((c) => c.code === CATEGORY)?.version;
  const edited = await callApi(
    admin,
    "PATCH",
    `/api/v1/categories/${CATEGORY}`,
    { questions: [{ code: "households", label: { zh: "涉及户数", en: "Households involved" }, type: "number", required: true, public: true, min: 1, max: 50 }] },
    { "if-match": `"${version}"` },
  );
  expect(edited.status, await edited.clone().text()).toBe(200);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  expect(violations.splice(0)).toEqual([]);
});

/** Whether the page behind the dialogs is locked from scrolling. */
const scrollLocked = (page: Page) => page.evaluate(() => document.body.classList.contains("scroll-locked") && getComputedStyle(document.body).overflowY === "hidden");

describe("administration", () => {
  it("shows every problem of a grid file by grid code and loads nothing", async () => {
    const grids = (await (await callApi(admin, "GET", "/api/v1/grids?division=530103001001")).json()) as { features: { properties: { code: string }; geometry: unknown }[] };
    const stored = { grid: { geometry: grids.features.find((feature) => feature.properties.code === SHANGYI)?.geometry } };
    const file = {
      type: "FeatureCollection",
      features: [
        { type: "Feature", properties: { code: "530103001001901", name: "重叠网格" }, geometry: stored.grid.geometry },
        { type: "Feature", properties: { code: "530103001001902", name: "未闭合网格" }, geometry: { type: "Polygon", coordinates: [[[102.7, 25.04], [102.71, 25.04], [102.71, 25.05]]] } },
      ],
    };
    const page = await newPage();
    await signIn(page, "admin", DEMO_PASSWORD, "/console/admin/grids");
    await page.getByRole("tab", { name: "网格导入" }).waitFor();
    await page.getByLabel("网格文件（GeoJSON 或 Shapefile 压缩包）").setInputFiles({ name: "grids.geojson", mimeType: "application/geo+json", buffer: Buffer.from(JSON.stringify(file)) });
    await page.getByText(/发现 \d+ 个问题，未导入任何网格/).waitFor();
    const problems = page.locator(".admin-problems");
    await problems.getByText("530103001001901").first().waitFor();
    await problems.getByText("530103001001902").first().waitFor();
    // Each problem is said in the page's language, from its code and facts.
    await problems.getByText("网格 530103001001902（未闭合网格） 的几何无效：有边界环少于 4 个坐标点").waitFor();
    expect(await problems.getByText(/^网格 \d{15}(（.+）)? 与网格 \d{15} 相互重叠$/).count()).toBeGreaterThan(0);
    expect(await page.getByRole("button", { name: /^导入 \d+ 个网格$/ }).count()).toBe(0);
    for (const code of ["530103001001901", "530103001001902"]) expect((await callApi(admin, "GET", `/api/v1/grids/${code}`)).status).toBe(404);
    await shot(page, "admin-grids.png");

    // The other administration pages, for the artifacts.
    for (const [tab, section] of [["用户", "users"], ["部门", "departments"], ["派遣规则", "routing"], ["案件类别", "categories"]] as const) {
      await page.getByRole("tab", { name: tab }).click();
      await page.waitForURL(`**/console/admin/${section}`);
      // The section's own pane (the last one stays while the next one's chunk loads), then its rows
      // or its empty table (the demo has no routing rules).
      await page.getByRole("tab", { name: tab, selected: true }).waitFor();
      await page.locator(".ant-table-tbody").locator(".ant-table-row, .ant-table-placeholder").first().waitFor();
      await expect.poll(() => page.locator(".ant-spin-spinning").count(), { timeout: UI_TIMEOUT }).toBe(0);
      await shot(page, `admin-${section}.png`);
    }
    await page.getByLabel("按名称或编码筛选").fill("邻里");
    await page.getByRole("button", { name: "编辑 邻里纠纷" }).click();
    const drawer = page.getByRole("dialog");
    await drawer.getByLabel("问题（中文）").first().waitFor();
    // The drawer has finished sliding in.
    await expect.poll(() => drawer.evaluate((element) => element.getBoundingClientRect().right), { timeout: UI_TIMEOUT }).toBeLessThanOrEqual(1366);
    await expect.poll(() => page.locator(".ant-drawer-panel-motion-enter, .ant-drawer-content-wrapper-motion-enter-active").count(), { timeout: UI_TIMEOUT }).toBe(0);
    await shot(page, "admin-category-questions.png");
    // The page behind an open drawer does not scroll, and does again once it is closed.
    expect(await scrollLocked(page)).toBe(true);
    await drawer.getByRole("button", { name: "取消" }).click();
    await drawer.waitFor({ state: "detached" });
    await expect.poll(() => scrollLocked(page), { timeout: UI_TIMEOUT }).toBe(false);

    // A new main category of a class, found in the list once saved.
    await page.getByRole("button", { name: "新建类别" }).click();
    const create = await dialogAtRest(page.getByRole("dialog", { name: "新建类别" }));
    await create.getByLabel("类别体系").click();
    await page.locator(".ant-select-dropdown:visible .ant-select-item-option").filter({ hasText: "社会治理" }).first().click();
    await create.getByLabel("编码后缀").fill("elderly_care");
    await create.getByText("完整编码：governance.elderly_care").waitFor();
    expect(await scrollLocked(page)).toBe(true);
    await shot(page, "admin-category-create.png");
    await create.getByLabel("名称", { exact: true }).fill("养老服务");
    await create.getByRole("button", { name: "保存" }).click();
    await page.getByText("已新建类别 养老服务").waitFor();
    await create.waitFor({ state: "detached" });
    await page.getByLabel("按名称或编码筛选").fill("养老");
    await page.getByRole("button", { name: "编辑 养老服务" }).waitFor();
    expect(await scrollLocked(page)).toBe(false);

    // Taken off Open311, a category is no longer offered to Open311 clients.
    const offered = async () => ((await (await page.request.get(`${baseUrl()}/open311/v2/services.json`)).json()) as { service_code: string; service_name: string }[]).filter((service) => service.service_name === "邻里纠纷");
    expect(await offered()).toHaveLength(1);
    await page.getByLabel("按名称或编码筛选").fill("邻里");
    await page.getByRole("button", { name: "编辑 邻里纠纷" }).click();
    const edit = await dialogAtRest(page.getByRole("dialog", { name: "编辑类别：邻里纠纷" }));
    const open311 = edit.getByRole("switch", { name: /^Open311 开放/ });
    expect(await open311.getAttribute("aria-checked")).toBe("true");
    await open311.click();
    await edit.getByRole("button", { name: "保存" }).click();
    await edit.waitFor({ state: "detached" });
    await expect.poll(offered, { timeout: UI_TIMEOUT }).toHaveLength(0);

    // The response templates' administration, a table too.
    await page.goto(`${baseUrl()}/console/admin/templates`);
    await page.locator(".ant-table").first().waitFor();
    await expect.poll(() => page.locator(".ant-spin-spinning").count(), { timeout: UI_TIMEOUT }).toBe(0);

    // Divisions by name: a department's, and a routing rule's division chosen by a street's name.
    const { division } = (await (await callApi(admin, "GET", "/api/v1/divisions/530103?depth=1")).json()) as { division: { children: { code: string; name: string }[] } };
    const street = division.children[2];
    await page.goto(`${baseUrl()}/console/admin/departments`);
    await expect.poll(() => page.locator(".ant-table-row").first().locator(".admin-scope").textContent(), { timeout: UI_TIMEOUT }).toBe("盘龙区530103");
    await page.getByRole("tab", { name: "派遣规则" }).click();
    const toolbar = page.locator(".admin-toolbar");
    const choose = async (label: string, typed: string, option: string) => {
      await toolbar.locator(".ant-form-item").filter({ hasText: label }).locator(".ant-select").click();
      await page.keyboard.type(typed);
      await page.locator(".ant-select-dropdown:visible .ant-select-item-option").filter({ hasText: option }).first().click();
    };
    await choose("类别", "邻里", "邻里纠纷");
    await choose("区划", street.name, street.name);
    await choose("部门", "民政", "盘龙区民政局");
    await toolbar.getByRole("button", { name: "设置规则" }).click();
    const rule = page.locator(".ant-table-row").filter({ hasText: "邻里纠纷" });
    await expect.poll(() => rule.locator(".admin-scope").textContent(), { timeout: UI_TIMEOUT }).toBe(`${street.name}${street.code}`);
    const rules = (await (await callApi(admin, "GET", "/api/v1/routing-rules")).json()) as { rules: { categoryCode: string; divisionCode: string; departmentCode: string }[] };
    expect(rules.rules.filter((r) => r.categoryCode === CATEGORY).map((r) => r.divisionCode)).toEqual([street.code]);
  });

  it("keeps category settings from a street administrator: no tab, no page, 403", async () => {
    const page = await newPage();
    await signIn(page, STREET_ADMIN.username, STREET_ADMIN.password, "/console/admin");
    await page.getByRole("tab", { name: "用户" }).waitFor();
    // The page's title once in the breadcrumb, not again as its menu entry.
    await page.locator(".console__breadcrumb").getByText("系统管理").waitFor();
    expect(await page.locator(".console__breadcrumb").getByText("系统管理").count()).toBe(1);

    // Scopes by name: the street's own beside its code, and a new account's chosen by a community's name.
    const { division: street } = (await (await callApi(await apiSignIn(STREET_ADMIN.username, STREET_ADMIN.password), "GET", "/api/v1/divisions/530103001?depth=1")).json()) as {
      division: { name: string; children: { code: string; name: string }[] };
    };
    const community = street.children[1];
    await page.getByLabel("按用户名筛选").fill(STREET_ADMIN.username);
    await expect.poll(() => page.getByRole("row").filter({ hasText: STREET_ADMIN.username }).locator(".admin-scope").textContent(), { timeout: UI_TIMEOUT }).toBe(`${street.name}530103001`);
    await page.getByRole("button", { name: "新建用户" }).click();
    const create = await dialogAtRest(page.getByRole("dialog", { name: "新建用户" }));
    await create.getByLabel("用户名").fill("gw-by-name");
    await create.getByLabel("姓名").fill("按名称选范围");
    await create.getByLabel("角色").click();
    await page.locator(".ant-select-dropdown:visible .ant-select-item-option").filter({ hasText: "网格员" }).first().click();
    await page.keyboard.press("Escape");
    // A click on the select, as a person does: its search box takes the typing.
    await create.locator(".ant-form-item").filter({ hasText: "管辖范围" }).locator(".ant-select").click();
    await page.keyboard.type(community.name);
    await page.locator(".ant-select-dropdown:visible .ant-select-item-option").filter({ hasText: community.name }).first().click();
    await create.getByRole("button", { name: "保存" }).click();
    await page.getByText(/请把初始密码告知本人/).waitFor();
    const users = (await (await callApi(await apiSignIn(STREET_ADMIN.username, STREET_ADMIN.password), "GET", "/api/v1/users?role=grid_worker&limit=500")).json()) as { users: { username: string; scopeCode: string }[] };
    expect(users.users.find((user) => user.username === "gw-by-name")?.scopeCode).toBe(community.code);

    expect(await page.getByRole("tab", { name: "案件类别" }).count()).toBe(0);
    expect(await page.getByRole("tab", { name: "网格导入" }).count()).toBe(0);
    await page.goto(`${baseUrl()}/console/admin/categories`);
    await page.getByText("无权访问").waitFor();
    const cookie = await apiSignIn(STREET_ADMIN.username, STREET_ADMIN.password);
    const response = await callApi(cookie, "PATCH", `/api/v1/categories/${CATEGORY}`, { active: true }, { "if-match": '"1"' });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("district_scope_required");
  });

  it("refuses an intake without the category's required answer in the form", async () => {
    const grid = (await (await callApi(admin, "GET", `/api/v1/grids/${SHANGYI}`)).json()) as { grid: { name: string } };
    const page = await newPage();
    await signIn(page, "seat-01", DEMO_PASSWORD, "/console/intake");
    await page.getByLabel("来电号码").waitFor();
    await page.getByLabel("地点").fill(grid.grid.name);
    await page.getByRole("option", { name: grid.grid.name }).first().waitFor({ state: "attached" });
    await page.keyboard.press("Enter");
    await page.getByLabel("问题描述").fill("楼上邻居天天吵架，影响休息");
    await page.getByLabel("案件类别").fill("邻里纠纷");
    await page.getByRole("option", { name: "邻里纠纷" }).first().waitFor({ state: "attached" });
    await page.keyboard.press("Enter");
    await page.getByLabel("涉及户数").waitFor();
    await page.getByRole("button", { name: "预览" }).click();
    await page.getByText("请回答：涉及户数").waitFor();
    expect(await page.getByRole("region", { name: "创建前核对" }).count()).toBe(0);
    await shot(page, "admin-intake-question.png");
    // Answered, the call goes on to the check before creating.
    await page.getByLabel("涉及户数").fill("2");
    await page.getByRole("button", { name: "预览" }).click();
    await page.getByRole("region", { name: "创建前核对" }).waitFor();
  });
});

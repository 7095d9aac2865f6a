import { readFile } from "node:fs/promises";
import ExcelJS from "exceljs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GAUSS_KRUGER_PRJ, shapefileZip } from "../server/test/shapefile-writer.ts";
import { DEMO_PASSWORD, startDemoServer } from "./server.ts";
import { launchChromium, openPage, UI_TIMEOUT } from "./browser.ts";
import { signInAt } from "./sign-in.ts";

let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const violations: string[] = [];

const baseUrl = () => {
  if (!server) throw new Error("The server did not start");
  return server.url;
};

async function newPage(): Promise<Page> {
  return openPage(browser, contexts, violations, { viewport: { width: 1366, height: 768 }, acceptDownloads: true });
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

type GridCollection = { features: { properties: { code: string; name: string }; geometry: { coordinates: number[][][] } }[] };

describe("Shapefile grids and indicator workbooks", () => {
  it("checks and loads a zipped Shapefile on the grid import page, and says why a projected one is refused", async () => {
    const page = await newPage();
    await signInAt(page, `${baseUrl()}/console/admin/grids`, "admin", DEMO_PASSWORD);
    const grids = (await (await page.request.get(`${baseUrl()}/api/v1/grids?division=530103001001`)).json()) as GridCollection;
    const records = grids.features.map((feature, k) => ({
      polygons: [feature.geometry.coordinates],
      attributes: { 网格编码: feature.properties.code, 网格名称: `尚义社区第${k + 1}网格（测绘）` },
    }));
    const file = page.getByLabel("网格文件（GeoJSON 或 Shapefile 压缩包）");

    await file.setInputFiles({ name: "projected.zip", mimeType: "application/zip", buffer: shapefileZip(records, { encoding: "gbk", prj: GAUSS_KRUGER_PRJ }) });
    await page.getByText(/该 Shapefile 为投影坐标系，请导出为经纬度.*CGCS2000 \/ 3-degree Gauss-Kruger CM 102E/).waitFor();

    await file.setInputFiles({ name: "尚义社区.zip", mimeType: "application/zip", buffer: shapefileZip(records, { encoding: "gbk" }) });
    await page.getByText(`校验通过：${records.length} 个网格，可以导入`).waitFor();
    await page.getByRole("button", { name: `导入 ${records.length} 个网格` }).click();
    await page.getByText(`已导入 ${records.length} 个网格`).waitFor();
    const after = (await (await page.request.get(`${baseUrl()}/api/v1/grids?division=530103001001`)).json()) as GridCollection;
    expect(after.features.map((feature) => feature.properties.name)).toEqual(records.map((record) => record.attributes.网格名称));
  });

  it("downloads the dashboard's indicators as a workbook holding the API's figures", async () => {
    const page = await newPage();
    await signInAt(page, `${baseUrl()}/console/dashboard`, "leader", DEMO_PASSWORD);
    await page.getByRole("button", { name: "导出指标（Excel）" }).waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "导出指标（Excel）" }).click()]);
    const name = download.suggestedFilename();
    const match = /^indicators-530103-(\d{4}-\d{2}-\d{2})-(\d{4}-\d{2}-\d{2})\.xlsx$/.exec(name);
    expect(match, name).not.toBeNull();
    const api = (await (await page.request.get(`${baseUrl()}/api/v1/indicators?division=530103&from=${match![1]}&to=${match![2]}&groupBy=street`)).json()) as {
      rows: { key: string; figures: { accepted: number } }[];
      total: { accepted: number };
    };
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await readFile(await download.path())) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    const values: ExcelJS.CellValue[][] = [];
    sheet.eachRow((row) => values.push((row.values as ExcelJS.CellValue[]).slice(1)));
    expect(values.map((row) => row[0])).toEqual(expect.arrayContaining(["统计范围：盘龙区（530103）", "分组：街道"]));
    const headerAt = values.findIndex((row) => row[0] === "街道编码");
    expect(values[headerAt][2]).toBe("受理数");
    const rows = values.slice(headerAt + 1);
    expect(rows.map((row) => [row[0], row[2]])).toEqual([...api.rows.map((row) => [row.key, row.figures.accepted]), ["合计", api.total.accepted]]);
  });
});

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/database.ts";
import { readTable } from "../src/modules/exchange/table-reader.ts";
import { writeCsv } from "../src/modules/exchange/table-writer.ts";
import { gridgov } from "./cli.ts";
import { copyTemplate } from "./databases.ts";

const disposers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const dispose of disposers) await dispose();
});

const open = (env: Record<string, string>) => openDatabase(env.DATABASE_URL ? { kind: "postgres", url: env.DATABASE_URL } : { kind: "pglite", dataDir: env.DATA_DIR });

describe("gridgov exchange", () => {
  it("imports a 12345 file by a mapping's name with progress, once however often, reports bad rows, and exports the results", async () => {
    const copy = await copyTemplate("demo");
    disposers.push(copy.dispose);
    const database = await open(copy.env);
    let gridName: string;
    try {
      gridName = (await database.db.selectFrom("grids").select("name").where("code", "=", "530103001001001").executeTakeFirstOrThrow()).name;
      await database.db
        .insertInto("hotline_mappings")
        .values({
          id: "0190b2f4-0000-7000-8000-0000000000c1",
          region_code: "530103",
          name: "市平台",
          source_name: "kunming12345",
          columns: JSON.stringify({ externalRef: "工单号", description: "内容", address: "地址" }),
        })
        .execute();
    } finally {
      await database.close();
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-hotline-"));
    const good = path.join(dir, "orders.csv");
    fs.writeFileSync(good, writeCsv(["工单号", "内容", "地址"], [["K-1", "路灯不亮", `${gridName}`], ["K-2", "井盖缺失", `${gridName}东门`]]));
    const first = await gridgov(["exchange", "hotline-import", good, "--mapping", "市平台"], copy.env);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ rows: 2, new: 2, existing: 0, imported: 2 });
    expect(first.stderr).toContain("hotline-import: 2/2 rows");
    const again = await gridgov(["exchange", "hotline-import", good, "--mapping", "市平台"], copy.env);
    expect(JSON.parse(again.stdout)).toMatchObject({ new: 0, existing: 2, imported: 0 });

    const bad = path.join(dir, "bad.csv");
    fs.writeFileSync(bad, writeCsv(["工单号", "内容", "地址"], [["K-3", "路灯不亮", gridName], ["K-4", "", gridName]]));
    const refused = await gridgov(["exchange", "hotline-import", bad, "--mapping", "市平台"], copy.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("invalid_rows");
    expect(refused.stderr).toContain("诉求内容为空");
    const goodOnly = await gridgov(["exchange", "hotline-import", bad, "--mapping", "市平台", "--good-rows-only"], copy.env);
    expect(JSON.parse(goodOnly.stdout)).toMatchObject({ new: 1, bad: 1 });

    const out = path.join(dir, "results.xlsx");
    const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const exported = await gridgov(["exchange", "hotline-export", "--mapping", "市平台", "--from", day, "--to", day, "--out", out], copy.env);
    expect(exported.code, exported.stderr).toBe(0);
    const table = await readTable(fs.readFileSync(out));
    expect(table.headers).toEqual(["工单号", "办理状态", "承办单位", "办理结果", "办结时间", "满意度"]);
    expect(table.rows.map((row) => row.cells[0]).sort()).toEqual(["K-1", "K-2", "K-3"]);
  });
});

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

describe("gridgov import and export of reference data", () => {
  it("prints every bad row and imports nothing, imports the good rows when asked, and its export rebuilds what was deleted", async () => {
    const copy = await copyTemplate("demo");
    disposers.push(copy.dispose);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-reference-"));
    const file = path.join(dir, "departments.csv");
    fs.writeFileSync(file, writeCsv(["部门编码", "部门名称", "所属区划编码", "值班电话"], [["cli-a", "命令行部门", "530103001", "0871-65000009"], ["cli-b", "错区划", "530199", ""]]));

    const refused = await gridgov(["import", "departments", file], copy.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("第3行 [所属区划编码] 您的管辖范围内没有区划「530199」 (division_not_found)");
    expect(refused.stderr).toContain("invalid_rows");
    const imported = await gridgov(["import", "departments", file, "--good-rows-only"], copy.env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ created: 1, bad: 1 });
    expect(imported.stderr).toContain("import departments: 1/1 rows");

    const out = path.join(dir, "export.xlsx");
    const exported = await gridgov(["export", "departments", out], copy.env);
    expect(exported.code, exported.stderr).toBe(0);
    // The operator's export keeps phones whole.
    expect((await readTable(fs.readFileSync(out))).rows.find((row) => row.cells[0] === "cli-a")?.cells).toEqual(["cli-a", "命令行部门", "530103001", "0871-65000009"]);
    const database = await open(copy.env);
    try {
      await database.db.deleteFrom("departments").where("code", "=", "cli-a").execute();
    } finally {
      await database.close();
    }
    const again = await gridgov(["import", "departments", out], copy.env);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: 1, updated: 0, bad: 0 });
    const reopened = await open(copy.env);
    try {
      expect(await reopened.db.selectFrom("departments").select(["name", "division_code", "duty_phone"]).where("code", "=", "cli-a").executeTakeFirst()).toEqual({ name: "命令行部门", division_code: "530103001", duty_phone: "0871-65000009" });
    } finally {
      await reopened.close();
    }
  });
});

// npm run bench hotline-import: a generated 12345 file of 100,000 work orders (--rows; CSV, about
// 13 MB) imported through a mapping into the demo district, on PGlite (--pglite-rows, the same by
// default) and, with DATABASE_URL or --postgres <url>, PostgreSQL; rows/s of reading and checking,
// of writing, and in all (aim ≥ 5,000 rows/s on PostgreSQL). A second import of the same file
// measures the idempotent pass. Meanwhile GET /healthz is asked every 5 ms: its p99 and worst
// latency while the file is read and checked, and while it is written, show how long the import
// holds the event loop (aim: p99 under 50 ms while checking).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../server/src/config.ts";
import { openDatabase, type Database } from "../server/src/db/database.ts";
import { migrate } from "../server/src/db/migrate.ts";
import { buildApp } from "../server/src/app.ts";
import { createContext } from "../server/src/create-context.ts";
import { ensureCategories } from "../server/src/modules/cases/categories.service.ts";
import { seedDemoDistrict } from "../server/src/modules/demo/demo.seed.ts";
import { findMapping } from "../server/src/modules/exchange/hotline.repository.ts";
import { importHotlineFile } from "../server/src/modules/exchange/hotline.service.ts";
import { writeCsv } from "../server/src/modules/exchange/table-writer.ts";
import { fmt, percentile, withFreshPostgres } from "./lib.ts";

const ROWS = Number(option("--rows") ?? 100_000);
const PGLITE_ROWS = Number(option("--pglite-rows") ?? ROWS);
const AIM_ROWS_PER_SECOND = 5_000;
const AIM_HEALTH_P99_MS = 50;
const PROBE_EVERY_MS = 5;
const MAPPING_ID = "0190b2f4-0000-7000-8000-00000000b001";
const PROBLEMS = ["路灯不亮，晚上很黑", "井盖缺失，有安全隐患", "垃圾堆积无人清运", "占道经营影响通行", "小广告乱贴", "道路破损坑洼", "施工噪音扰民", "树木倒伏"];

function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  const k = args.indexOf(name);
  return k >= 0 ? args[k + 1] : undefined;
}

/** Work orders spread over every grid of the district, half placed by address and half by coordinates. */
function generateFile(grids: { code: string; name: string; point: [number, number] }[], size: number): Buffer {
  const rows: string[][] = [];
  for (let k = 0; k < size; k++) {
    const grid = grids[k % grids.length];
    const byAddress = k % 2 === 0;
    rows.push([
      `KM12345-20261203-${String(k).padStart(6, "0")}`,
      `2026-12-0${1 + (k % 3)} ${String(8 + (k % 10)).padStart(2, "0")}:${String(k % 60).padStart(2, "0")}`,
      `${PROBLEMS[k % PROBLEMS.length]}（第${k}号来电）`,
      byAddress ? `盘龙区${grid.name}附近` : "",
      byAddress ? "" : grid.point[0].toFixed(6),
      byAddress ? "" : grid.point[1].toFixed(6),
      "市民",
      `1380000${String(k % 10_000).padStart(4, "0")}`,
    ]);
  }
  return Buffer.from(writeCsv(["工单编号", "受理时间", "诉求内容", "地址", "经度", "纬度", "来电人", "联系电话"], rows));
}

async function benchDatabase(label: string, database: Database, config: ReturnType<typeof loadConfig>, size: number): Promise<void> {
  await migrate(database.db);
  await ensureCategories(database.db);
  const ctx = createContext(database.db, config);
  await seedDemoDistrict(ctx, "bench-pass-123");
  await ctx.grids.load(ctx.db);
  const grids = (await ctx.db.selectFrom("grids").select(["code", "name"]).orderBy("code").execute()).map((grid) => ({
    ...grid,
    point: ctx.grids.interiorPoint(grid.code) as [number, number],
  }));
  await ctx.db
    .insertInto("hotline_mappings")
    .values({
      id: MAPPING_ID,
      region_code: "530103",
      name: "bench",
      source_name: "kunming12345",
      columns: JSON.stringify({ externalRef: "工单编号", reportedAt: "受理时间", description: "诉求内容", address: "地址", lng: "经度", lat: "纬度", callerName: "来电人", callerPhone: "联系电话" }),
    })
    .execute();
  const mapping = await findMapping(ctx.db, "530103", MAPPING_ID);
  if (!mapping) throw new Error("no mapping");
  const file = generateFile(grids, size);
  const app = await buildApp(ctx);
  // The first answer of a route compiles its serializer: not the import's doing.
  await app.inject({ method: "GET", url: "/healthz" });
  let writingStarted = 0;
  const probes = { checking: [] as number[], writing: [] as number[] };
  let importing = true;
  const probing = (async () => {
    while (importing) {
      const phase = writingStarted === 0 ? probes.checking : probes.writing;
      const sent = performance.now();
      const answer = await app.inject({ method: "GET", url: "/healthz" });
      if (answer.statusCode !== 200) throw new Error(`${label}: /healthz answered ${answer.statusCode}`);
      phase.push(performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
  })();
  const started = performance.now();
  const result = await importHotlineFile(ctx, null, mapping, file, {
    onProgress: (done) => {
      if (done === 0) writingStarted = performance.now();
    },
  }).finally(() => (importing = false));
  const ended = performance.now();
  await probing;
  await app.close();
  if (result.imported !== size) throw new Error(`${label}: imported ${result.imported} of ${size}: ${JSON.stringify(result.problems.slice(0, 3))}`);
  const again = performance.now();
  const second = await importHotlineFile(ctx, null, mapping, file);
  const secondSeconds = (performance.now() - again) / 1000;
  if (second.imported !== 0 || second.existing !== size) throw new Error(`${label}: the second import wrote ${second.imported}`);
  const seconds = (ended - started) / 1000;
  const checking = (writingStarted - started) / 1000;
  const writing = (ended - writingStarted) / 1000;
  const rate = size / seconds;
  console.log(
    `${label}: ${fmt(size, 0)} rows (${fmt(file.length / 1024 / 1024)} MB CSV) in ${fmt(seconds)} s: ${fmt(rate, 0)} rows/s ` +
      `(reading and checking ${fmt(checking)} s, ${fmt(size / checking, 0)} rows/s; writing ${fmt(writing)} s, ${fmt(size / writing, 0)} rows/s); ` +
      `the same file again ${fmt(secondSeconds)} s, nothing written${label === "PostgreSQL" ? `; aim ≥ ${fmt(AIM_ROWS_PER_SECOND, 0)} rows/s: ${rate >= AIM_ROWS_PER_SECOND ? "met" : "NOT met"}` : ""}`,
  );
  const health = (samples: number[]) =>
    samples.length === 0 ? "no probe" : `p50 ${fmt(percentile(samples, 50))} ms, p99 ${fmt(percentile(samples, 99))} ms, worst ${fmt(Math.max(...samples))} ms (${samples.length} probes)`;
  const checkingP99 = probes.checking.length > 0 ? percentile(probes.checking, 99) : 0;
  console.log(
    `${label}: GET /healthz during the import: reading and checking ${health(probes.checking)}; writing ${health(probes.writing)}; ` +
      `aim p99 < ${AIM_HEALTH_P99_MS} ms while checking: ${checkingP99 < AIM_HEALTH_P99_MS ? "met" : "NOT met"}`,
  );
}

export async function run(): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-hotline-"));
  try {
    const config = loadConfig({ DATA_DIR: path.join(scratch, "data"), DATABASE_URL: "", ATTACHMENTS_DIR: path.join(scratch, "attachments") });
    const embedded = await openDatabase(config.database);
    try {
      await benchDatabase("PGlite", embedded, config, PGLITE_ROWS);
    } finally {
      await embedded.close();
    }
    const url = option("--postgres") ?? process.env.DATABASE_URL?.trim();
    if (!url) {
      console.log("PostgreSQL: skipped (set DATABASE_URL or --postgres <url> to measure it too)");
      return;
    }
    await withFreshPostgres(url, async (fresh) => {
      const pgConfig = loadConfig({ DATABASE_URL: fresh, ATTACHMENTS_DIR: path.join(scratch, "attachments") });
      const database = await openDatabase(pgConfig.database);
      try {
        await benchDatabase("PostgreSQL", database, pgConfig, ROWS);
      } finally {
        await database.close();
      }
    });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

import fs from "node:fs";
import type { AppContext } from "../context.ts";
import { AppError } from "../errors.ts";
import { exportHotlineResults, importHotlineFile, mappingByName } from "../modules/exchange/hotline.service.ts";
import { TABLE_LIMITS } from "../modules/exchange/table-reader.ts";

/**
 * Progress on stderr as `gridgov seed` draws it: one updating bar on a terminal (done/total, rate,
 * ETA), otherwise a plain line at most every few seconds and at the end.
 */
export function rowProgress(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const tty = stream.isTTY === true;
  const started = performance.now();
  let lastLine = -Infinity;
  return (done: number, total: number) => {
    const elapsed = performance.now() - started;
    const rate = elapsed > 0 ? (done * 1000) / elapsed : 0;
    const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
    const text = `${done.toLocaleString("en")}/${total.toLocaleString("en")} rows, ${Math.round(rate).toLocaleString("en")} rows/s, ETA ${eta} s`;
    if (tty) {
      const width = 30;
      const filled = Math.round((done / Math.max(1, total)) * width);
      stream.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${text}\x1b[K${done === total ? "\n" : ""}`);
    } else if (done === total || elapsed - lastLine >= 2000) {
      lastLine = elapsed;
      stream.write(`${label}: ${text}\n`);
    }
  };
}

/** A table file from disk, refused before it is read when larger than a table may be. */
export function readTableFile(file: string): Buffer {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (error) {
    throw new AppError(400, "invalid_file", `Cannot read ${file}: ${(error as Error).message}`);
  }
  if (size > TABLE_LIMITS.maxBytes) throw new AppError(413, "table_too_large", `A table file holds at most ${TABLE_LIMITS.maxBytes / 1024 / 1024} MiB`);
  return fs.readFileSync(file);
}

/** `gridgov exchange hotline-import`: the whole region's, as the operator of the server. */
export async function hotlineImportCommand(ctx: AppContext, file: string, options: { mapping: string; region?: string; goodRowsOnly?: boolean; preview?: boolean }) {
  const data = readTableFile(file);
  await ctx.grids.load(ctx.db);
  const mapping = await mappingByName(ctx, options.mapping, options.region);
  return importHotlineFile(ctx, null, mapping, data, { goodRowsOnly: options.goodRowsOnly, preview: options.preview, onProgress: rowProgress("hotline-import") });
}

/** `gridgov exchange hotline-export`: the results file of the period, written to `out`. */
export async function hotlineExportCommand(ctx: AppContext, options: { mapping: string; region?: string; from: string; to: string; out: string }) {
  const mapping = await mappingByName(ctx, options.mapping, options.region);
  const format = options.out.toLowerCase().endsWith(".csv") ? "csv" : "xlsx";
  const from = new Date(`${options.from}T00:00:00+08:00`);
  const to = new Date(new Date(`${options.to}T00:00:00+08:00`).getTime() + 86400_000);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new AppError(400, "invalid_period", "--from and --to are days, yyyy-mm-dd");
  const { rows, file } = await exportHotlineResults(ctx, null, mapping, { from, to, format });
  fs.writeFileSync(options.out, file);
  return { rows, file: options.out, format };
}

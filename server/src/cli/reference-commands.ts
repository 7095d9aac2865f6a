import fs from "node:fs";
import type { AppContext } from "../context.ts";
import { AppError } from "../errors.ts";
import type { ReferenceKind, RowProblem } from "../modules/exchange/reference-columns.ts";
import { exportReference, importReferenceFile } from "../modules/exchange/reference-imports.service.ts";
import { readTableFile, rowProgress } from "./exchange-commands.ts";

/** The bad rows as a clerk reads them, one a line: 第12行 [角色] 没有角色「队长」… (unknown_role). */
export function describeProblems(problems: readonly RowProblem[]): string {
  return problems.map((problem) => `第${problem.row}行 [${problem.column}] ${problem.reason} (${problem.code})\n`).join("");
}

/**
 * `gridgov import staff|departments|places <file>`: as the operator of the server (no actor), with
 * the checks of the API; progress and the bad rows on stderr, the summary on stdout.
 */
export async function referenceImportCommand(ctx: AppContext, kind: ReferenceKind, file: string, options: { goodRowsOnly?: boolean; preview?: boolean }, stderr: NodeJS.WriteStream = process.stderr) {
  const data = readTableFile(file);
  await ctx.grids.load(ctx.db);
  try {
    const result = await importReferenceFile(ctx, null, kind, data, { ...options, onProgress: rowProgress(`import ${kind}`, stderr) });
    if (result.problems.length > 0) stderr.write(`${result.bad} bad rows${result.preview ? "" : ", not imported"}:\n${describeProblems(result.problems)}`);
    return result;
  } catch (error) {
    if (error instanceof AppError && error.code === "invalid_rows") {
      const report = error.details as { bad: number; problems: RowProblem[] };
      stderr.write(describeProblems(report.problems));
      throw new AppError(422, "invalid_rows", `${report.bad} bad rows (above); nothing was imported. --good-rows-only imports the others`);
    }
    throw error;
  }
}

/** `gridgov export staff|departments|places <file>`: every record, phones whole (the operator holds the database anyway). */
export async function referenceExportCommand(ctx: AppContext, kind: ReferenceKind, out: string) {
  const { rows, file } = await exportReference(ctx, null, kind);
  fs.writeFileSync(out, file);
  return { kind, rows, file: out };
}

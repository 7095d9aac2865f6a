import { bulletinPdf } from "../server/src/modules/evaluation/bulletin-pdf.ts";
import { BULLETIN_300_ROWS, sampleBulletin } from "../server/src/modules/evaluation/bulletin-sample.ts";
import { bulletinWorkbook } from "../server/src/modules/evaluation/bulletin-workbook.ts";
import { fmt, percentile } from "./lib.ts";

const RUNS = 5;

/** A half-monthly bulletin of 300 ranked rows (12 streets, 110 communities, 40 departments, 138 grid workers), 50 overdue cases. */
export async function run(): Promise<void> {
  const data = sampleBulletin(BULLETIN_300_ROWS);
  for (const [name, render] of [["xlsx", bulletinWorkbook], ["pdf", bulletinPdf]] as const) {
    const started = performance.now();
    const first = await render(data);
    const cold = performance.now() - started;
    const times: number[] = [];
    for (let k = 0; k < RUNS; k++) {
      const at = performance.now();
      await render(data);
      times.push(performance.now() - at);
    }
    console.log(
      `${name}: ${fmt(first.length / 1024)} KB; first ${fmt(cold, 0)} ms (loading included), then p50 ${fmt(percentile(times, 50), 0)} ms, max ${fmt(Math.max(...times), 0)} ms over ${RUNS} runs`,
    );
  }
}

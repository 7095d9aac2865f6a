// npm run bench: every benchmark of the project, one after another, printing its figures.
import { run as gridLocate } from "./grid-locate.bench.ts";
import { run as startup } from "./startup.bench.ts";
import { run as eventLoop } from "./event-loop.bench.ts";
import { run as intake } from "./intake.bench.ts";
import { run as soak } from "./soak.bench.ts";
import { run as uploads } from "./uploads.bench.ts";
import { run as scale } from "./scale.bench.ts";
import { run as bundle } from "./bundle.bench.ts";
import { run as events } from "./events.bench.ts";
import { run as caseMap } from "./case-map.bench.ts";
import { run as notifications } from "./notifications.bench.ts";
import { run as bulk } from "./bulk.bench.ts";
import { run as apps } from "./apps.bench.ts";
import { run as bulletinFiles } from "./bulletin-files.bench.ts";
import { run as seed } from "./seed.bench.ts";
import { run as dashboard } from "./dashboard.bench.ts";
import { run as indicators } from "./indicators.bench.ts";
import { run as open311 } from "./open311.bench.ts";
import { run as hotlineImport } from "./hotline-import.bench.ts";
import { run as webhooks } from "./webhooks.bench.ts";

const benches: [string, () => Promise<void>][] = [
  ["grid-locate", gridLocate],
  ["startup", startup],
  ["event-loop", eventLoop],
  ["intake", intake],
  ["uploads", uploads],
  ["soak", soak],
  ["scale", scale],
  ["bundle", bundle],
  ["events", events],
  ["case-map", caseMap],
  ["notifications", notifications],
  ["bulk", bulk],
  ["apps", apps],
  ["bulletin-files", bulletinFiles],
  ["seed", seed],
  ["dashboard", dashboard],
  ["indicators", indicators],
  ["open311", open311],
  ["hotline-import", hotlineImport],
  ["webhooks", webhooks],
];
// Names to run; options (--cases 100000) and their values are for the benches.
const only = process.argv.slice(2).filter((arg, k, args) => !arg.startsWith("--") && !args[k - 1]?.startsWith("--"));
for (const [name, run] of benches) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n## ${name}`);
  await run();
}

// The phone apps on a cheap phone: the compressed JavaScript of the first load of /resident and
// /field (entry and static imports), and the time to interactive of /resident in Chromium on a
// slow 4G network with a 4× slower CPU.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { REPO_ROOT, startServer } from "../server/test/cli.ts";
import { chunkClosure, entryOf } from "../web/bundle-graph.ts";
import { compressedSize, fmt, totalSize } from "./lib.ts";

/** First-load compressed JavaScript of each phone app: at most this many KB. */
const FIRST_LOAD_AIM_KB = 200;
/** Time to interactive of /resident on the throttled phone: at most this many ms. */
const TTI_AIM_MS = 3000;
/** Slow 4G as the benchmark emulates it: round trip, and throughput in bytes per second. */
const NETWORK = { latency: 400, downloadThroughput: (1.6 * 1_000_000) / 8, uploadThroughput: (750 * 1000) / 8 };
const CPU_SLOWDOWN = 4;
const RUNS = 3;

const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`;


/** Builds the web app into a scratch directory and weighs each phone app's first load. */
function weighFirstLoads(): void {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-apps-"));
  try {
    execFileSync("npx", ["vite", "build", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"], { cwd: path.join(REPO_ROOT, "web"), stdio: "inherit" });
    const assets = path.join(outDir, "assets");
    console.log("First-load JavaScript of the phone apps (built now; entry chunk and its static imports, compressed as the build precompresses)");
    for (const [label, page] of [["/resident", "resident.html"], ["/field", "field.html"]] as const) {
      const chunks = chunkClosure(assets, [entryOf(outDir, page)]);
      const total = totalSize([...chunks].map((name) => compressedSize(path.join(assets, name))));
      const worst = Math.max(total.gzip, total.brotli) / 1024;
      console.log(
        `  ${label.padEnd(10)} ${String(chunks.size).padStart(2)} files  raw ${kb(total.raw).padStart(9)}  gzip ${kb(total.gzip).padStart(8)}  brotli ${kb(total.brotli).padStart(8)}   aim ≤ ${FIRST_LOAD_AIM_KB} KB: ${worst <= FIRST_LOAD_AIM_KB ? "within" : "OVER"}`,
      );
      const antd = [...chunks].some((name) => fs.readFileSync(path.join(assets, name), "utf8").includes("ant-btn"));
      const leaflet = [...chunks].some((name) => fs.readFileSync(path.join(assets, name), "utf8").includes("leaflet-container"));
      if (antd || leaflet) console.log(`    first load carries ${[antd && "Ant Design", leaflet && "Leaflet"].filter(Boolean).join(" and ")}`);
    }
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

/**
 * Opens /resident cold (no cache) on the throttled phone and returns, from the start of navigation:
 * when the page's main button is drawn, and when the main thread is free for good (the end of the
 * last task over 50 ms, no earlier than the button): the time to interactive.
 */
async function timeToInteractive(url: string): Promise<{ button: number; interactive: number; bytes: number }> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "zh-CN" });
    // As a string: the bench runs through a transpiler whose helpers the page does not have.
    await context.addInitScript(`
      window.__longTasks = [];
      new PerformanceObserver((list) => { for (const entry of list.getEntries()) window.__longTasks.push(entry.startTime + entry.duration); })
        .observe({ type: "longtask", buffered: true });
    `);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", { offline: false, ...NETWORK });
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
    let bytes = 0;
    cdp.on("Network.loadingFinished", (event: { encodedDataLength: number }) => (bytes += event.encodedDataLength));
    await page.goto(`${url}/resident`, { waitUntil: "commit" });
    await page.getByRole("link", { name: "我要上报" }).waitFor({ timeout: 60_000 });
    const button = await page.evaluate<number>("performance.now()");
    // A quiet second after the button: long tasks that end later would be counted.
    await page.waitForTimeout(1000);
    const lastLongTask = await page.evaluate<number>("Math.max(0, ...window.__longTasks)");
    await page.waitForLoadState("load");
    return { button, interactive: Math.max(button, lastLongTask), bytes };
  } finally {
    await browser.close();
  }
}

export async function run(): Promise<void> {
  weighFirstLoads();
  if (!fs.existsSync(path.join(REPO_ROOT, "web/dist/resident.html"))) throw new Error("web/dist/resident.html is missing: run `npm run build -w web` first");
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-apps-data-"));
  const server = await startServer({ DATA_DIR: dataDir, DATABASE_URL: "", DEMO_CASES: "0", GRIDGOV_DEMO_PASSWORD: "bench-apps-pass-1" }, ["--demo"]);
  try {
    const runs = [];
    for (let k = 0; k < RUNS; k++) runs.push(await timeToInteractive(server.url));
    runs.sort((a, b) => a.interactive - b.interactive);
    const median = runs[Math.floor(runs.length / 2)];
    console.log(
      `\nTime to interactive of /resident, cold, in Chromium at 390 px: network ${NETWORK.latency} ms RTT, ${fmt((NETWORK.downloadThroughput * 8) / 1e6, 1)} Mbps down, ${fmt((NETWORK.uploadThroughput * 8) / 1000, 0)} kbps up; CPU ${CPU_SLOWDOWN}× slower (median of ${RUNS})`,
    );
    console.log(`  report button drawn             ${fmt(median.button, 0).padStart(6)} ms`);
    console.log(`  interactive (main thread free)  ${fmt(median.interactive, 0).padStart(6)} ms   aim ≤ ${TTI_AIM_MS} ms: ${median.interactive <= TTI_AIM_MS ? "within" : "OVER"}`);
    console.log(`  bytes over the network       ${kb(median.bytes).padStart(9)} (gzip: Chromium asks for brotli over HTTPS only)`);
    console.log(`  all runs: ${runs.map((r) => `${fmt(r.interactive, 0)} ms`).join(", ")}`);
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();

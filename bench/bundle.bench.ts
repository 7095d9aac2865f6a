import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import zlib from "node:zlib";
import { REPO_ROOT } from "../server/test/cli.ts";
import { fmt } from "./lib.ts";

/** First-load compressed JavaScript of the console's entry page: at most this many KB (brotli and gzip alike). */
const AIM_KB = 350;
/** The chunks the console's entry page (the queue) needs beside the entry chunk: the shell and the page. */
const PAGE_CHUNKS = [/^ConsoleLayout-/, /^CasesPage-/];

type Size = { raw: number; gzip: number; brotli: number };

function sizeOf(file: string): Size {
  const content = fs.readFileSync(file);
  return {
    raw: content.length,
    gzip: zlib.gzipSync(content, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(content, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length },
    }).length,
  };
}

const add = (a: Size, b: Size): Size => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli });
const none: Size = { raw: 0, gzip: 0, brotli: 0 };
const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`;
const line = (label: string, size: Size, files: number) =>
  `  ${label.padEnd(34)} ${String(files).padStart(3)} files  raw ${kb(size.raw).padStart(10)}  gzip ${kb(size.gzip).padStart(9)}  brotli ${kb(size.brotli).padStart(9)}`;

/** The chunks a chunk loads before it runs: its static imports, transitively (dynamic imports load later, on demand). */
function staticClosure(assets: string, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const pending = [...roots];
  while (pending.length) {
    const name = pending.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const code = fs.readFileSync(path.join(assets, name), "utf8");
    for (const match of code.matchAll(/(?:\bfrom|\bimport)\s*["']\.\/([^"']+\.js)["']/g)) pending.push(match[1]);
  }
  return seen;
}

/**
 * Builds the web app into a scratch directory and weighs its JavaScript: what a browser fetches
 * to show the console's entry page (the entry chunk, the shell and the queue page with everything
 * they import statically), compressed as the server sends it, beside the whole bundle.
 */
export async function run(): Promise<void> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-bundle-"));
  try {
    execFileSync("npx", ["vite", "build", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"], { cwd: path.join(REPO_ROOT, "web"), stdio: "inherit" });
    const assets = path.join(outDir, "assets");
    const html = fs.readFileSync(path.join(outDir, "index.html"), "utf8");
    const entry = /<script[^>]+src="\/assets\/([^"]+\.js)"/.exec(html)?.[1];
    if (!entry) throw new Error("index.html names no entry script");
    const scripts = fs.readdirSync(assets).filter((name) => name.endsWith(".js"));
    const pages = PAGE_CHUNKS.map((pattern) => {
      const found = scripts.find((name) => pattern.test(name));
      if (!found) throw new Error(`No chunk matches ${pattern}`);
      return found;
    });

    const weigh = (names: Iterable<string>) => [...names].reduce((total, name) => add(total, sizeOf(path.join(assets, name))), none);
    const signIn = staticClosure(assets, [entry]);
    const firstLoad = staticClosure(assets, [entry, ...pages]);
    const signInSize = weigh(signIn);
    const firstLoadSize = weigh(firstLoad);
    const wholeSize = weigh(scripts);

    console.log("JavaScript of the web app (built now; compressed at the levels the build precompresses with)");
    console.log(line("sign-in page (entry chunk)", signInSize, signIn.size));
    console.log(line("console entry page (/console/cases)", firstLoadSize, firstLoad.size));
    console.log(line("whole bundle", wholeSize, scripts.length));
    const worst = Math.max(firstLoadSize.gzip, firstLoadSize.brotli) / 1024;
    console.log(`  first load of the console: brotli ${kb(firstLoadSize.brotli)}, gzip ${kb(firstLoadSize.gzip)} (aim ≤ ${AIM_KB} KB): ${worst <= AIM_KB ? "within" : "OVER"} the aim`);
    console.log(`  largest first-load chunks: ${[...firstLoad]
      .map((name) => ({ name, size: sizeOf(path.join(assets, name)).brotli }))
      .sort((a, b) => b.size - a.size)
      .slice(0, 4)
      .map(({ name, size }) => `${name} ${kb(size)}`)
      .join(", ")}`);
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();

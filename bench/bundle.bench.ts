import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../server/test/cli.ts";
import { chunkClosure, entryOf } from "../web/bundle-graph.ts";
import { compressedSize, fmt, totalSize, type FileSize } from "./lib.ts";

/** First-load compressed JavaScript of the console's entry page: at most this many KB (brotli and gzip alike). */
const AIM_KB = 350;
/** The app, which the console's entry chunk loads at once, holding no React itself (web/src/main.tsx). */
const APP_CHUNK = /^mount-/;
/** The sign-in page, a chunk of its own that the entry asks for when no one is signed in. */
const SIGN_IN_CHUNK = /^LoginPage-/;
/** The chunks the console's entry page (the queue) needs beside the entry chunk and the app: the shell and the page. */
const PAGE_CHUNKS = [/^ConsoleLayout-/, /^CasesPage-/];

const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`;
const line = (label: string, size: FileSize, files: number) =>
  `  ${label.padEnd(34)} ${String(files).padStart(3)} files  raw ${kb(size.raw).padStart(10)}  gzip ${kb(size.gzip).padStart(9)}  brotli ${kb(size.brotli).padStart(9)}`;

/**
 * Builds the web app into a scratch directory and weighs its JavaScript: what a browser fetches
 * to show the console's entry page (the entry chunk, the app, the shell and the queue page with everything
 * they import statically), compressed as the server sends it, beside the whole bundle.
 */
export async function run(): Promise<void> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-bundle-"));
  try {
    execFileSync("npx", ["vite", "build", "--outDir", outDir, "--emptyOutDir", "--logLevel", "warn"], { cwd: path.join(REPO_ROOT, "web"), stdio: "inherit" });
    const assets = path.join(outDir, "assets");
    const entry = entryOf(outDir, "index.html");
    const scripts = fs.readdirSync(assets).filter((name) => name.endsWith(".js"));
    const chunk = (pattern: RegExp) => {
      const found = scripts.find((name) => pattern.test(name));
      if (!found) throw new Error(`No chunk matches ${pattern}`);
      return found;
    };
    const app = chunk(APP_CHUNK);
    const pages = PAGE_CHUNKS.map(chunk);

    const weigh = (names: Iterable<string>) => totalSize([...names].map((name) => compressedSize(path.join(assets, name))));
    const signIn = chunkClosure(assets, [entry, app, chunk(SIGN_IN_CHUNK)]);
    const firstLoad = chunkClosure(assets, [entry, app, ...pages]);
    const signInSize = weigh(signIn);
    const firstLoadSize = weigh(firstLoad);
    const wholeSize = weigh(scripts);

    console.log("JavaScript of the web app (built now; compressed at the levels the build precompresses with)");
    console.log(line("sign-in page", signInSize, signIn.size));
    console.log(line("console entry page (/console/cases)", firstLoadSize, firstLoad.size));
    console.log(line("whole bundle", wholeSize, scripts.length));
    // The console's page links Ant Design's components' styles built ahead (decision 0048); the
    // entry chunk loads the app's own with the app.
    const linked = [...fs.readFileSync(path.join(outDir, "index.html"), "utf8").matchAll(/<link rel="stylesheet"[^>]* href="\/assets\/([^"]+\.css)"/g)].map((match) => match[1]);
    const withApp = [...fs.readFileSync(path.join(assets, entry), "utf8").matchAll(/"assets\/([^"]+\.css)"/g)].map((match) => match[1]);
    const sheets = [...new Set([...linked, ...withApp])];
    console.log(line("console page's stylesheets", weigh(sheets), sheets.length));
    const worst = Math.max(firstLoadSize.gzip, firstLoadSize.brotli) / 1024;
    console.log(`  first load of the console: brotli ${kb(firstLoadSize.brotli)}, gzip ${kb(firstLoadSize.gzip)} (aim ≤ ${AIM_KB} KB): ${worst <= AIM_KB ? "within" : "OVER"} the aim`);
    console.log(`  largest first-load chunks: ${[...firstLoad]
      .map((name) => ({ name, size: compressedSize(path.join(assets, name)).brotli }))
      .sort((a, b) => b.size - a.size)
      .slice(0, 4)
      .map(({ name, size }) => `${name} ${kb(size)}`)
      .join(", ")}`);
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();

import fs from "node:fs";
import path from "node:path";

/** The entry script a built page names (`/assets/resident-<hash>.js`). */
export function entryOf(distDir: string, page: string): string {
  const html = fs.readFileSync(path.join(distDir, page), "utf8");
  const entry = /<script[^>]+src="\/assets\/([^"]+\.js)"/.exec(html)?.[1];
  if (!entry) throw new Error(`${page} names no entry script under /assets/`);
  return entry;
}

const STATIC_IMPORT = /(?:\bfrom|\bimport)\s*["']\.\/([^"']+\.js)["']/g;
const DYNAMIC_IMPORT = /\bimport\(\s*["']\.\/([^"']+\.js)["']\s*\)/g;

/**
 * The chunks that `roots` load: their static imports, transitively (what a page needs before it
 * runs), and with `dynamic` also what they may import later (every chunk the app can ever load).
 */
export function chunkClosure(assets: string, roots: string[], { dynamic = false } = {}): Set<string> {
  const seen = new Set<string>();
  const pending = [...roots];
  while (pending.length) {
    const name = pending.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const code = fs.readFileSync(path.join(assets, name), "utf8");
    for (const match of code.matchAll(STATIC_IMPORT)) pending.push(match[1]);
    if (dynamic) for (const match of code.matchAll(DYNAMIC_IMPORT)) pending.push(match[1]);
  }
  return seen;
}

import fs from "node:fs";
import path from "node:path";
import { transform } from "esbuild";
import { describe, expect, it } from "vitest";
import { BUILD_TARGET, PHONE_APP_PAGES } from "../../web/build-target.ts";
import { chunkClosure, entryOf } from "../../web/bundle-graph.ts";
import { REPO_ROOT } from "./cli.ts";

const WEB_DIST = path.join(REPO_ROOT, "web", "dist");

/**
 * Where `code` uses syntax newer than `target`, or undefined: esbuild prints the code twice, as it
 * is and lowered to the target; anything the lowering had to rewrite differs between the two
 * (optional chaining, `??`, class fields, logical assignment, BigInt, `**`…).
 */
async function beyondTarget(code: string, target: string[]): Promise<string | undefined> {
  const options = { format: "esm", minifyWhitespace: true, legalComments: "none", charset: "utf8" } as const;
  const [as, lowered] = await Promise.all([
    transform(code, { ...options, target: "esnext" }),
    // esbuild counts destructuring unsupported before Safari 14.1 for a corner case of default values
    // (and lowers it for no target); every React app destructures, and Safari 13 runs it.
    transform(code, { ...options, target, supported: { destructuring: true } }),
  ]);
  // Some targets only change the parentheses esbuild prints around a class expression: no syntax.
  const [before, after] = [as.code.replace(/[()]/g, ""), lowered.code.replace(/[()]/g, "")];
  if (before === after) return undefined;
  let at = 0;
  while (at < before.length && before[at] === after[at]) at += 1;
  return `${before.slice(Math.max(0, at - 60), at + 60)}  →  ${after.slice(Math.max(0, at - 60), at + 60)}`;
}

describe("the phone apps' JavaScript", () => {
  it.each(PHONE_APP_PAGES)("of %s uses no syntax beyond the declared build target", async (page) => {
    const assets = path.join(WEB_DIST, "assets");
    // Every chunk the app may load: its first load and the pages and map it loads later.
    const chunks = chunkClosure(assets, [entryOf(WEB_DIST, page)], { dynamic: true });
    expect(chunks.size).toBeGreaterThan(1);
    const problems: string[] = [];
    for (const chunk of chunks) {
      const problem = await beyondTarget(fs.readFileSync(path.join(assets, chunk), "utf8"), BUILD_TARGET);
      if (problem) problems.push(`${chunk}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });

  it("is told apart from newer syntax", async () => {
    expect(await beyondTarget("export const a = (b) => b?.c ?? 1;", BUILD_TARGET)).toContain("?.");
    expect(await beyondTarget("export class A { static b = 1; }", BUILD_TARGET)).toBeDefined();
    expect(await beyondTarget("export const a = async (b) => { for await (const c of b) return [...c]; };", BUILD_TARGET)).toBeUndefined();
  });
});

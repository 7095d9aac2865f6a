import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./cli.ts";

const SRC = path.join(REPO_ROOT, "server", "src");
const IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?["'](\.[^"']+)["']/gm;

/** Every file of server/src (tests aside) with the files it imports, type imports included. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.(ts|js)$/.test(entry.name) && !entry.name.endsWith(".test.ts")) {
        const source = fs.readFileSync(file, "utf8");
        graph.set(path.relative(SRC, file), [...source.matchAll(IMPORT)].map((match) => path.relative(SRC, path.resolve(path.dirname(file), match[1]))));
      }
    }
  };
  walk(SRC);
  return graph;
}

/** The circles in the graph, each as the path that closes it. */
function circles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (file: string) => {
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (stack.includes(next)) found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!done.has(next) && graph.has(next)) visit(next);
    }
    stack.pop();
    done.add(file);
  };
  for (const file of graph.keys()) if (!done.has(file)) visit(file);
  return found;
}

describe("the layers of server/src", () => {
  const graph = importGraph();

  it("has no import, of a value or of a type, that runs in a circle", () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(circles(graph).map((circle) => circle.join(" → "))).toEqual([]);
  });

  it("keeps the context free of every area: areas are assembled in create-context.ts and app.ts", () => {
    expect(graph.get("context.ts")?.filter((file) => file.startsWith("modules/"))).toEqual([]);
  });

  it("starts the gridgov command without the HTTP application, which only the serving commands load", () => {
    const loaded = new Set<string>();
    const load = (file: string) => {
      if (loaded.has(file) || !graph.has(file)) return;
      loaded.add(file);
      for (const next of graph.get(file) ?? []) load(next);
    };
    load("cli/main.ts");
    expect(loaded.size).toBeGreaterThan(20);
    expect([...loaded].filter((file) => file === "app.ts" || file === "server.ts" || file.endsWith(".routes.ts"))).toEqual([]);
  });

  it("loads the spreadsheet and PDF libraries only when a file is made or read (libraries.ts), not at start", () => {
    const importing = [...graph.keys()].filter((file) =>
      /^\s*(?:import\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?|export\s+(?!type\b)[^'"]*?\sfrom\s+)["'](?:exceljs|pdfkit)["']/m.test(fs.readFileSync(path.join(SRC, file), "utf8")),
    );
    expect(importing).toEqual([]);
    const loader = fs.readFileSync(path.join(SRC, "libraries.ts"), "utf8");
    expect(loader).toContain('import("exceljs")');
    expect(loader).toContain('import("pdfkit")');
  });
});

import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";
import { directives, WEB_DIST } from "./web-dist.ts";



describe("the field app's installable files", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp("empty");
  });
  afterAll(() => t.close());

  it("serves the field page under a policy that admits its own service worker, manifest and photo previews", async () => {
    const page = await t.app.inject({ method: "GET", url: "/field/" });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<link rel="manifest" href="/field/manifest.webmanifest"');
    const policy = directives(page.headers["content-security-policy"]);
    expect(policy.get("worker-src")).toEqual(["'self'"]);
    expect(policy.get("manifest-src")).toEqual(["'self'"]);
    expect(policy.get("img-src")).toContain("blob:");
    expect(policy.get("script-src")).toEqual(["'self'"]);
  });

  it("serves the service worker as a script at the scope's root, listing every file of the field build it caches", async () => {
    const worker = await t.app.inject({ method: "GET", url: "/field/sw.js" });
    expect(worker.statusCode).toBe(200);
    expect(worker.headers["content-type"]).toMatch(/javascript/);
    const files = JSON.parse(/const FILES = (\[.*\]);/.exec(worker.body)?.[1] ?? "[]") as string[];
    const html = fs.readFileSync(path.join(WEB_DIST, "field.html"), "utf8");
    const named = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((match) => match[1]);
    expect(named.length).toBeGreaterThan(3);
    for (const file of named) expect(files, file).toContain(file);
    for (const file of files) {
      const answer = await t.app.inject({ method: "GET", url: file });
      expect(answer.statusCode, file).toBe(200);
    }
    expect(worker.body).toMatch(/const CACHE = "gridgov-field-[0-9a-f]{12}"/);
  });

  it("serves the web manifest: standalone, started and scoped at /field/, with icons that exist", async () => {
    const answer = await t.app.inject({ method: "GET", url: "/field/manifest.webmanifest" });
    expect(answer.statusCode).toBe(200);
    const manifest = JSON.parse(answer.body) as { start_url: string; scope: string; display: string; icons: { src: string }[] };
    expect(manifest).toMatchObject({ start_url: "/field/", scope: "/field/", display: "standalone" });
    for (const icon of manifest.icons) expect((await t.app.inject({ method: "GET", url: icon.src })).statusCode, icon.src).toBe(200);
  });
});

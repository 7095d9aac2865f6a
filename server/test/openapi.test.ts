import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./cli.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

const run = promisify(execFile);
const committed = path.join(REPO_ROOT, "openapi.json");
const REGENERATE = "regenerate with `npm run api:generate`";

describe("the API contract", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp("empty");
  });
  afterAll(() => t.close());

  it(`is served at /api/v1/openapi.json and matches the committed openapi.json (${REGENERATE})`, async () => {
    const served = (await t.app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json();
    expect(served, REGENERATE).toEqual(JSON.parse(fs.readFileSync(committed, "utf8")));
    expect(Object.keys(served.components.schemas)).toEqual(["Error", "Division"]);
  });

  it("documents every route with an operationId, a summary and its error answers", async () => {
    const document = (await t.app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json();
    for (const [route, methods] of Object.entries(document.paths as Record<string, Record<string, { operationId?: string; summary?: string; responses: Record<string, unknown> }>>)) {
      for (const [method, operation] of Object.entries(methods)) {
        expect(operation.operationId, `${method} ${route}`).toBeTruthy();
        if (route.startsWith("/api/")) {
          expect(operation.summary, `${method} ${route}`).toBeTruthy();
          expect(Object.keys(operation.responses).some((status) => status.startsWith("4")), `${method} ${route}`).toBe(true);
        }
      }
    }
  });

  it(`has the web client's types generated from it (${REGENERATE})`, async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-api-")), "schema.d.ts");
    const bin = path.join(REPO_ROOT, "web", "node_modules", ".bin", "openapi-typescript");
    await run(bin, [committed, "-o", out], { cwd: path.join(REPO_ROOT, "web") });
    const current = fs.readFileSync(path.join(REPO_ROOT, "web", "src", "api", "schema.d.ts"), "utf8");
    expect(current === fs.readFileSync(out, "utf8"), REGENERATE).toBe(true);
  });

  it("serves the docs page and the web app without a session, and compresses large answers", async () => {
    expect((await t.app.inject({ method: "GET", url: "/api/v1/docs/" })).statusCode).toBe(200);
    const page = await t.app.inject({ method: "GET", url: "/map/anything" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
    const spec = await t.app.inject({ method: "GET", url: "/api/v1/openapi.json", headers: { "accept-encoding": "gzip" } });
    expect(spec.headers["content-encoding"]).toBe("gzip");
  });
});

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";
import { directives, WEB_DIST } from "./web-dist.ts";


/** The built entry script, as an app's page names it (`/assets/console-<hash>.js`). */
function entryScript(page = "index.html"): string {
  const html = fs.readFileSync(path.join(WEB_DIST, page), "utf8");
  const src = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  if (!src) throw new Error(`web/dist/${page} names no script under /assets/: run \`npm run build -w web\``);
  return src;
}


describe("the web server", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp("empty");
  });
  afterAll(() => t.close());

  it("sends the browser's security headers with pages, files, API answers and errors", async () => {
    for (const url of ["/", "/console/cases/123", entryScript(), "/favicon.svg", "/healthz", "/api/v1/categories", "/api/v1/nothing-here", "/logo.png"]) {
      const response = await t.app.inject({ method: "GET", url });
      expect(response.headers["x-frame-options"], url).toBe("DENY");
      expect(response.headers["x-content-type-options"], url).toBe("nosniff");
      expect(response.headers["referrer-policy"], url).toBe("strict-origin-when-cross-origin");
      const policy = directives(response.headers["content-security-policy"]);
      expect(policy.get("frame-ancestors"), url).toEqual(["'none'"]);
    }
  });

  it("sends index.html with a strict policy whose style nonce is the one written into the page, new every time", async () => {
    const first = await t.app.inject({ method: "GET", url: "/" });
    const second = await t.app.inject({ method: "GET", url: "/" });
    const policy = directives(first.headers["content-security-policy"]);
    expect(policy.get("default-src")).toEqual(["'self'"]);
    expect(policy.get("script-src")).toEqual(["'self'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'self'"]);
    expect(policy.get("form-action")).toEqual(["'self'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    const header = String(first.headers["content-security-policy"]);
    expect(header).not.toMatch(/unsafe-(eval|inline)/);

    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(policy.get("style-src")?.join(" ") ?? "")?.[1];
    expect(nonce).toBeDefined();
    expect(first.body).toContain(`<meta property="csp-nonce" nonce="${nonce}">`);
    expect(first.body).not.toContain("__CSP_NONCE__");
    expect(second.headers["content-security-policy"]).not.toBe(first.headers["content-security-policy"]);
  });

  it("lets the API docs page load Swagger UI under its own policy, still without eval or framing", async () => {
    const page = await t.app.inject({ method: "GET", url: "/api/v1/docs/" });
    expect(page.statusCode).toBe(200);
    const policy = directives(page.headers["content-security-policy"]);
    expect(policy.get("script-src")).toEqual(["'self'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(String(page.headers["content-security-policy"])).not.toContain("unsafe-eval");
    // Its scripts are files of this origin, none inline.
    expect(page.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    const script = await t.app.inject({ method: "GET", url: "/api/v1/docs/static/swagger-ui-bundle.js" });
    expect(script.statusCode).toBe(200);
  });

  it("answers every page of the residents' portal and the field app with that app's own page, the console's pages with the console", async () => {
    const cases: [string, string][] = [
      ["/resident", "resident.html"],
      ["/resident/track", "resident.html"],
      ["/resident.html", "resident.html"],
      ["/field", "field.html"],
      ["/field/tasks/42", "field.html"],
      ["/console/cases", "index.html"],
      ["/residents", "index.html"],
      ["/fieldwork", "index.html"],
    ];
    for (const [url, page] of cases) {
      const response = await t.app.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toContain(entryScript(page));
      expect(response.body, url).not.toContain("__CSP_NONCE__");
    }
  });

  it("caches hashed assets for a year, revalidates pages every time and keeps them out of shared caches, other files for an hour", async () => {
    const asset = await t.app.inject({ method: "GET", url: entryScript() });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    for (const url of ["/", "/index.html", "/console/cases/123"]) {
      const page = await t.app.inject({ method: "GET", url });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers["cache-control"], url).toBe("private, no-cache");
    }
    const icon = await t.app.inject({ method: "GET", url: "/favicon.svg" });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers["cache-control"]).toBe("public, max-age=3600");
  });

  it("answers the build's brotli or gzip copy of an asset as Accept-Encoding allows, varying on it", async () => {
    const url = entryScript();
    const file = fs.readFileSync(path.join(WEB_DIST, url));
    const br = await t.app.inject({ method: "GET", url, headers: { "accept-encoding": "gzip, deflate, br" } });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers["content-type"]).toContain("javascript");
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(br.rawPayload.equals(fs.readFileSync(path.join(WEB_DIST, `${url}.br`)))).toBe(true);
    expect(zlib.brotliDecompressSync(br.rawPayload).equals(file)).toBe(true);

    const gz = await t.app.inject({ method: "GET", url, headers: { "accept-encoding": "gzip" } });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gz.rawPayload.equals(fs.readFileSync(path.join(WEB_DIST, `${url}.gz`)))).toBe(true);

    const plain = await t.app.inject({ method: "GET", url, headers: { "accept-encoding": "identity" } });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.rawPayload.equals(file)).toBe(true);
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
  });

  it("answers deep links with the app, missing files with a plain 404 and unknown API routes with a JSON 404", async () => {
    for (const url of ["/console/cases/123", "/map", "/cases/2026/anything?tab=timeline"]) {
      const page = await t.app.inject({ method: "GET", url });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers["content-type"], url).toContain("text/html");
    }
    for (const url of ["/assets/missing.js", "/logo.png", "/console/report.pdf"]) {
      const missing = await t.app.inject({ method: "GET", url });
      expect(missing.statusCode, url).toBe(404);
      expect(missing.headers["content-type"], url).toContain("text/plain");
      expect(missing.body, url).not.toContain("<html");
    }
    for (const [method, url] of [
      ["GET", "/api/v1/nothing-here"],
      ["GET", "/api"],
      ["GET", "/open311"],
      ["POST", "/console/cases/123"],
    ] as const) {
      const missing = await t.app.inject({ method, url });
      expect(missing.statusCode, url).toBe(404);
      expect(missing.json().error.code, url).toBe("route_not_found");
    }
    // Under /open311/v2 an unknown path is answered as Open311 clients read errors (XML unless .json), never as the app.
    const open311 = await t.app.inject({ method: "GET", url: "/open311/v2/services" });
    expect(open311.statusCode).toBe(404);
    expect(open311.headers["content-type"]).toBe("text/xml; charset=utf-8");
    expect(open311.body).toContain("<errors><error><code>404</code>");
  });
});

/** The session the console's page carries, as the app reads it (web/src/session.ts). */
function sessionIn(html: string): unknown {
  const text = /<script type="application\/json" id="gridgov-session">([^<]*)<\/script>/.exec(html)?.[1];
  return text === undefined ? undefined : JSON.parse(text);
}

describe("the console's page", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp("demo");
  });
  afterAll(() => t.close());

  it("carries its visitor's session as /auth/me answers it, on every page of the console, and no one's when signed out", async () => {
    const cookie = await t.login("dispatcher");
    const me = await t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie } });
    for (const url of ["/", "/index.html", "/console/map", "/console/cases/123?status=reported"]) {
      const page = await t.app.inject({ method: "GET", url, headers: { cookie } });
      expect(page.statusCode, url).toBe(200);
      expect(sessionIn(page.body), url).toEqual(me.json());
      const anonymous = await t.app.inject({ method: "GET", url });
      expect(sessionIn(anonymous.body), url).toEqual({ user: null });
    }
    // The other apps' pages carry none: their people sign in elsewhere.
    for (const url of ["/resident", "/field/tasks", "/screen"]) {
      const page = await t.app.inject({ method: "GET", url, headers: { cookie } });
      expect(sessionIn(page.body), url).toBeUndefined();
    }
    // A session that ended is no one's.
    expect((await t.app.inject({ method: "POST", url: "/api/v1/auth/logout", headers: { cookie } })).statusCode).toBe(204);
    const after = await t.app.inject({ method: "GET", url: "/console/map", headers: { cookie } });
    expect(sessionIn(after.body)).toEqual({ user: null });
  });

  it("writes a display name that holds markup as text that cannot close its element", async () => {
    const name = "</script><script>alert(1)</script><!--";
    await t.ctx.db.updateTable("users").set({ display_name: name }).where("username", "=", "dispatcher").execute();
    const cookie = await t.login("dispatcher");
    const page = await t.app.inject({ method: "GET", url: "/console", headers: { cookie } });
    expect(page.body.match(/<\/script>/g)).toHaveLength((await t.app.inject({ method: "GET", url: "/console" })).body.match(/<\/script>/g)?.length ?? 0);
    expect(sessionIn(page.body)).toMatchObject({ user: { username: "dispatcher", displayName: name } });
  });
});

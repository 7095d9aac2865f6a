import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";

describe("map tiles", () => {
  let t: TestApp;
  let cookie: string;

  beforeAll(async () => {
    t = await createTestApp("demo", { MAP_TILE_URL: "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}", MAP_TILE_CRS: "gcj02", MAP_TILE_SUBDOMAINS: "12" });
    cookie = await t.login("dispatcher");
  });
  afterAll(async () => {
    await t?.close();
  });

  it("are given to the signed-in web app", async () => {
    const response = await t.app.inject({ method: "GET", url: "/api/v1/map-config", headers: { cookie } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ tileUrl: "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}", tileCrs: "gcj02", tileSubdomains: "12" });
    expect((await t.app.inject({ method: "GET", url: "/api/v1/map-config" })).statusCode).toBe(401);
  });

  it("are given with the district's box to the public report page, without a session", async () => {
    const response = await t.app.inject({ method: "GET", url: "/api/v1/public/map" });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ tileUrl: string; bounds: { west: number; south: number; east: number; north: number } }>();
    expect(body.tileUrl).toBe("https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}");
    // The demo district lies around Kunming; every grid falls inside the box.
    expect(body.bounds.west).toBeLessThan(body.bounds.east);
    expect(body.bounds.south).toBeLessThan(body.bounds.north);
    expect(body.bounds.west).toBeGreaterThan(102);
    expect(body.bounds.east).toBeLessThan(104);
    const located = await t.app.inject({
      method: "GET",
      url: `/api/v1/grids/locate?lat=${(body.bounds.south + body.bounds.north) / 2}&lng=${(body.bounds.west + body.bounds.east) / 2}`,
    });
    expect([200, 404]).toContain(located.statusCode);
    expect(response.body).not.toMatch(/"(grids|staff|cases)"/);
  });

  it("may be loaded by the app's pages, and only there", async () => {
    const page = await t.app.inject({ method: "GET", url: "/console/map" });
    const imgSrc = String(page.headers["content-security-policy"]).split("; ").find((directive) => directive.startsWith("img-src"));
    expect(imgSrc).toBe("img-src 'self' blob: data: https://webrd01.is.autonavi.com https://webrd02.is.autonavi.com");
    const api = await t.app.inject({ method: "GET", url: "/api/v1/map-config", headers: { cookie } });
    expect(api.headers["content-security-policy"]).not.toContain("autonavi");
  });
});

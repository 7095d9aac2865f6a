import gcoordModule from "gcoord";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";

const gcoord = gcoordModule as unknown as typeof gcoordModule.default;

describe("divisions and grids", () => {
  let t: TestApp;
  let admin: string;
  let streetDispatcher: string;
  beforeAll(async () => {
    t = await createTestApp("demo");
    admin = await t.login("admin");
    streetDispatcher = await t.login("dispatcher-001-1");
  });
  afterAll(() => t.close());

  const get = (url: string, cookie = admin) => t.app.inject({ method: "GET", url, headers: { cookie } });

  it("returns the district with its 12 real streets and their 105 communities at depth 2", async () => {
    const response = await get("/api/v1/divisions/530103?depth=2");
    expect(response.statusCode).toBe(200);
    const { division } = response.json();
    expect(division).toMatchObject({ code: "530103", name: "盘龙区", level: "district", parentCode: null });
    expect(division.children).toHaveLength(12);
    expect(division.children[0]).toMatchObject({ code: "530103001", name: "拓东街道", level: "street" });
    const communities = division.children.flatMap((street: { children: unknown[] }) => street.children);
    expect(communities).toHaveLength(105);
    expect(division.geometry).toBeUndefined();
  });

  it("stops at the requested depth and includes polygons on request", async () => {
    const shallow = (await get("/api/v1/divisions/530103001?depth=0")).json().division;
    expect(shallow.children).toBeUndefined();
    const deep = (await get("/api/v1/divisions/530103001001?depth=2&geometry=true")).json().division;
    expect(deep.geometry.type).toBe("Polygon");
    expect(deep.children.length).toBeGreaterThanOrEqual(3);
    const courtyard = deep.children[0];
    expect(courtyard.level).toBe("courtyard");
    expect(courtyard.children.length).toBeGreaterThanOrEqual(4);
    expect(courtyard.children[0].level).toBe("building");
    expect(courtyard.children[0].lat).toBeGreaterThan(25);
  });

  it("answers 404 for a division outside a street dispatcher's street, as for one that does not exist", async () => {
    const outside = await get("/api/v1/divisions/530103002", streetDispatcher);
    const missing = await get("/api/v1/divisions/530103099", streetDispatcher);
    expect(outside.statusCode).toBe(404);
    expect(outside.json()).toEqual({ error: { code: "division_not_found", message: "No division 530103002" } });
    expect(missing.statusCode).toBe(404);
    expect((await get("/api/v1/divisions/530103", streetDispatcher)).statusCode).toBe(404);
  });

  it("lists the grids under a division as GeoJSON features carrying their codes", async () => {
    const response = await get("/api/v1/grids?division=530103001");
    expect(response.statusCode).toBe(200);
    const collection = response.json();
    expect(collection.type).toBe("FeatureCollection");
    expect(collection.features.length).toBeGreaterThan(20);
    for (const feature of collection.features) {
      expect(feature.properties.code).toMatch(/^530103001\d{6}$/);
      expect(feature.properties.streetName).toBe("拓东街道");
      expect(feature.geometry.type).toBe("Polygon");
    }
    const all = (await get("/api/v1/grids?division=530103")).json().features;
    expect(all.length).toBeGreaterThanOrEqual(600);
    expect(all.length).toBeLessThanOrEqual(640);
  });

  it("shows a grid with its 1+1+1+N staff and masked phones", async () => {
    const { features } = (await get("/api/v1/grids?division=530103001001")).json();
    const code = features[0].properties.code;
    const { grid } = (await get(`/api/v1/grids/${code}`)).json();
    expect(grid.community.code).toBe("530103001001");
    expect(grid.street).toEqual({ code: "530103001", name: "拓东街道" });
    const duties = new Set(grid.staff.map((member: { duty: string }) => member.duty));
    for (const duty of ["inspector", "street_cadre", "grid_worker", "volunteer"]) expect(duties).toContain(duty);
    for (const member of grid.staff) expect(member.phone).toMatch(/^1\d{2}\*{4}\d{4}$/);
  });

  it("locates a point in WGS-84, GCJ-02 and BD-09 to the same grid", async () => {
    const { features } = (await get("/api/v1/grids?division=530103002")).json();
    const ring: number[][] = features[3].geometry.coordinates[0];
    // The centroid of the ring's vertices lies inside these convex-ish cells.
    const lng = ring.slice(0, -1).reduce((sum, [x]) => sum + x, 0) / (ring.length - 1);
    const lat = ring.slice(0, -1).reduce((sum, [, y]) => sum + y, 0) / (ring.length - 1);
    const wgs = (await get(`/api/v1/grids/locate?lat=${lat}&lng=${lng}`)).json();
    expect(wgs.grid.code).toBe(features[3].properties.code);
    expect(wgs.street).toEqual({ code: "530103002", name: "鼓楼街道" });
    const [gx, gy] = gcoord.transform([lng, lat], gcoord.WGS84, gcoord.GCJ02);
    expect((await get(`/api/v1/grids/locate?lat=${gy}&lng=${gx}&crs=gcj02`)).json().grid.code).toBe(wgs.grid.code);
    const [bx, by] = gcoord.transform([lng, lat], gcoord.WGS84, gcoord.BD09);
    expect((await get(`/api/v1/grids/locate?lat=${by}&lng=${bx}&crs=bd09`)).json().grid.code).toBe(wgs.grid.code);
  });

  it("answers 404 outside_district for a point outside every grid", async () => {
    const response = await get("/api/v1/grids/locate?lat=39.9&lng=116.4");
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe("outside_district");
  });
});

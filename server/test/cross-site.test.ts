import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LightMyRequestResponse } from "fastify";
import { DEMO_PASSWORD } from "./databases.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

const SITE = "gridgov.example.org";
const REPORT = { description: "井盖缺失", gridCode: "530103001001001", reporter: { phone: "13912345678" } };

function expectCrossSiteRefusal(answer: LightMyRequestResponse): void {
  expect([answer.statusCode, answer.json().error.code], answer.body).toEqual([403, "cross_site_request"]);
}

describe("requests from other sites", () => {
  let t: TestApp;
  let seat: string;
  let caseId: string;
  const me = async (cookie: string) => (await t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie, host: SITE } })).statusCode;

  beforeAll(async () => {
    t = await createTestApp();
    seat = await t.login("seat-01");
    const created = await t.app.inject({ method: "POST", url: "/api/v1/cases", payload: REPORT });
    caseId = created.json().case.id;
  });
  afterAll(() => t.close());

  it("refuses a state change with the session cookie that a page of another site sends, by Sec-Fetch-Site", async () => {
    for (const site of ["cross-site", "same-site"]) {
      const contact = await t.app.inject({
        method: "POST",
        url: `/api/v1/cases/${caseId}/reporter-contact`,
        headers: { cookie: seat, host: SITE, "sec-fetch-site": site, "content-type": "text/plain" },
        payload: "",
      });
      expectCrossSiteRefusal(contact);
    }
    const logout = await t.app.inject({ method: "POST", url: "/api/v1/auth/logout", headers: { cookie: seat, host: SITE, "sec-fetch-site": "cross-site" } });
    expectCrossSiteRefusal(logout);
    expect(await me(seat)).toBe(200);
    const audited = await t.ctx.db.selectFrom("audit_log").select("action").where("action", "=", "case.reveal_contact").execute();
    expect(audited).toEqual([]);
  });

  it("refuses it by Origin when the browser sends no Sec-Fetch-Site", async () => {
    for (const origin of [`https://evil.example`, `http://${SITE}.evil.example`, `https://${SITE}`, "null"]) {
      const logout = await t.app.inject({ method: "POST", url: "/api/v1/auth/logout", headers: { cookie: seat, host: SITE, origin } });
      expectCrossSiteRefusal(logout);
    }
    expect(await me(seat)).toBe(200);
  });

  it("takes state changes from the site's own pages and from clients that are not browsers", async () => {
    const ownPage = await t.app.inject({
      method: "POST",
      url: `/api/v1/cases/${caseId}/reporter-contact`,
      headers: { cookie: seat, host: SITE, "sec-fetch-site": "same-origin", origin: `http://${SITE}` },
    });
    expect(ownPage.statusCode, ownPage.body).toBe(200);
    const oldBrowser = await t.app.inject({ method: "POST", url: `/api/v1/cases/${caseId}/reporter-contact`, headers: { cookie: seat, host: SITE, origin: `http://${SITE}` } });
    expect(oldBrowser.statusCode, oldBrowser.body).toBe(200);
    const script = await t.app.inject({ method: "POST", url: `/api/v1/cases/${caseId}/reporter-contact`, headers: { cookie: seat } });
    expect(script.statusCode, script.body).toBe(200);
  });

  it("lets another site read with the cookie (SameSite and CORS keep the answer from it), but not change", async () => {
    const read = await t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie: seat, host: SITE, "sec-fetch-site": "cross-site" } });
    expect(read.statusCode).toBe(200);
  });

  it("refuses a sign-in from another site, so that no site signs a visitor into an account of its choosing", async () => {
    const login = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      headers: { host: SITE, "sec-fetch-site": "cross-site" },
      payload: { username: "seat-02", password: DEMO_PASSWORD },
    });
    expectCrossSiteRefusal(login);
    expect(login.headers["set-cookie"]).toBeUndefined();
    const ownPage = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      headers: { host: SITE, "sec-fetch-site": "same-origin" },
      payload: { username: "seat-02", password: DEMO_PASSWORD },
    });
    expect(ownPage.statusCode).toBe(200);
  });

  it("lets API keys, which a page of another site cannot send by itself, work from any origin", async () => {
    const admin = await t.login("admin");
    const created = await t.app.inject({ method: "POST", url: "/api/v1/api-keys", headers: { cookie: admin }, payload: { name: "open311 relay", organisation: "test" } });
    const authorization = `Bearer ${created.json().apiKey.key}`;
    const report = await t.app.inject({
      method: "POST",
      url: "/api/v1/cases",
      headers: { authorization, host: SITE, origin: "https://open311.example", "sec-fetch-site": "cross-site" },
      payload: REPORT,
    });
    expect(report.statusCode, report.body).toBe(201);
  });
});

describe("content types", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it("refuses a JSON body sent under another type with 415, before reading it", async () => {
    const payload = JSON.stringify(REPORT);
    for (const type of ["text/plain", "text/plain; charset=utf-8", "image/png", "application/x-www-form-urlencoded", "application/jsonp"]) {
      const answer = await t.app.inject({ method: "POST", url: "/api/v1/cases", headers: { "content-type": type }, payload });
      expect([answer.statusCode, answer.json().error.code], type).toEqual([415, "unsupported_media_type"]);
    }
    const login = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      headers: { "content-type": "text/plain" },
      payload: JSON.stringify({ username: "seat-01", password: DEMO_PASSWORD }),
    });
    expect([login.statusCode, login.json().error.code]).toEqual([415, "unsupported_media_type"]);
    const count = await t.ctx.db.selectFrom("cases").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it("takes JSON with or without a charset", async () => {
    for (const type of ["application/json", "application/json; charset=utf-8", "Application/JSON"]) {
      const answer = await t.app.inject({ method: "POST", url: "/api/v1/cases", headers: { "content-type": type }, payload: JSON.stringify(REPORT) });
      expect(answer.statusCode, type).toBe(201);
    }
  });

  it("parses no text/plain body, even where a route takes none", async () => {
    const cookie = await t.login("seat-01");
    const logout = await t.app.inject({ method: "POST", url: "/api/v1/auth/logout", headers: { cookie, "content-type": "text/plain" }, payload: "x" });
    expect([logout.statusCode, logout.json().error.code]).toEqual([415, "unsupported_media_type"]);
    expect((await t.app.inject({ method: "GET", url: "/api/v1/auth/me", headers: { cookie } })).statusCode).toBe(200);
  });
});

import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../src/modules/auth/api-keys.service.ts";
import { DatabaseRetryFinder, MemoryRetryFinder, RETRY_WINDOW_MS } from "../src/modules/open311/retry-finder.ts";
import { createTestApp, type TestApp } from "./test-app.ts";
import { expectConforms, expectSameAsJson, expectXmlError, parseXml } from "./open311-conformance-kit.ts";

/** Every Open311 answer, good and bad, in both formats, against the GeoReport v2 schemas and XML structure. */
describe("Open311 GeoReport v2 conformance", () => {
  let t: TestApp;
  let key: string;
  let point: { lat: number; lng: number };
  let readOnlyKey: string;
  const SERVICE = "component.public_facility.manhole_cover_sewage";
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "POST", url: `/open311/v2/${path}`, payload: body, headers: { "content-type": "application/x-www-form-urlencoded", ...headers } });
  const get = (path: string) => t.app.inject({ method: "GET", url: `/open311/v2/${path}` });
  const caseCount = async () => Number((await t.ctx.db.selectFrom("cases").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    t = await createTestApp("demo");
    const admin = await t.login("admin");
    const seat = await t.ctx.db.selectFrom("users").select("id").where("username", "=", "seat-01").executeTakeFirstOrThrow();
    key = (await createApiKey(t.ctx, null, seat.id, { name: "open311 client", organisation: "Open311 client" })).key;
    readOnlyKey = (await createApiKey(t.ctx, null, seat.id, { name: "open311 reader", organisation: "Open311 client", scopes: ["read"] })).key;
    const interior = t.ctx.grids.interiorPoint("530103001001001");
    if (!interior) throw new Error("no grid");
    point = { lng: interior[0], lat: interior[1] };
    // A category an administrator withdraws from Open311 is offered to no client.
    const roads = await t.app.inject({ method: "GET", url: "/api/v1/categories?class=event", headers: { cookie: admin } });
    const road = roads.json().categories.find((c: { code: string }) => c.code === "event.construction.road_damage");
    expect(road.open311).toBe(true);
    const withdrawn = await t.app.inject({
      method: "PATCH",
      url: "/api/v1/categories/event.construction.road_damage",
      headers: { cookie: admin, "if-match": `"${road.version}"` },
      payload: { open311: false },
    });
    expect([withdrawn.statusCode, withdrawn.json().category?.open311], withdrawn.body).toEqual([200, false]);
    // Questions of every kind: public ones become attributes, the staff-only one (required) never shows.
    const current = await t.app.inject({ method: "GET", url: "/api/v1/categories?class=component", headers: { cookie: admin } });
    const category = current.json().categories.find((c: { code: string }) => c.code === SERVICE);
    const edited = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/categories/${SERVICE}`,
      headers: { cookie: admin, "if-match": `"${category.version}"` },
      payload: {
        photoRequired: false,
        questions: [
          {
            code: "cover_state",
            label: { zh: "井盖状况", en: "State of the cover" },
            type: "choice",
            choices: [
              { value: "missing", zh: "缺失", en: "Missing" },
              { value: "broken", zh: "破损", en: "Broken" },
            ],
            required: true,
            public: true,
          },
          { code: "depth_cm", label: { zh: "深度(厘米)", en: "Depth (cm)" }, type: "number", required: false, public: true, min: 0, max: 500 },
          { code: "on_road", label: { zh: "是否在车行道", en: "On the carriageway" }, type: "yes_no", required: false, public: true },
          { code: "crew", label: { zh: "维修班组", en: "Crew" }, type: "text", required: true, public: false },
        ],
      },
    });
    expect(edited.statusCode, edited.body).toBe(200);
  });
  afterAll(() => t.close());

  it("lists the public categories as services in JSON and the same in XML", async () => {
    const json = await get("services.json");
    expect(json.statusCode).toBe(200);
    expect(json.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(json.headers["access-control-allow-origin"]).toBe("*");
    expectConforms("services", json.json());
    const manhole = json.json().find((service: { service_code: string }) => service.service_code === SERVICE);
    expect(manhole).toMatchObject({ metadata: true, type: "realtime", group: expect.any(String) });
    expect(manhole.keywords).toContain(",");
    const xml = await get("services.xml?jurisdiction_id=530103");
    expect(xml.headers["content-type"]).toBe("text/xml; charset=utf-8");
    expectSameAsJson(xml.body, json.json(), "services", "service");

    // A category marked not public is no service, and its definition is unknown.
    expect(json.json().some((service: { service_code: string }) => service.service_code === "event.construction.road_damage")).toBe(false);
    expect((await get("services/event.construction.road_damage.json")).statusCode).toBe(404);
  });

  it("defines a service by its public questions, with datatypes, order and values", async () => {
    const json = await get(`services/${SERVICE}.json`);
    expect(json.statusCode).toBe(200);
    expectConforms("service-definition", json.json());
    expect(json.json().attributes.map((a: { code: string; datatype: string; order: number }) => [a.code, a.datatype, a.order])).toEqual([
      ["cover_state", "singlevaluelist", 1],
      ["depth_cm", "number", 2],
      ["on_road", "singlevaluelist", 3],
    ]);
    expect(json.json().attributes[0]).toMatchObject({ variable: true, required: true, values: [{ key: "missing", name: "缺失" }, { key: "broken", name: "破损" }] });
    const xml = await get(`services/${SERVICE}.xml`);
    expectSameAsJson(xml.body, json.json(), "service_definition");
  });

  it("answers discovery in both formats", async () => {
    const json = await get("discovery.json");
    expectConforms("discovery", json.json());
    expect(json.json().endpoints[0].url).toMatch(/\/open311\/v2$/);
    expectSameAsJson((await get("discovery.xml")).body, json.json(), "discovery");
  });

  it("takes a request with attributes and answers its id and a token, in JSON and XML", async () => {
    const before = await caseCount();
    const fields = {
      api_key: key,
      jurisdiction_id: "530103",
      service_code: SERVICE,
      lat: String(point.lat),
      long: String(point.lng),
      description: "人行道上的井盖缺失，很危险",
      "attribute[cover_state]": "missing",
      "attribute[depth_cm]": "35",
      "attribute[on_road]": "false",
      email: "resident@example.org",
      first_name: "小明",
      last_name: "王",
      phone: "13812345678",
      device_id: "device-1",
    };
    const json = await post("requests.json", form(fields));
    expect(json.statusCode, json.body).toBe(200);
    expectConforms("request-created", json.json());
    const [{ service_request_id: number, token }] = json.json();
    const row = await t.ctx.db.selectFrom("cases").selectAll().where("number", "=", number).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ source: "api", category_code: SERVICE, reporter_name: "王小明", reporter_phone: "13812345678" });
    expect(Object.keys(row.answers).sort()).toEqual(["cover_state", "depth_cm", "on_road"]);
    expect(row.answers.depth_cm.value).toBe(35);
    expect(row.answers.on_road.value).toBe(false);
    const stored = await t.ctx.db.selectFrom("open311_requests").selectAll().where("case_number", "=", number).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ email: "resident@example.org", device_id: "device-1" });
    expect(stored.token_hash).not.toContain(token);
    expect(row.tracking_token_hash).not.toBe(stored.token_hash);

    // The token resolves to the id; the read of the request shows no personal data.
    const byToken = await get(`tokens/${token}.json`);
    expectConforms("token", byToken.json());
    expect(byToken.json()).toEqual([{ service_request_id: number, token }]);
    expectSameAsJson((await get(`tokens/${token}.xml`)).body, byToken.json(), "service_requests", "request");
    const read = await get(`requests/${number}.json`);
    expectConforms("requests", read.json());
    expect(read.json()[0]).toMatchObject({ service_request_id: number, status: "open", service_code: SERVICE, agency_responsible: expect.any(String) });
    expect(read.body).not.toMatch(/13812345678|resident@example|王小明|device-1/);
    expect(read.json()[0].requested_datetime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
    expectSameAsJson((await get(`requests/${number}.xml`)).body, read.json(), "service_requests", "request");

    // The same post again (a client retrying after a lost answer) is the same case.
    const again = await post("requests.xml", form(fields));
    expect(again.statusCode, again.body).toBe(200);
    const { content } = parseXml(again.body);
    expect((content.request as { service_request_id: string; token: string }[])[0].service_request_id).toBe(number);
    expect(await caseCount()).toBe(before + 1);

    // An attribute the service does not define (a client's own) is left aside.
    const extra = await post("requests.json", form({ ...fields, description: "另一处井盖缺失", "attribute[fixmystreet_id]": "42" }));
    expect(extra.statusCode, extra.body).toBe(200);
    const other = await t.ctx.db.selectFrom("cases").select("answers").where("number", "=", extra.json()[0].service_request_id).executeTakeFirstOrThrow();
    expect(Object.keys(other.answers).sort()).toEqual(["cover_state", "depth_cm", "on_road"]);
  });

  it("writes each answer's token with its case, and for a post answered with another's case by its Idempotency-Key", async () => {
    const before = await caseCount();
    const fields = { api_key: key, service_code: SERVICE, lat: String(point.lat), long: String(point.lng), description: "同时发出两次的井盖报告", "attribute[cover_state]": "missing" };
    // Sent together, neither finds the other as a retry; the intake answers the second with the first's case.
    const headers = { "idempotency-key": "k".repeat(10) + crypto.randomBytes(16).toString("base64url") };
    const answers = await Promise.all([post("requests.json", form(fields), headers), post("requests.json", form(fields), headers)]);
    for (const answer of answers) expect(answer.statusCode, answer.body).toBe(200);
    const [[first], [second]] = answers.map((answer) => answer.json() as { service_request_id: string; token: string }[]);
    expect(second.service_request_id).toBe(first.service_request_id);
    expect(second.token).not.toBe(first.token);
    expect(await caseCount()).toBe(before + 1);
    for (const { token } of [first, second]) {
      expect((await get(`tokens/${token}.json`)).json()).toEqual([{ service_request_id: first.service_request_id, token }]);
    }
    const rows = await t.ctx.db.selectFrom("open311_requests").select("case_number").where("case_number", "=", first.service_request_id).execute();
    expect(rows).toHaveLength(2);
  });

  it("finds a retried post from the stored posts, as after a restart, on both finders, within a day only", async () => {
    const fields = { api_key: key, service_code: SERVICE, lat: String(point.lat), long: String(point.lng), description: "重启后重试的井盖报告", "attribute[cover_state]": "missing" };
    const first = await post("requests.json", form(fields));
    expect(first.statusCode, first.body).toBe(200);
    const number: string = first.json()[0].service_request_id;
    const stored = await t.ctx.db.selectFrom("open311_requests").selectAll().where("case_number", "=", number).executeTakeFirstOrThrow();
    // An older post of another request, outside the window.
    const old = { ...stored, token_hash: "f".repeat(64), request_hash: "e".repeat(64), created_at: new Date(Date.now() - RETRY_WINDOW_MS - 60_000) };
    await t.ctx.db.insertInto("open311_requests").values(old).execute();
    for (const finder of [new MemoryRetryFinder(t.ctx.db), new DatabaseRetryFinder(t.ctx.db)]) {
      expect(await finder.find(stored.user_id, stored.request_hash)).toEqual({ case_number: number, region_code: "530103", case_id: stored.case_id });
      expect(await finder.find(stored.user_id, old.request_hash)).toBeUndefined();
      expect(await finder.find(stored.user_id, "d".repeat(64))).toBeUndefined();
    }
    // Posted again through the server: the same case, whichever finder it runs.
    const again = await post("requests.json", form(fields));
    expect(again.json()[0].service_request_id).toBe(number);
  });

  it("finds the place of address_string and address_id", async () => {
    const building = await t.ctx.db.selectFrom("divisions").select(["code", "name"]).where("level", "=", "building").where("lat", "is not", null).executeTakeFirstOrThrow();
    const byId = await post("requests.json", form({ api_key: key, service_code: SERVICE, address_id: building.code, description: "井盖破损", "attribute[cover_state]": "broken" }));
    expect(byId.statusCode, byId.body).toBe(200);
    const [{ service_request_id: first }] = byId.json();
    expect((await t.ctx.db.selectFrom("cases").select("building_code").where("number", "=", first).executeTakeFirstOrThrow()).building_code).toBe(building.code);
    const courtyard = await t.ctx.db.selectFrom("divisions").select(["code", "name"]).where("level", "=", "courtyard").executeTakeFirstOrThrow();
    const byName = await post("requests.json", form({ api_key: key, service_code: SERVICE, address_string: courtyard.name, description: "井盖松动了", "attribute[cover_state]": "broken" }));
    expect(byName.statusCode, byName.body).toBe(200);
  });

  it("refuses bad requests with the errors array in the requested format, writing nothing", async () => {
    const before = await caseCount();
    const good = { api_key: key, service_code: SERVICE, lat: String(point.lat), long: String(point.lng), description: "井盖缺失", "attribute[cover_state]": "missing" };
    const refusals: [string, string, number, RegExp][] = [
      ["no key", form({ ...good, api_key: "" }), 403, /api_key/],
      ["bad key", form({ ...good, api_key: "ggk_not-a-key" }), 403, /api_key/],
      ["a key without the report scope", form({ ...good, api_key: readOnlyKey }), 403, /scope/],
      ["unknown service", form({ ...good, service_code: "no.such.service" }), 404, /service/],
      ["outside the district", form({ ...good, lat: "39.9", long: "116.4" }), 400, /outside/],
      ["no location", form({ api_key: key, service_code: SERVICE, "attribute[cover_state]": "missing" }), 400, /location/],
      ["a number that is none", form({ ...good, "attribute[depth_cm]": "deep" }), 400, /attribute\[depth_cm\]/],
      ["a number out of bounds", form({ ...good, "attribute[depth_cm]": "9000" }), 400, /attribute\[depth_cm\]/],
      ["not one of the values", form({ ...good, "attribute[cover_state]": "stolen" }), 400, /attribute\[cover_state\]/],
      ["a required attribute missing", form({ ...good, "attribute[cover_state]": "" }), 400, /attribute\[cover_state\]/],
      ["a staff-only question", form({ ...good, "attribute[crew]": "A" }), 400, /attribute\[crew\]/],
      ["a malformed escape", "api_key=x&service_code=%zz", 400, /malformed/],
      ["bad UTF-8", `api_key=${key}&description=%C3%28`, 400, /malformed/],
      ["a lat without long", form({ ...good, long: "" }), 400, /lat and long/],
    ];
    for (const [what, body, status, message] of refusals) {
      const json = await post("requests.json", body);
      expect(json.statusCode, `${what}: ${json.body}`).toBe(status);
      expectConforms("errors", json.json());
      expect(json.json()[0].code).toBe(status);
      expect(json.json()[0].description, what).toMatch(message);
      const xml = await post("requests.xml", body);
      expect(xml.statusCode, what).toBe(status);
      expect(xml.headers["content-type"]).toBe("text/xml; charset=utf-8");
      expect(expectXmlError(xml.body, status)).toMatch(message);
    }
    const asJson = await t.app.inject({ method: "POST", url: "/open311/v2/requests.json", payload: { api_key: key }, headers: { "content-type": "application/json" } });
    expect(asJson.statusCode).toBe(400);
    expectConforms("errors", asJson.json());
    expect(await caseCount()).toBe(before);
  });

  it("answers 404 in the errors array for unknown ids, services, tokens and endpoints, never HTML", async () => {
    for (const path of ["requests/530103-20260101-99999", "requests/not-an-id", "tokens/no-such-token", "services/no.such.service", "nothing-here"]) {
      const json = await get(`${path}.json`);
      expect(json.statusCode, path).toBe(404);
      expectConforms("errors", json.json());
      const xml = await get(`${path}.xml`);
      expect(xml.statusCode, path).toBe(404);
      expectXmlError(xml.body, 404);
    }
    expectXmlError((await get("services.html")).body, 404);
    expect((await get("requests/x.yaml")).statusCode).toBe(404);
  });

  it("lists requests without a key (public categories, no personal data) and filters them", async () => {
    const all = await get("requests.json");
    expect(all.statusCode).toBe(200);
    expectConforms("requests", all.json());
    expect(all.json().length).toBeGreaterThan(0);
    expect(all.json().length).toBeLessThanOrEqual(1000);
    expect(all.body).not.toMatch(/13812345678|resident@example/);
    expect(all.json().every((request: { service_code: string }) => request.service_code !== "event.construction.road_damage")).toBe(true);
    const open = await get(`requests.json?status=open&service_code=${SERVICE}`);
    expect(open.json().every((request: { status: string; service_code: string }) => request.status === "open" && request.service_code === SERVICE)).toBe(true);
    const numbers = open.json().slice(0, 2).map((request: { service_request_id: string }) => request.service_request_id);
    const some = await get(`requests.json?service_request_id=${numbers.join(",")}`);
    expect(some.json().map((request: { service_request_id: string }) => request.service_request_id).sort()).toEqual([...numbers].sort());
    expectSameAsJson((await get(`requests.xml?service_request_id=${numbers.join(",")}`)).body, some.json(), "service_requests", "request");
    const none = await get("requests.xml?start_date=2001-01-01T00:00:00Z&end_date=2001-01-02T00:00:00Z");
    expect(parseXml(none.body).root).toBe("service_requests");
    for (const query of ["status=pending", "start_date=yesterday", "start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z"]) {
      const refused = await get(`requests.json?${query}`);
      expect(refused.statusCode, query).toBe(400);
      expectConforms("errors", refused.json());
    }
    const badKey = await get("requests.xml?api_key=ggk_nothing");
    expect(badKey.statusCode).toBe(403);
    expectXmlError(badKey.body, 403);
  });

  it("shows a key only the requests of its own area", async () => {
    const community = "530103001001";
    const worker = await t.ctx.db.selectFrom("users").select("id").where("username", "=", `community-${community}`).executeTakeFirstOrThrow();
    const local = (await createApiKey(t.ctx, null, worker.id, { name: "community app", organisation: "Open311 client" })).key;
    const [everywhere, own] = await Promise.all([get("requests.json"), get(`requests.json?api_key=${local}`)]);
    expectConforms("requests", own.json());
    const communities = async (answer: { json(): { service_request_id: string }[] }) =>
      (await t.ctx.db.selectFrom("cases").select("community_code").where("number", "in", answer.json().map((r) => r.service_request_id)).execute()).map((row) => row.community_code);
    expect(new Set(await communities(everywhere)).size).toBeGreaterThan(1);
    expect(new Set(await communities(own))).toEqual(new Set([community]));
  });

  it("answers any origin without credentials, preflight included", async () => {
    const preflight = await t.app.inject({
      method: "OPTIONS",
      url: "/open311/v2/requests.json",
      headers: { origin: "https://app.example.org", "access-control-request-method": "POST" },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers).toMatchObject({ "access-control-allow-origin": "*", "access-control-allow-methods": expect.stringContaining("POST") });
    expect(preflight.headers["access-control-allow-credentials"]).toBeUndefined();
    const error = await get("requests/none.json");
    expect(error.headers["access-control-allow-origin"]).toBe("*");
  });

  it("keeps the Open311 endpoints out of the API's OpenAPI document", async () => {
    const document = (await t.app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json();
    expect(Object.keys(document.paths).some((path) => path.startsWith("/open311"))).toBe(false);
  });
});

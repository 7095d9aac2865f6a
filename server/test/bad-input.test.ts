import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";

describe("bad input gets a 4xx with a stable code, and nothing is written", () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp("demo", { BODY_LIMIT_BYTES: "4096" });
    admin = await t.login("admin");
  });
  afterAll(() => t.close());

  const counts = async () => ({
    users: (await t.ctx.db.selectFrom("users").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n,
    audit: (await t.ctx.db.selectFrom("audit_log").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n,
  });
  const createUser = (payload: string, contentType = "application/json") =>
    t.app.inject({ method: "POST", url: "/api/v1/users", headers: { cookie: admin, "content-type": contentType }, payload });
  const valid = { username: "new-worker", displayName: "新网格员", password: "long-enough-1", roles: ["grid_worker"], scopeCode: "530103001001" };

  const cases: [name: string, payload: string, status: number, code: string, contentType?: string][] = [
    ["malformed JSON", '{"username": "x",', 400, "invalid_json"],
    ["an unknown field", JSON.stringify({ ...valid, isAdmin: true }), 400, "validation_failed"],
    ["a wrong type", JSON.stringify({ ...valid, roles: "grid_worker" }), 400, "validation_failed"],
    ["a number in quotes where a list is due", JSON.stringify({ ...valid, displayName: 5 }), 400, "validation_failed"],
    ["an unknown role", JSON.stringify({ ...valid, roles: ["emperor"] }), 400, "validation_failed"],
    ["an unknown division code", JSON.stringify({ ...valid, scopeCode: "530103099099" }), 404, "division_not_found"],
    ["a malformed division code", JSON.stringify({ ...valid, scopeCode: "53-01" }), 400, "validation_failed"],
    ["an oversized body", JSON.stringify({ ...valid, displayName: "长".repeat(5000) }), 413, "body_too_large"],
    ["a form instead of JSON", "username=x", 415, "unsupported_media_type", "application/x-www-form-urlencoded"],
    ["a staff role without scope", JSON.stringify({ ...valid, scopeCode: null }), 400, "scope_required"],
    ["a taken username", JSON.stringify({ ...valid, username: "admin" }), 409, "username_taken"],
  ];
  for (const [name, payload, status, code, contentType] of cases) {
    it(`refuses ${name} with ${status} ${code}`, async () => {
      const before = await counts();
      const response = await createUser(payload, contentType);
      expect(response.statusCode).toBe(status);
      const body = response.json();
      expect(body.error.code).toBe(code);
      expect(typeof body.error.message).toBe("string");
      expect(await counts()).toEqual(before);
    });
  }

  it("refuses coordinates out of range and unknown query parameters", async () => {
    for (const url of [
      "/api/v1/grids/locate?lat=91&lng=102.7",
      "/api/v1/grids/locate?lat=25&lng=181",
      "/api/v1/grids/locate?lat=abc&lng=102.7",
      "/api/v1/grids/locate?lat=25&lng=102.7&crs=mars",
      "/api/v1/grids/locate?lat=25&lng=102.7&radius=5",
      "/api/v1/divisions/530103?depth=9",
    ]) {
      const response = await t.app.inject({ method: "GET", url, headers: { cookie: admin } });
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.code, url).toBe("validation_failed");
    }
  });

  it("answers a body it cannot decompress in the error shape with a stable code", async () => {
    for (const [encoding, status, code] of [["gzip", 400, "invalid_content_encoding"], ["x-unknown", 415, "unsupported_content_encoding"]] as const) {
      const before = await counts();
      const response = await t.app.inject({
        method: "POST",
        url: "/api/v1/users",
        headers: { cookie: admin, "content-type": "application/json", "content-encoding": encoding },
        payload: "not compressed at all",
      });
      expect([response.statusCode, response.json().error.code], encoding).toEqual([status, code]);
      expect(typeof response.json().error.message).toBe("string");
      expect(await counts()).toEqual(before);
    }
  });

  it("answers what the HTTP parser refuses (a broken chunked body, a malformed request, oversized headers) in the error shape", async () => {
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = t.app.server.address() as net.AddressInfo;
    /** Sends raw bytes and reads the answer until the server closes the connection. */
    const exchange = (raw: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, "127.0.0.1", () => socket.end(raw));
        const chunks: Buffer[] = [];
        socket.on("data", (chunk: Buffer) => chunks.push(chunk));
        socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
        socket.on("error", reject);
      });
    const requests: [name: string, raw: string, status: number, code: string][] = [
      [
        "a chunk size that is not hexadecimal",
        `POST /api/v1/users HTTP/1.1\r\nHost: localhost\r\nCookie: ${admin}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`,
        400,
        "malformed_request",
      ],
      ["a request line that is not HTTP", "HELLO THERE\r\n\r\n", 400, "malformed_request"],
      ["headers past the limit", `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${"a".repeat(20_000)}\r\n\r\n`, 431, "headers_too_large"],
    ];
    for (const [name, raw, status, code] of requests) {
      const before = await counts();
      const answer = await exchange(raw);
      const [head, body] = answer.split("\r\n\r\n");
      expect(head.split("\r\n")[0].split(" ")[1], `${name}: ${answer}`).toBe(String(status));
      expect(head, name).toMatch(/content-type: application\/json/i);
      expect(JSON.parse(body), name).toEqual({ error: { code, message: expect.any(String) } });
      expect(await counts()).toEqual(before);
    }
  });

  it("refuses an empty or padded code in every field that names a department or category, and stores nothing", async () => {
    const code = "appeal.hotline.consultation";
    const category = async () => t.ctx.db.selectFrom("categories").select(["department_code", "version"]).where("code", "=", code).executeTakeFirstOrThrow();
    const casesBefore = (await t.ctx.db.selectFrom("cases").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n;
    for (const bad of ["", " ", " cgj", "cgj\n"]) {
      const stored = await category();
      const requests: [name: string, method: "PATCH" | "PUT" | "POST", url: string, payload: object, headers?: Record<string, string>][] = [
        ["a category's department", "PATCH", `/api/v1/categories/${code}`, { departmentCode: bad }, { "if-match": `"${stored.version}"` }],
        ["a routing rule's department", "PUT", `/api/v1/routing-rules/${code}/530103001`, { departmentCode: bad }],
        ["a new user's department", "POST", "/api/v1/users", { ...valid, departmentCode: bad }],
        ["a report's category", "POST", "/api/v1/cases", { description: "路灯不亮", gridCode: "530103001001001", categoryCode: bad }],
      ];
      for (const [name, method, url, payload, headers] of requests) {
        const response = await t.app.inject({ method, url, payload, headers: { cookie: admin, ...headers } });
        expect([response.statusCode, response.json().error.code], `${name} ${JSON.stringify(bad)}: ${response.body}`).toEqual([400, "validation_failed"]);
      }
      expect(await category()).toEqual(stored);
    }
    const casesAfter = (await t.ctx.db.selectFrom("cases").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n;
    expect(casesAfter).toBe(casesBefore);
    expect(await t.ctx.db.selectFrom("routing_rules").selectAll().where("division_code", "=", "530103001").execute()).toEqual([]);
  });

  it("answers unknown API routes with a JSON 404", async () => {
    const response = await t.app.inject({ method: "GET", url: "/api/v1/nothing-here", headers: { cookie: admin } });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe("route_not_found");
  });

  it("creates the user when the request is right, with an audit entry in the same transaction", async () => {
    const before = await counts();
    const response = await createUser(JSON.stringify(valid));
    expect(response.statusCode).toBe(201);
    expect(await counts()).toEqual({ users: before.users + 1, audit: before.audit + 1 });
    const entry = await t.ctx.db.selectFrom("audit_log").selectAll().where("action", "=", "user.create").executeTakeFirstOrThrow();
    expect(entry.target_id).toBe(response.json().user.id);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";

const STREET_DISPATCHER = "dispatcher-001-1";
const OTHER_DISPATCHER = "dispatcher-002-1";
const DISTRICT_DISPATCHER = "dispatcher";
// Grids of 尚义社区 (street 530103001) and of a community of another street (530103002).
const SHANGYI = "530103001001001";
const OTHER_STREET = "530103002001001";

type BulkAnswer = {
  action: string;
  succeeded: number;
  refused: number;
  results: ({ id: string; ok: true; version: number; status: string } | { id: string; ok: false; error: { status: number; code: string; message: string } })[];
};

describe("staff tools: saved filters, previous/next, bulk actions", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const who of [STREET_DISPATCHER, OTHER_DISPATCHER, DISTRICT_DISPATCHER]) cookies[who] = await t.login(who);
  });
  afterAll(() => t.close());

  const send = (who: string, method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url, payload: payload as Record<string, unknown> | undefined, headers: { cookie: cookies[who], ...headers } });

  async function report(description: string, gridCode = SHANGYI): Promise<string> {
    const response = await send(DISTRICT_DISPATCHER, "POST", "/api/v1/cases", { description, gridCode, source: "hotline" });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().case.id;
  }
  async function act(id: string, body: Record<string, unknown>, who = STREET_DISPATCHER) {
    const current = await send(who, "GET", `/api/v1/cases/${id}`);
    const response = await send(who, "POST", `/api/v1/cases/${id}/transitions`, body, { "if-match": String(current.headers.etag) });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }
  const urges = async (id: string) => (await t.ctx.db.selectFrom("case_events").select("id").where("case_id", "=", id).where("action", "=", "urge").execute()).length;

  describe("saved filters", () => {
    const url = "/api/v1/saved-filters";

    it("saves, lists, renames and deletes the caller's own views, a retry answering the first save", async () => {
      const created = await send(STREET_DISPATCHER, "POST", url, { name: " 待派遣 ", query: "status=registered&queue=centre" });
      expect(created.statusCode, created.body).toBe(201);
      const filter = created.json().filter;
      expect(filter).toMatchObject({ name: "待派遣", query: "queue=centre&status=registered" });
      // The same save again (a retry) changes nothing; the name with another query is taken.
      const again = await send(STREET_DISPATCHER, "POST", url, { name: "待派遣", query: "queue=centre&status=registered" });
      expect(again.statusCode).toBe(200);
      expect(again.json().filter.id).toBe(filter.id);
      const taken = await send(STREET_DISPATCHER, "POST", url, { name: "待派遣", query: "queue=overdue" });
      expect(taken.statusCode).toBe(409);
      expect(taken.json().error.code).toBe("saved_filter_name_taken");

      // The saved query opens the list the API answers.
      expect((await send(STREET_DISPATCHER, "GET", `/api/v1/cases?${filter.query}`)).statusCode).toBe(200);

      // Nobody else sees or changes it.
      expect((await send(OTHER_DISPATCHER, "GET", url)).json().filters).toEqual([]);
      expect((await send(OTHER_DISPATCHER, "PATCH", `${url}/${filter.id}`, { name: "偷看" })).json().error.code).toBe("saved_filter_not_found");
      expect((await send(OTHER_DISPATCHER, "DELETE", `${url}/${filter.id}`)).statusCode).toBe(404);

      await send(STREET_DISPATCHER, "POST", url, { name: "超期", query: "queue=overdue" });
      const renameTaken = await send(STREET_DISPATCHER, "PATCH", `${url}/${filter.id}`, { name: "超期" });
      expect(renameTaken.statusCode).toBe(409);
      const renamed = await send(STREET_DISPATCHER, "PATCH", `${url}/${filter.id}`, { name: "今日待派", query: "queue=centre&from=2026-12-01" });
      expect(renamed.statusCode, renamed.body).toBe(200);
      expect(renamed.json().filter).toMatchObject({ name: "今日待派", query: "queue=centre&from=2026-12-01" });
      expect((await send(STREET_DISPATCHER, "GET", url)).json().filters.map((f: { name: string }) => f.name)).toEqual(["今日待派", "超期"]);

      expect((await send(STREET_DISPATCHER, "DELETE", `${url}/${filter.id}`)).statusCode).toBe(204);
      expect((await send(STREET_DISPATCHER, "DELETE", `${url}/${filter.id}`)).statusCode).toBe(404);
      expect((await send(STREET_DISPATCHER, "GET", url)).json().filters.map((f: { name: string }) => f.name)).toEqual(["超期"]);
    });

    it("refuses a query the case list would refuse, a blank name, and more than fifty views", async () => {
      for (const query of ["queue=everything", "from=2026-02-30", "limit=5", "colour=red", "level=street&level=district"]) {
        const response = await send(DISTRICT_DISPATCHER, "POST", url, { name: "坏的", query });
        expect(response.statusCode, query).toBe(400);
        expect(response.json().error.code, query).toBe("invalid_saved_query");
      }
      expect((await send(DISTRICT_DISPATCHER, "POST", url, { name: "   ", query: "" })).json().error.code).toBe("invalid_filter_name");
      for (let i = 0; i < 50; i++) {
        const response = await send(DISTRICT_DISPATCHER, "POST", url, { name: `视图 ${i}`, query: `q=${i}` });
        expect(response.statusCode, response.body).toBe(201);
      }
      const over = await send(DISTRICT_DISPATCHER, "POST", url, { name: "第五十一个", query: "" });
      expect(over.statusCode).toBe(422);
      expect(over.json().error.code).toBe("too_many_saved_filters");
      expect((await send(DISTRICT_DISPATCHER, "GET", url)).json().filters).toHaveLength(50);
    });
  });

  describe("previous and next through a list", () => {
    it("walks the filtered list in its order, whether or not the case still matches, and only in scope", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await report(`前后翻阅测试 ${i}：人行道地砖松动`));
      await report("前后翻阅测试：另一条街道", OTHER_STREET);
      const query = `q=${encodeURIComponent("前后翻阅测试")}`;
      const listed = (await send(STREET_DISPATCHER, "GET", `/api/v1/cases?${query}&limit=200`)).json().cases.map((c: { id: string }) => c.id);
      expect(listed).toEqual([...ids].reverse());
      const around = async (id: string, q = query, who = STREET_DISPATCHER) => {
        const response = await send(who, "GET", `/api/v1/cases/${id}/neighbours?${q}`);
        expect(response.statusCode, response.body).toBe(200);
        const { previous, next } = response.json();
        return [previous?.id ?? null, next?.id ?? null];
      };
      expect(await around(listed[2])).toEqual([listed[1], listed[3]]);
      expect(await around(listed[0])).toEqual([null, listed[1]]);
      expect(await around(listed[4])).toEqual([listed[3], null]);
      // The case in the middle leaves the reported list once accepted; its neighbours stay its neighbours.
      await act(listed[2], { action: "accept" });
      expect(await around(listed[2], `${query}&status=reported`)).toEqual([listed[1], listed[3]]);
      expect(await around(listed[1], `${query}&status=reported`)).toEqual([listed[0], listed[3]]);
      // The other street's dispatcher does not find the case at all.
      expect((await send(OTHER_DISPATCHER, "GET", `/api/v1/cases/${listed[2]}/neighbours?${query}`)).json().error.code).toBe("case_not_found");
      expect((await send(STREET_DISPATCHER, "GET", `/api/v1/cases/${listed[2]}/neighbours?queue=everything`)).statusCode).toBe(400);
    });
  });

  describe("bulk actions", () => {
    const bulk = (who: string, body: Record<string, unknown>, headers: Record<string, string> = {}) => send(who, "POST", "/api/v1/cases/bulk", body, headers);

    it("urges each case on its own: the ones in reach done, the one outside the scope refused as not found", async () => {
      const inside: string[] = [];
      for (let i = 0; i < 5; i++) inside.push(await report(`批量督办测试 ${i}：垃圾满溢`));
      const outside = await report("批量督办测试：另一条街道", OTHER_STREET);
      const cases = [...inside.slice(0, 3), outside, ...inside.slice(3)].map((id) => ({ id }));
      const response = await bulk(STREET_DISPATCHER, { action: "urge", cases, note: "请加快处置" });
      expect(response.statusCode, response.body).toBe(200);
      const answer: BulkAnswer = response.json();
      expect(answer).toMatchObject({ action: "urge", succeeded: 5, refused: 1 });
      expect(answer.results.map((result) => result.id)).toEqual(cases.map((c) => c.id));
      expect(answer.results[3]).toMatchObject({ ok: false, error: { status: 404, code: "case_not_found" } });
      for (const id of inside) expect(await urges(id)).toBe(1);
      expect(await urges(outside)).toBe(0);
      const audited = await t.ctx.db.selectFrom("audit_log").select("details").where("action", "=", "case.bulk_urge").execute();
      expect(audited).toHaveLength(1);
      expect(audited[0].details).toMatchObject({ done: inside.slice(0, 3).concat(inside.slice(3)), refused: [{ id: outside, code: "case_not_found" }] });
    });

    it("answers a retry with the same Idempotency-Key from the first answer without acting again", async () => {
      const ids = [await report("批量重试测试 1：井盖缺失"), await report("批量重试测试 2：井盖缺失")];
      const body = { action: "urge", cases: ids.map((id) => ({ id })) };
      const key = "bulk-retry-0001";
      const first = await bulk(STREET_DISPATCHER, body, { "idempotency-key": key });
      const second = await bulk(STREET_DISPATCHER, body, { "idempotency-key": key });
      expect(second.statusCode).toBe(200);
      expect(second.json()).toEqual(first.json());
      for (const id of ids) expect(await urges(id)).toBe(1);
      const reused = await bulk(STREET_DISPATCHER, { ...body, note: "另一个请求" }, { "idempotency-key": key });
      expect(reused.statusCode).toBe(422);
      expect(reused.json().error.code).toBe("idempotency_key_reused");
      // Another user's key is their own.
      expect((await bulk(DISTRICT_DISPATCHER, body, { "idempotency-key": key })).json().succeeded).toBe(2);
    });

    it("dispatches the cases the action is offered on and refuses the rest with the single transition's reasons", async () => {
      const registered = [await report("批量派遣测试 1：占道经营"), await report("批量派遣测试 2：占道经营")];
      for (const id of registered) {
        await act(id, { action: "accept" });
        await act(id, { action: "register" });
      }
      const reported = await report("批量派遣测试 3：占道经营");
      const stale = await report("批量派遣测试 4：占道经营");
      await act(stale, { action: "accept" });
      const staleCase = await act(stale, { action: "register" });
      const response = await bulk(STREET_DISPATCHER, {
        action: "dispatch",
        to: { departmentCode: "cgj" },
        cases: [...registered.map((id) => ({ id })), { id: reported }, { id: stale, version: staleCase.case.version - 1 }],
      });
      expect(response.statusCode, response.body).toBe(200);
      const answer: BulkAnswer = response.json();
      expect(answer).toMatchObject({ succeeded: 2, refused: 2 });
      expect(answer.results.slice(0, 2).every((result) => result.ok && result.status === "dispatched")).toBe(true);
      expect(answer.results[2]).toMatchObject({ ok: false, error: { status: 409, code: "transition_not_allowed" } });
      expect(answer.results[3]).toMatchObject({ ok: false, error: { status: 412, code: "version_mismatch" } });
      const rows = await t.ctx.db.selectFrom("cases").select(["id", "status"]).where("id", "in", [...registered, reported, stale]).execute();
      expect(Object.fromEntries(rows.map((row) => [row.id, row.status]))).toEqual({
        [registered[0]]: "dispatched",
        [registered[1]]: "dispatched",
        [reported]: "reported",
        [stale]: "registered",
      });
      // A dispatch without anyone to dispatch to is refused per case, as a single dispatch is.
      const nobody = await bulk(STREET_DISPATCHER, { action: "dispatch", cases: [{ id: stale }] });
      expect(nobody.json().results[0]).toMatchObject({ ok: false, error: { code: "invalid_transition_input" } });
    });

    it("refuses a malformed batch whole, before acting on any case", async () => {
      const id = await report("批量无效请求测试：噪声扰民");
      expect((await bulk(STREET_DISPATCHER, { action: "urge", cases: [{ id }, { id }] })).json().error.code).toBe("duplicate_case");
      expect((await bulk(STREET_DISPATCHER, { action: "urge", cases: [] })).statusCode).toBe(400);
      expect((await bulk(STREET_DISPATCHER, { action: "evaluate", cases: [{ id }] })).statusCode).toBe(400);
      expect((await bulk(STREET_DISPATCHER, { action: "urge", to: { departmentCode: "cgj" }, cases: [{ id }] })).json().error.code).toBe("invalid_transition_input");
      const many = Array.from({ length: 1001 }, (_, i) => ({ id: `0190b2f4-0000-7000-8000-${String(i).padStart(12, "0")}` }));
      expect((await bulk(STREET_DISPATCHER, { action: "urge", cases: many })).statusCode).toBe(400);
      expect((await bulk(STREET_DISPATCHER, { action: "urge", cases: [{ id }] }, { "idempotency-key": "short" })).json().error.code).toBe("invalid_idempotency_key");
      expect(await urges(id)).toBe(0);
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";

/** A category's extra questions: asked wherever the category is chosen, checked by the API, kept with the case as asked. */
describe("extra questions per category", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  const CATEGORY = "governance.dispute.neighbour";
  const GRID = "530103001001001"; // a grid of 尚义社区
  const questions = [
    { code: "households", label: { zh: "涉及户数", en: "Households involved" }, type: "number", required: true, public: true, min: 1, max: 50 },
    { code: "violence", label: { zh: "是否有肢体冲突", en: "Any violence" }, type: "yes_no", required: true, public: false },
  ];
  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of ["admin", "seat-01", "community-530103001001", "dispatcher"]) cookies[username] = await t.login(username);
  });
  afterAll(() => t.close());

  const category = async (cookie?: string) =>
    (await t.app.inject({ method: "GET", url: "/api/v1/categories?class=governance", headers: cookie ? { cookie } : {} })).json().categories.find(
      (c: { code: string }) => c.code === CATEGORY,
    );
  async function editCategory(body: Record<string, unknown>) {
    const { version } = await category(cookies.admin);
    return t.app.inject({ method: "PATCH", url: `/api/v1/categories/${CATEGORY}`, payload: body, headers: { cookie: cookies.admin, "if-match": `"${version}"` } });
  }
  const report = (who: string | undefined, answers?: Record<string, unknown>) =>
    t.app.inject({
      method: "POST",
      url: "/api/v1/cases",
      payload: { description: "楼上邻居天天吵架，影响休息", gridCode: GRID, categoryCode: CATEGORY, ...(answers ? { answers } : {}) },
      headers: who ? { cookie: cookies[who] } : {},
    });
  const caseCount = async () => Number((await t.ctx.db.selectFrom("cases").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
  async function act(who: string, id: string, body: Record<string, unknown>) {
    const current = await t.app.inject({ method: "GET", url: `/api/v1/cases/${id}`, headers: { cookie: cookies[who] } });
    return t.app.inject({ method: "POST", url: `/api/v1/cases/${id}/transitions`, payload: body, headers: { cookie: cookies[who], "if-match": String(current.headers.etag) } });
  }

  it("stores a category's questions, audited, and refuses ill-formed ones", async () => {
    const bad = await editCategory({ questions: [questions[0], { ...questions[0], type: "choice" }] });
    expect(bad.statusCode, bad.body).toBe(422);
    expect(bad.json().error).toMatchObject({
      code: "questions_invalid",
      details: {
        questions: [
          { code: "households", problem: "duplicate_code" },
          { code: "households", problem: "choices_required" },
          { code: "households", problem: "bounds_not_allowed" },
        ],
      },
    });
    const edited = await editCategory({ questions });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json().category.questions).toEqual(questions);
    const audit = await t.ctx.db.selectFrom("audit_log").select("details").where("action", "=", "category.update").where("target_id", "=", CATEGORY).execute();
    expect(audit.at(-1)?.details).toMatchObject({ change: { questions } });
    // The public is shown only what it is asked.
    expect((await category()).questions.map((q: { code: string }) => q.code)).toEqual(["households"]);
    expect((await category(cookies["seat-01"])).questions.map((q: { code: string }) => q.code)).toEqual(["households", "violence"]);
  });

  it("refuses an intake without a required answer or with a wrong type, naming the questions, and writes nothing", async () => {
    const before = await caseCount();
    const missing = await report(undefined);
    expect(missing.statusCode, missing.body).toBe(422);
    expect(missing.json().error).toMatchObject({ code: "answers_invalid", details: { questions: [{ code: "households", problem: "required" }] } });
    const wrong = await report("seat-01", { households: "two", violence: "no" });
    expect(wrong.statusCode, wrong.body).toBe(422);
    expect(wrong.json().error.details.questions).toEqual([
      { code: "households", problem: "wrong_type" },
      { code: "violence", problem: "wrong_type" },
    ]);
    // Staff are asked the staff-only question too; the public may not answer it.
    expect((await report("seat-01", { households: 2 })).json().error.details.questions).toEqual([{ code: "violence", problem: "required" }]);
    expect((await report(undefined, { households: 2, violence: true })).json().error.details.questions).toEqual([{ code: "violence", problem: "not_asked" }]);
    expect((await report(undefined, { households: 99 })).json().error.details.questions).toEqual([{ code: "households", problem: "above_max" }]);
    const preview = await t.app.inject({ method: "POST", url: "/api/v1/cases/preview", payload: { description: "楼上邻居天天吵架", gridCode: GRID, categoryCode: CATEGORY } });
    expect(preview.json().error?.code).toBe("answers_invalid");
    expect(await caseCount()).toBe(before);
  });

  it("keeps the answers with the case as asked; staff-only answers never reach the public", async () => {
    const staff = await report("seat-01", { households: 2, violence: true });
    expect(staff.statusCode, staff.body).toBe(201);
    const id = staff.json().case.id;
    expect(staff.json().case.answers).toEqual({
      households: { value: 2, label: questions[0].label, type: "number", public: true, position: 0 },
      violence: { value: true, label: questions[1].label, type: "yes_no", public: false, position: 1 },
    });
    const resident = await report(undefined, { households: 3 });
    expect(resident.statusCode, resident.body).toBe(201);
    const { case: created, trackingToken } = resident.json();
    expect(Object.keys(created.answers)).toEqual(["households"]);
    const tracked = await t.app.inject({ method: "GET", url: `/api/v1/public/cases/${created.number}?token=${trackingToken}` });
    expect(tracked.json().answers).toEqual({ households: { value: 3, label: questions[0].label, type: "number", public: true, position: 0 } });

    // Registering the resident's case needs the staff-only answer, then keeps both.
    expect((await act("community-530103001001", created.id, { action: "accept" })).statusCode).toBe(200);
    const unanswered = await act("community-530103001001", created.id, { action: "register" });
    expect(unanswered.statusCode, unanswered.body).toBe(422);
    expect(unanswered.json().error).toMatchObject({ code: "answers_invalid", details: { questions: [{ code: "violence", problem: "required" }] } });
    const registered = await act("community-530103001001", created.id, { action: "register", answers: { violence: false } });
    expect(registered.statusCode, registered.body).toBe(200);
    expect(registered.json().case.answers).toMatchObject({ households: { value: 3 }, violence: { value: false } });
    expect(registered.json().timeline.at(-1).details.answers).toEqual({ from: { households: 3 }, to: { households: 3, violence: false } });
    expect((await t.app.inject({ method: "GET", url: `/api/v1/public/cases/${created.number}?token=${trackingToken}` })).json().answers).not.toHaveProperty("violence");

    // A later edit of the question leaves old cases as they were answered.
    expect((await editCategory({ questions: [{ ...questions[0], label: { zh: "户数", en: "Households" } }, questions[1]] })).statusCode).toBe(200);
    const read = await t.app.inject({ method: "GET", url: `/api/v1/cases/${id}`, headers: { cookie: cookies.dispatcher } });
    expect(read.json().case.answers.households.label).toEqual(questions[0].label);

    // Reclassifying to a category without questions leaves no answers; other actions take none.
    const other = await act("community-530103001001", created.id, { action: "reclassify", categoryCode: "governance.dispute.family" });
    expect(other.statusCode, other.body).toBe(200);
    expect(other.json().case.answers).toEqual({});
    expect((await act("community-530103001001", created.id, { action: "follow_up", note: "又来电", answers: {} })).json().error.code).toBe("invalid_transition_input");

    const exported = await t.app.inject({ method: "GET", url: "/api/v1/cases/export", headers: { cookie: cookies.dispatcher } });
    const line = exported.body.split("\r\n").find((row) => row.startsWith(staff.json().case.number));
    expect(exported.body.split("\r\n")[0].endsWith(",answers")).toBe(true);
    expect(line).toMatch(/,涉及户数: 2; 是否有肢体冲突: 是$/);
  });
});

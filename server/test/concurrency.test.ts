import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";

/**
 * Many workers act on the same few cases at once, each taking whatever action its role may take
 * now: every answered action counts exactly once, none is lost, and each case's timeline, version,
 * status and the dashboard agree afterwards.
 */
const ACTORS = ["community-530103001001", "dispatcher-001-1", "dispatcher", "supervisor-001", "seat-01", "handler-cgj-1", "leader-001"];
const WORKERS = 12;
const STEPS_PER_WORKER = 30;
const CASES = 5;

describe("concurrent work on the same cases", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of ACTORS) cookies[username] = await t.login(username);
  });
  afterAll(() => t.close());

  const ASSIGNEES = [{ divisionCode: "530103001001" }, { departmentCode: "cgj" }];

  function bodyFor(action: string, assignment: Record<string, string> | null): Record<string, unknown> {
    const body: Record<string, unknown> = { action, note: "并发测试" };
    if (action === "dispatch") body.to = ASSIGNEES[Math.floor(Math.random() * ASSIGNEES.length)];
    // A reassignment names another assignee than the current one.
    if (action === "reassign") body.to = assignment?.kind === "division" ? ASSIGNEES[1] : ASSIGNEES[0];
    if (action === "request_extension") body.days = 2;
    if (action === "reject") body.reasonCode = "duplicate";
    if (action === "return") body.reasonCode = "not_our_duty";
    if (action === "reclassify") body.urgency = Math.random() < 0.5 ? "normal" : "urgent";
    if (action === "evaluate") body.satisfaction = ["satisfied", "basically_satisfied", "dissatisfied"][Math.floor(Math.random() * 3)];
    return body;
  }

  it("counts every answered action once: versions, timelines, statuses and the dashboard agree", async () => {
    const ids: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const created = await t.app.inject({
        method: "POST",
        url: "/api/v1/cases",
        payload: { description: `并发测试第${i}件：路灯不亮`, gridCode: "530103001001001" },
        headers: { cookie: cookies["seat-01"] },
      });
      expect(created.statusCode).toBe(201);
      ids.push(created.json().case.id);
    }
    const succeeded = new Map<string, number>(ids.map((id) => [id, 0]));
    const statuses = new Map<number, number>();
    const worker = async () => {
      for (let step = 0; step < STEPS_PER_WORKER; step++) {
        const who = ACTORS[Math.floor(Math.random() * ACTORS.length)];
        const id = ids[Math.floor(Math.random() * ids.length)];
        const read = await t.app.inject({ method: "GET", url: `/api/v1/cases/${id}`, headers: { cookie: cookies[who] } });
        if (read.statusCode !== 200) continue;
        const actions = (read.json().case.actions as string[]).filter((action) => action !== "merge");
        if (actions.length === 0) continue;
        const action = actions[Math.floor(Math.random() * actions.length)];
        const answer = await t.app.inject({
          method: "POST",
          url: `/api/v1/cases/${id}/transitions`,
          payload: bodyFor(action, read.json().case.assignment),
          headers: { cookie: cookies[who], "if-match": String(read.headers.etag) },
        });
        statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
        expect(answer.statusCode, `${who} ${action}: ${answer.body}`).toBeLessThan(500);
        if (answer.statusCode === 200) {
          expect(answer.json().case.version).toBe(read.json().case.version + 1);
          succeeded.set(id, (succeeded.get(id) ?? 0) + 1);
        } else {
          // The only refusal a legal action may meet is that someone else acted first.
          expect(answer.json().error.code, `${who} ${action}: ${answer.body}`).toBe("version_mismatch");
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
    expect(statuses.get(200) ?? 0).toBeGreaterThan(CASES);
    expect(statuses.get(412) ?? 0).toBeGreaterThan(0); // the workers really did collide

    const rows = await t.ctx.db.selectFrom("cases").select(["id", "version", "status", "handle_by", "created_at"]).where("id", "in", ids).execute();
    for (const row of rows) {
      expect(row.version, row.id).toBe(1 + (succeeded.get(row.id) ?? 0));
      const timeline = await t.ctx.db
        .selectFrom("case_events")
        .select(["action", "from_status", "to_status"])
        .where("case_id", "=", row.id)
        .orderBy("at")
        .orderBy("id")
        .execute();
      expect(timeline).toHaveLength(row.version);
      expect(timeline.at(-1)?.to_status).toBe(row.status);
      // Each event starts where the one before it ended: no case was ever in two states.
      for (let i = 1; i < timeline.length; i++) expect(timeline[i].from_status, `${row.id} event ${i}`).toBe(timeline[i - 1].to_status);
      expect(row.handle_by.getTime()).toBeGreaterThan(row.created_at.getTime());
    }
    const stats = (await t.app.inject({ method: "GET", url: "/api/v1/cases/stats?division=530103001001", headers: { cookie: cookies.dispatcher } })).json();
    const byStatus: Record<string, number> = {};
    for (const row of await t.ctx.db.selectFrom("cases").select("status").where("community_code", "=", "530103001001").execute()) {
      byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
    }
    expect(stats.byStatus).toEqual(byStatus);
    // The rollup the dashboard reads holds exactly what the cases say, in every community.
    const rollup = await t.ctx.db.selectFrom("case_status_counts").selectAll().where("cases", ">", 0).orderBy("community_code").orderBy("status").execute();
    const counted = await t.ctx.db
      .selectFrom("cases")
      .select(["region_code", "community_code", "status", (eb) => eb.fn.countAll<number>().as("cases")])
      .groupBy(["region_code", "community_code", "status"])
      .orderBy("community_code")
      .orderBy("status")
      .execute();
    expect(rollup).toEqual(counted.map((row) => ({ ...row, cases: Number(row.cases) })));
  });
});

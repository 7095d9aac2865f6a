import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { haversineMeters } from "../src/modules/patrols/patrol-track.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

const WORKER = "gw-530103001001-1";
const OTHER_WORKER = "gw-530103002001-1";
const SUPERVISOR = "supervisor-001";
const USERS = [WORKER, OTHER_WORKER, SUPERVISOR, "leader", "leader-002", "dispatcher", "volunteer-530103001001001"];

type DayRow = { day: string; userId: string; name: string; patrols: number; patrolIds: string[]; durationSeconds: number; trackedSeconds: number; distanceMeters: number; gaps: number };

describe("patrols", () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  const ids: Record<string, string> = {};
  // This morning in China Standard Time, an hour or more before now.
  // Yesterday at 09:00 China Standard Time: in the past at any hour, with the day's patrols on one day.
  const start = new Date(Date.parse(`${new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)}T01:00:00Z`) - 24 * 3600_000);
  const day = new Date(start.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  const fix = (seconds: number, north: number, accuracy = 5) => ({ lng: 102.72, lat: 25.06 + north * 0.001, t: start.getTime() + seconds * 1000, accuracy });

  beforeAll(async () => {
    t = await createTestApp("demo");
    for (const username of USERS) cookies[username] = await t.login(username);
    for (const row of await t.ctx.db.selectFrom("users").select(["id", "username"]).where("username", "in", USERS).execute()) ids[row.username] = row.id;
  });
  afterAll(() => t.close());

  const send = (who: string, body: Record<string, unknown>, key?: string) =>
    t.app.inject({ method: "POST", url: "/api/v1/patrols", payload: body, headers: { cookie: cookies[who], ...(key ? { "idempotency-key": key } : {}) } });
  const report = async (who: string, query: string) => {
    const response = await t.app.inject({ method: "GET", url: `/api/v1/patrols?${query}`, headers: { cookie: cookies[who] } });
    return response;
  };

  it("records a patrol with a gap in its track, counting neither the gap's line nor its time, once per Idempotency-Key", async () => {
    // Walk 222 m, ten minutes in a basement without a fix, then 111 m more.
    const points = [fix(0, 0), fix(60, 1), fix(120, 2), fix(720, 5), fix(780, 6)];
    const body = { startedAt: new Date(start.getTime()).toISOString(), endedAt: new Date(start.getTime() + 900_000).toISOString(), points };
    const key = crypto.randomUUID();
    const sent = await send(WORKER, body, key);
    expect(sent.statusCode, sent.body).toBe(201);
    const { patrol } = sent.json();
    const walked = haversineMeters(points[0], points[1]) + haversineMeters(points[1], points[2]) + haversineMeters(points[3], points[4]);
    expect(patrol).toMatchObject({ day, durationSeconds: 900, trackedSeconds: 180, distanceMeters: Math.round(walked), pointCount: 5, userId: ids[WORKER] });
    expect(patrol.gaps).toEqual([{ from: 2, to: 3, reason: "silence", seconds: 600 }]);
    const retry = await send(WORKER, body, key);
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toEqual(sent.json());
    const reused = await send(WORKER, { ...body, points: points.slice(0, 2) }, key);
    expect([reused.statusCode, reused.json().error.code]).toEqual([422, "idempotency_key_reused"]);
    expect(await t.ctx.db.selectFrom("patrols").select("id").where("user_id", "=", ids[WORKER]).execute()).toHaveLength(1);
    const audited = await t.ctx.db.selectFrom("audit_log").select("action").where("target_id", "=", patrol.id).execute();
    expect(audited.map((row) => row.action)).toEqual(["patrol.record"]);

    // The supervisor sees the track cut at the gap.
    const read = await t.app.inject({ method: "GET", url: `/api/v1/patrols/${patrol.id}`, headers: { cookie: cookies[SUPERVISOR] } });
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().patrol.segments.map((segment: unknown[]) => segment.length)).toEqual([3, 2]);
    expect(read.json().patrol.segments[1][0].at).toBe(new Date(points[3].t).toISOString());
  });

  it("sums patrol time and distance per worker and day for supervisors and leaders in scope", async () => {
    const second = await send(WORKER, {
      startedAt: new Date(start.getTime() + 3600_000).toISOString(),
      endedAt: new Date(start.getTime() + 3600_000 + 600_000).toISOString(),
      points: [fix(3600, 0), fix(3660, 1)],
    });
    expect(second.statusCode, second.body).toBe(201);
    const elsewhere = await send(OTHER_WORKER, { startedAt: start.toISOString(), endedAt: new Date(start.getTime() + 60_000).toISOString(), points: [] });
    expect(elsewhere.statusCode).toBe(201);

    const answer = await report(SUPERVISOR, `from=${day}&to=${day}`);
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json().division).toBe("530103001");
    const rows: DayRow[] = answer.json().days;
    expect(rows.map((row) => row.userId)).toEqual([ids[WORKER]]);
    const [row] = rows;
    expect(row).toMatchObject({ day, patrols: 2, durationSeconds: 1500, trackedSeconds: 240, gaps: 1 });
    expect(row.distanceMeters).toBeGreaterThan(440);
    expect(row.distanceMeters).toBeLessThan(450);
    expect(row.patrolIds).toHaveLength(2);

    const district: DayRow[] = (await report("leader", `division=530103&from=${day}`)).json().days;
    expect(district.map((entry) => entry.userId).sort()).toEqual([ids[WORKER], ids[OTHER_WORKER]].sort());
    expect((await report("leader", `userId=${ids[OTHER_WORKER]}&from=${day}`)).json().days).toHaveLength(1);
    // Outside the reader's scope: neither the division nor the patrol.
    expect((await report("leader-002", "division=530103001")).statusCode).toBe(404);
    expect((await report("leader-002", `from=${day}`)).json().days.map((entry: DayRow) => entry.userId)).toEqual([ids[OTHER_WORKER]]);
    const foreign = await t.app.inject({ method: "GET", url: `/api/v1/patrols/${row.patrolIds[0]}`, headers: { cookie: cookies["leader-002"] } });
    expect([foreign.statusCode, foreign.json().error.code]).toEqual([404, "patrol_not_found"]);
    // Another day holds nothing.
    const yesterday = new Date(Date.parse(day) - 86_400_000).toISOString().slice(0, 10);
    expect((await report(SUPERVISOR, `from=${yesterday}&to=${yesterday}`)).json().days).toEqual([]);
  });

  it("lets only patrollers record and only supervisors and leaders read", async () => {
    const body = { startedAt: start.toISOString(), endedAt: new Date(start.getTime() + 60_000).toISOString(), points: [] };
    for (const who of ["dispatcher", "volunteer-530103001001001"]) {
      const answer = await send(who, body);
      expect([answer.statusCode, answer.json().error.code], who).toEqual([403, "forbidden"]);
    }
    expect((await send(SUPERVISOR, body)).statusCode).toBe(201);
    for (const who of [WORKER, "dispatcher"]) expect((await report(who, "")).statusCode, who).toBe(403);
  });

  it("refuses a track out of order, outside its times, too long, or a period the wrong way round, writing nothing", async () => {
    const before = (await t.ctx.db.selectFrom("patrols").select("id").execute()).length;
    const endedAt = new Date(start.getTime() + 600_000).toISOString();
    const refusals: [Record<string, unknown>, number, string][] = [
      [{ startedAt: start.toISOString(), endedAt, points: [fix(60, 0), fix(30, 1)] }, 422, "invalid_track"],
      [{ startedAt: start.toISOString(), endedAt, points: [fix(601, 0)] }, 422, "invalid_track"],
      [{ startedAt: endedAt, endedAt: start.toISOString(), points: [] }, 422, "invalid_patrol_times"],
      [{ startedAt: start.toISOString(), endedAt: new Date(Date.now() + 3600_000).toISOString(), points: [] }, 422, "invalid_patrol_times"],
      [{ startedAt: start.toISOString(), endedAt, points: [{ ...fix(10, 0), lat: 91 }] }, 400, "validation_failed"],
      [{ startedAt: start.toISOString(), endedAt, points: Array.from({ length: 10_001 }, () => fix(10, 0)) }, 400, "validation_failed"],
    ];
    for (const [body, status, code] of refusals) {
      const answer = await send(WORKER, body);
      expect([answer.statusCode, answer.json().error?.code], JSON.stringify(body).slice(0, 120)).toEqual([status, code]);
    }
    expect((await t.ctx.db.selectFrom("patrols").select("id").execute()).length).toBe(before);
    expect((await report(SUPERVISOR, "from=2026-12-03&to=2026-12-01")).json().error.code).toBe("invalid_period");
    expect((await report(SUPERVISOR, "from=2026-01-01&to=2026-12-01")).json().error.code).toBe("invalid_period");
  });
});

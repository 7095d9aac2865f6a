import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { sql, type Generated } from "kysely";
import { v7 as uuidv7 } from "uuid";
import { loadConfig, type Config } from "../server/src/config.ts";
import type { DatabaseTarget } from "../server/src/db/database.ts";
import { ancestorCode } from "../server/src/modules/divisions/division-codes.ts";
import { prepare, type Running } from "../server/src/server.ts";
import { Client, drive, errorNote, fmt, latency, withFreshPostgres, type Answer, type Load } from "./lib.ts";

const SECONDS = 10;
const WARM_UP_SECONDS = 1;
/** Concurrent intake clients, and concurrent writers of the plain INSERT loop. */
const CLIENTS = 16;
/** Lifecycles run at the same time. */
const LIFECYCLES = 8;
/** Communities whose staff take part in the lifecycles (each one's account signs in once, before measuring). */
const LIFECYCLE_COMMUNITIES = 24;
const AIMS = { pglite: 500, postgres: 1000 } as const;
const AIM_RATIO = 0.5;

type Kind = keyof typeof AIMS;

// ---------------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------------

/** A warm-up of WARM_UP_SECONDS (thrown away), then SECONDS measured. */
async function measure(concurrency: number, operation: () => Promise<void>): Promise<Load> {
  await drive(WARM_UP_SECONDS, concurrency, operation);
  return drive(SECONDS, concurrency, operation);
}

const rate = (load: Load) => load.done / load.seconds;

/** What the bench reads of a case answer. */
type CaseSummary = { id: string; version: number; status: string; communityCode: string; streetCode: string };

function caseOf(answer: Answer, expected: number, what: string): CaseSummary & { etag: string } {
  const body = answer.body;
  const value = typeof body === "object" && body !== null && "case" in body ? body.case : undefined;
  if (answer.status !== expected || typeof value !== "object" || value === null || !answer.etag) {
    throw new Error(`${what}: ${answer.status} ${JSON.stringify(body).slice(0, 200)}`);
  }
  const summary = value as Partial<CaseSummary>;
  if (typeof summary.id !== "string" || typeof summary.communityCode !== "string" || typeof summary.streetCode !== "string") {
    throw new Error(`${what}: no case in the answer`);
  }
  return {
    id: summary.id,
    version: Number(summary.version),
    status: String(summary.status),
    communityCode: summary.communityCode,
    streetCode: summary.streetCode,
    etag: answer.etag,
  };
}

// ---------------------------------------------------------------------------------------------
// Realistic reports
// ---------------------------------------------------------------------------------------------

const PROBLEMS: string[] = [
  "{place}的井盖不见了，晚上路过很危险，请尽快处理",
  "{place}有一个井盖松动破损，车辆经过时响声很大",
  "{place}雨水井盖下沉，已经有电动车在这里摔倒",
  "{place}有流动摊贩摆摊占道经营，堵住了人行道",
  "{place}水果店把货架摆到店外占道经营，行人只能走机动车道",
  "{place}早餐摊每天早上占道经营，油烟和垃圾很多",
  "{place}的垃圾桶满了好几天没人清理，气味很大",
  "{place}有人乱倒建筑垃圾，堆了一大堆",
  "{place}垃圾清运不及时，周边污水横流",
  "{place}的路灯坏了好几盏，晚上一片漆黑",
  "{place}路灯白天一直亮着，浪费电",
  "{place}路灯杆被车撞歪了，有倒下的危险",
  "{place}工地夜间施工噪音太大，影响居民休息",
  "{place}广场舞音响声音太大，晚上十点还没停",
  "{place}酒吧深夜噪音扰民，多次反映没有改善",
];
const ROADS = ["北京路", "东风东路", "白塔路", "金星立交", "穿金路", "万华路", "青年路", "盘江西路", "小康大道", "联盟路"];
const SPOTS = ["小区门口", "公交站旁", "菜市场门口", "学校对面", "十字路口", "人行道上", "停车场入口", "便利店门前"];
const SURNAMES = ["李", "王", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡"];

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

function description(): string {
  const place = `${pick(ROADS)}${1 + Math.floor(Math.random() * 300)}号${pick(SPOTS)}`;
  return pick(PROBLEMS).replace("{place}", place);
}

function reporter(): { name: string; phone: string } {
  const phone = `1${pick(["3", "5", "7", "8"])}${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}`;
  return { name: `${pick(SURNAMES)}${pick(["先生", "女士"])}`, phone };
}

const POINTS_PER_GRID = 4;

type Place = { gridCode: string; communityCode: string; streetCode: string; lat: number; lng: number };

/**
 * Points inside the demo grids: a few per grid, within about 100 m of its interior point and still in
 * the same grid, so that reports of one grid do not all fall on one spot.
 */
async function demoPlaces(running: Running): Promise<Place[]> {
  const grids = await running.ctx.db.selectFrom("grids").select(["code", "community_code"]).orderBy("code").execute();
  const places: Place[] = [];
  for (const grid of grids) {
    const interior = running.ctx.grids.interiorPoint(grid.code);
    if (!interior) continue;
    const [lng, lat] = interior;
    const base = { gridCode: grid.code, communityCode: grid.community_code, streetCode: ancestorCode(grid.code, "street") };
    places.push({ ...base, lat, lng });
    for (let attempt = 0, found = 1; attempt < 12 && found < POINTS_PER_GRID; attempt++) {
      const candidate = { lat: lat + (Math.random() - 0.5) * 0.002, lng: lng + (Math.random() - 0.5) * 0.002 };
      if (running.ctx.grids.locate(candidate.lng, candidate.lat)?.grid.code !== grid.code) continue;
      places.push({ ...base, ...candidate });
      found++;
    }
  }
  if (places.length === 0) throw new Error("The demo district has no grids");
  return places;
}

const intakeBody = (place: Place) => ({
  description: description(),
  location: { lat: place.lat, lng: place.lng, crs: "wgs84" },
  reporter: reporter(),
});

// ---------------------------------------------------------------------------------------------
// The three measurements
// ---------------------------------------------------------------------------------------------

type BenchPlain = {
  id: string;
  region_code: string;
  number: string;
  description: string;
  lat: number;
  lng: number;
  created_at: Generated<Date>;
};

/** Single-row INSERTs into a table of the bench's own, through the app's Kysely instance. */
async function plainInserts(running: Running, places: Place[]): Promise<Load> {
  const db = running.ctx.db.withTables<{ bench_plain: BenchPlain }>();
  await sql`drop table if exists bench_plain`.execute(db);
  await sql`
    create table bench_plain (
      id uuid primary key,
      region_code text,
      number text,
      description text,
      lat float8,
      lng float8,
      created_at timestamptz default now()
    )`.execute(db);
  let counter = 0;
  try {
    return await measure(CLIENTS, async () => {
      const place = pick(places);
      await db
        .insertInto("bench_plain")
        .values({
          id: uuidv7(),
          region_code: ancestorCode(place.gridCode, "district"),
          number: String(++counter).padStart(5, "0"),
          description: description(),
          lat: place.lat,
          lng: place.lng,
        })
        .execute();
    });
  } finally {
    await sql`drop table if exists bench_plain`.execute(db);
  }
}

type Lifecycles = { lifecycles: Load; transitions: number; transitionLatencies: number[]; transitionErrors: number };

/**
 * Whole loops through HTTP: a seat operator reports, the community accepts, registers, dispatches to
 * itself, acknowledges and handles, a supervisor of the street verifies, the seat operator evaluates.
 */
async function lifecycles(client: Client, running: Running, places: Place[], seatCookie: string, password: string): Promise<Lifecycles> {
  const supervisors = await running.ctx.db
    .selectFrom("users")
    .select(["username", "scope_code"])
    .where("username", "like", "supervisor-%")
    .orderBy("username")
    .execute();
  const supervisorOf = new Map<string, string>();
  for (const row of supervisors) if (row.scope_code && !supervisorOf.has(row.scope_code)) supervisorOf.set(row.scope_code, row.username);

  const communities = [...new Set(places.map((place) => place.communityCode))]
    .filter((code) => supervisorOf.has(ancestorCode(code, "street")))
    .sort(() => Math.random() - 0.5)
    .slice(0, LIFECYCLE_COMMUNITIES);
  const chosen = places.filter((place) => communities.includes(place.communityCode));
  const cookies = new Map<string, string>([["seat-01", seatCookie]]);
  const usernames = new Set(communities.flatMap((code) => [`community-${code}`, supervisorOf.get(ancestorCode(code, "street")) ?? ""]));
  await Promise.all([...usernames].map(async (username) => cookies.set(username, await client.login(username, password))));
  const cookieOf = (username: string) => cookies.get(username) ?? "";

  let transitions = 0;
  let transitionErrors = 0;
  const transitionLatencies: number[] = [];
  const act = async (username: string, current: CaseSummary & { etag: string }, body: Record<string, unknown>) => {
    const begun = performance.now();
    try {
      const answer = await client.post(`/api/v1/cases/${current.id}/transitions`, body, { cookie: cookieOf(username), "if-match": current.etag });
      const next = caseOf(answer, 200, `${body.action} by ${username}`);
      transitionLatencies.push(performance.now() - begun);
      transitions++;
      return next;
    } catch (error) {
      transitionErrors++;
      throw error;
    }
  };

  const lifecycle = async () => {
    const place = pick(chosen);
    const community = `community-${place.communityCode}`;
    const supervisor = supervisorOf.get(place.streetCode) ?? "";
    let current = caseOf(await client.post("/api/v1/cases", intakeBody(place), { cookie: seatCookie }), 201, "intake");
    current = await act(community, current, { action: "accept" });
    current = await act(community, current, { action: "register" });
    current = await act(community, current, { action: "dispatch", to: { divisionCode: current.communityCode } });
    current = await act(community, current, { action: "acknowledge" });
    current = await act(community, current, { action: "handle", note: "已到现场处理完毕", publicNote: true });
    current = await act(supervisor, current, { action: "verify_pass" });
    current = await act("seat-01", current, { action: "evaluate", satisfaction: "satisfied" });
    if (current.status !== "evaluated") throw new Error(`The lifecycle ended in ${current.status}`);
  };
  await drive(WARM_UP_SECONDS, LIFECYCLES, lifecycle);
  transitions = 0;
  transitionErrors = 0;
  transitionLatencies.length = 0;
  const load = await drive(SECONDS, LIFECYCLES, lifecycle);
  return { lifecycles: load, transitions, transitionLatencies, transitionErrors };
}

/** The three measurements on one database, printed under its name. */
async function benchDatabase(kind: Kind, label: string, target: DatabaseTarget, attachmentsDir: string): Promise<void> {
  // One seat operator's session stands for a whole call centre: the per-user limit is lifted.
  const config: Config = { ...loadConfig({ LOG_LEVEL: "warn", ATTACHMENTS_DIR: attachmentsDir, STAFF_REQUESTS_PER_MINUTE: "1000000" }), database: target };
  const prepareStarted = performance.now();
  const running = await prepare(config, { demo: true });
  try {
    await running.app.listen({ port: 0, host: "127.0.0.1" });
    const address = running.app.server.address();
    const client = new Client(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
    const places = await demoPlaces(running);
    const seatCookie = await client.login("seat-01", config.demoPassword);
    console.log(
      `${label}: demo district ready in ${fmt((performance.now() - prepareStarted) / 1000, 1)} s, ` +
        `${new Set(places.map((place) => place.gridCode)).size} grids; ${SECONDS} s measured after ${WARM_UP_SECONDS} s warm-up`,
    );

    const intake = await measure(CLIENTS, async () => {
      caseOf(await client.post("/api/v1/cases", intakeBody(pick(places)), { cookie: seatCookie }), 201, "intake");
    });
    console.log(`  intake over HTTP (POST /api/v1/cases as seat-01, ${CLIENTS} clients): ${fmt(rate(intake))} cases/s, ${intake.done} cases, ${latency(intake.latencies)}, ${errorNote(intake)}`);

    const plain = await plainInserts(running, places);
    console.log(`  plain single-row INSERT (same Kysely instance, ${CLIENTS} at a time): ${fmt(rate(plain))} rows/s, ${latency(plain.latencies)}, ${errorNote(plain)}`);
    const ratio = rate(intake) / rate(plain);
    console.log(
      `  intake / plain: ${fmt(ratio, 3)} (aim ≥ ${AIM_RATIO}: ${ratio >= AIM_RATIO ? "met" : "missed"}); ` +
        `intake aim ≥ ${fmt(AIMS[kind], 0)} cases/s on ${label}: ${rate(intake) >= AIMS[kind] ? "met" : "missed"}`,
    );

    const loops = await lifecycles(client, running, places, seatCookie, config.demoPassword);
    const done = loops.lifecycles;
    console.log(
      `  whole lifecycles (intake + 7 transitions, ${LIFECYCLES} at a time): ${fmt(rate(done), 1)} lifecycles/s, ` +
        `${fmt(loops.transitions / done.seconds)} transitions/s; lifecycle ${latency(done.latencies)}; ` +
        `transition ${latency(loops.transitionLatencies)}; ${errorNote(done)}, ${loops.transitionErrors} failed transitions`,
    );
  } finally {
    await running.stop();
  }
}

/**
 * Intake throughput over HTTP against a plain INSERT loop on the same database, and whole case
 * lifecycles per second: on PGlite, and on PostgreSQL when DATABASE_URL is set.
 */
export async function run(): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-intake-"));
  try {
    await benchDatabase("pglite", "PGlite", { kind: "pglite", dataDir: path.join(scratch, "data") }, path.join(scratch, "attachments"));
    const url = process.env.DATABASE_URL?.trim();
    if (url) {
      await withFreshPostgres(url, (fresh) => benchDatabase("postgres", "PostgreSQL", { kind: "postgres", url: fresh }, path.join(scratch, "attachments")));
    } else {
      console.log("PostgreSQL: skipped (set DATABASE_URL to measure it too)");
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import {
  AliasNode,
  CompiledQuery,
  DeleteQueryNode,
  InsertQueryNode,
  RawNode,
  SelectQueryNode,
  sql,
  TableNode,
  UpdateQueryNode,
  type Generated,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from "kysely";
import { uuidv7 } from "../server/src/ids.ts";
import { loadConfig, type Config } from "../server/src/config.ts";
import type { DatabaseTarget } from "../server/src/db/database.ts";
import { resolveActor } from "../server/src/http/authentication.ts";
import type { NearbyCase } from "../server/src/modules/cases/cases.repository.ts";
import { IntakeBody } from "../server/src/modules/cases/cases.routes.ts";
import { activeCategories } from "../server/src/modules/cases/categories.service.ts";
import { ReportWriter } from "../server/src/modules/cases/report-writer.ts";
import { distanceMeters, searchTerms, suggestCategories, termSimilarity, termsOf } from "../server/src/modules/cases/text.ts";
import { ancestorCode } from "../server/src/modules/divisions/division-codes.ts";
import { toWgs84 } from "../server/src/modules/grids/grids.service.ts";
import { prepare, type Running } from "../server/src/server.ts";
import { Client, drive, errorNote, fmt, latency, withFreshPostgres, type Answer, type Load } from "./lib.ts";

/** Intake and the minimal route take turns, ROUNDS times ROUND_SECONDS each. */
const ROUNDS = 3;
const ROUND_SECONDS = 4;
/** Lifecycles are measured for SECONDS; every measurement follows a warm-up thrown away. */
const SECONDS = 10;
const WARM_UP_SECONDS = 1;
/** Concurrent clients of intake and of the minimal route. */
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
// The limit: the same body over HTTP into one row
// ---------------------------------------------------------------------------------------------

type BenchMinimal = {
  id: string;
  region_code: string;
  description: string;
  lat: number;
  lng: number;
  reporter_name: string | null;
  reporter_phone: string | null;
  created_at: Generated<Date>;
};

const MINIMAL_ROUTE = "/bench/minimal";

/**
 * Adds to the app, before it listens, a route that does the least an intake must: the same public,
 * limited route options (so the same session lookup), the same body schema, one single-row INSERT
 * into a table of the bench's own through the app's Kysely instance, and a small JSON answer.
 */
async function addMinimalRoute(running: Running): Promise<{ drop(): Promise<void> }> {
  const db = running.ctx.db.withTables<{ bench_minimal: BenchMinimal }>();
  await sql`drop table if exists bench_minimal`.execute(db);
  await sql`
    create table bench_minimal (
      id uuid primary key,
      region_code text not null,
      description text not null,
      lat float8 not null,
      lng float8 not null,
      reporter_name text,
      reporter_phone text,
      created_at timestamptz not null default now()
    )`.execute(db);
  running.app.withTypeProvider<TypeBoxTypeProvider>().post(
    MINIMAL_ROUTE,
    { config: { public: true, limited: true }, schema: { hide: true, body: IntakeBody } },
    async (request, reply) => {
      await resolveActor(request);
      const { location, reporter: who, description: text } = request.body;
      const id = uuidv7();
      await db
        .insertInto("bench_minimal")
        .values({
          id,
          region_code: "530103",
          description: text,
          lat: location?.lat ?? 0,
          lng: location?.lng ?? 0,
          reporter_name: who?.name ?? null,
          reporter_phone: who?.phone ?? null,
        })
        .execute();
      return reply.status(201).send({ id });
    },
  );
  return { drop: async () => void (await sql`drop table if exists bench_minimal`.execute(db)) };
}

// ---------------------------------------------------------------------------------------------
// Where the time goes
// ---------------------------------------------------------------------------------------------

const INTAKE_STATEMENT = "intake statement (counter, cases, rollup, event, nearby cases)";

/** What a written report's statement answered: its place and terms, and the open cases near it. */
type WrittenSample = { lat: number; lng: number; search_text: string; nearby: NearbyCase[] };

/**
 * Watches the app's queries from the outside (a Kysely plugin on the context's instance): how many
 * of each kind, the time from issue to answer (waiting for a connection included), and the intake
 * statement of the last batches, to be explained and to time the duplicate ranking on.
 */
class QueryTap implements KyselyPlugin {
  recording = false;
  readonly kinds = new Map<string, { count: number; ms: number; rows: number }>();
  readonly samples: WrittenSample[] = [];
  lastBatch: { node: RootOperationNode; reports: number } | undefined;
  private readonly issued = new Map<string, { kind: string; node: RootOperationNode; at: number }>();

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    if (this.recording) this.issued.set(queryId.queryId, { kind: kindOf(node), node, at: performance.now() });
    return node;
  }

  async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const issued = this.issued.get(queryId.queryId);
    if (!issued) return result;
    this.issued.delete(queryId.queryId);
    const entry = this.kinds.get(issued.kind) ?? { count: 0, ms: 0, rows: 0 };
    this.kinds.set(issued.kind, entry);
    entry.count++;
    entry.ms += performance.now() - issued.at;
    entry.rows += result.rows.length;
    if (issued.kind === INTAKE_STATEMENT) {
      this.lastBatch = { node: issued.node, reports: result.rows.length };
      for (const row of result.rows as unknown as WrittenSample[]) this.samples.push(row);
      this.samples.splice(0, Math.max(0, this.samples.length - 500));
    }
    return result;
  }

  reset(): void {
    this.kinds.clear();
    this.samples.length = 0;
  }
}

function tableName(node: OperationNode | undefined): string | undefined {
  if (!node) return undefined;
  if (TableNode.is(node)) return node.table.identifier.name;
  if (AliasNode.is(node)) return tableName(node.node);
  return undefined;
}

/** A query's kind for the breakdown: its statement and first table, or the intake statement. */
function kindOf(node: RootOperationNode): string {
  if (SelectQueryNode.is(node)) {
    const ctes = node.with?.expressions.map((cte) => cte.name.table.table.identifier.name) ?? [];
    if (ctes.includes("counter") && ctes.includes("inserted")) return INTAKE_STATEMENT;
    return `select ${tableName(node.from?.froms[0]) ?? "?"}${ctes.length ? ` with ${ctes.join(", ")}` : ""}`;
  }
  if (RawNode.is(node)) {
    const text = node.sqlFragments.join("?");
    return text.includes("insert into cases") ? INTAKE_STATEMENT : `sql ${text.trim().slice(0, 40)}`;
  }
  if (InsertQueryNode.is(node)) return `insert ${tableName(node.into)}`;
  if (UpdateQueryNode.is(node)) return `update ${tableName(node.table)}`;
  if (DeleteQueryNode.is(node)) return `delete ${tableName(node.from.froms[0])}`;
  return node.kind;
}

type PlanNode = {
  "Node Type": string;
  "Subplan Name"?: string;
  "Parent Relationship"?: string;
  "Relation Name"?: string;
  "Actual Total Time": number;
  "Actual Loops": number;
  Plans?: PlanNode[];
};
type Explained = { Plan: PlanNode; "Planning Time": number; "Execution Time": number; Triggers?: { "Trigger Name": string; Time: number }[] };

const rollback = new Error("rolled back");

/**
 * The last intake batch run again under EXPLAIN ANALYZE inside a transaction that is rolled back,
 * with fresh ids: the statement's time by part.
 */
async function explainBatch(running: Running, node: RootOperationNode): Promise<Explained> {
  const compiled = running.ctx.db.getExecutor().compileQuery(node, { queryId: "explain" });
  // Every id in the statement (in parameters of their own or inside a JSON one) replaced, consistently.
  const fresh = new Map<string, string>();
  const renew = (id: string) => fresh.get(id) ?? fresh.set(id, uuidv7()).get(id) ?? id;
  const parameters = compiled.parameters.map((value) =>
    typeof value === "string" ? value.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, renew) : value,
  );
  let explained: Explained | undefined;
  await running.ctx.db
    .transaction()
    .execute(async (trx) => {
      const result = await trx.executeQuery<{ "QUERY PLAN": Explained[] }>(
        CompiledQuery.raw(`explain (analyze, format json) ${compiled.sql}`, parameters),
      );
      explained = result.rows[0]["QUERY PLAN"][0];
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
  if (!explained) throw new Error("EXPLAIN gave no plan");
  return explained;
}

const PARTS: Record<string, string> = {
  "CTE report": "reading the batch",
  "CTE counter": "day counter",
  "CTE inserted": "cases insert (numbers, routing, indexes)",
  "CTE counted": "status rollup",
  "CTE event": "first event",
};

/** The statement's parts: its CTEs, the nearby-cases subquery of its answer, triggers, planning. */
function statementParts(explained: Explained): [string, number][] {
  const parts = new Map<string, number>();
  const add = (name: string, ms: number) => parts.set(name, (parts.get(name) ?? 0) + ms);
  const walk = (plan: PlanNode, inCte: boolean) => {
    for (const child of plan.Plans ?? []) {
      const name = child["Subplan Name"];
      const ms = child["Actual Total Time"] * child["Actual Loops"];
      if (name && PARTS[name]) {
        add(PARTS[name], ms);
        walk(child, true);
      } else if (name && !inCte && child["Parent Relationship"] === "SubPlan") {
        add("duplicate search (open cases near each report)", ms);
      } else walk(child, inCte);
    }
  };
  walk(explained.Plan, false);
  for (const trigger of explained.Triggers ?? []) add(`trigger ${trigger["Trigger Name"]}`, trigger.Time);
  add("planning", explained["Planning Time"]);
  add("execution in all", explained["Execution Time"]);
  return [...parts];
}

/** Mean milliseconds per call of `work` over the items, run a few times over. */
function timePerItem<T>(items: readonly T[], work: (item: T) => unknown): number {
  let sink = 0;
  const began = performance.now();
  for (let round = 0; round < 5; round++) for (const item of items) sink += work(item) ? 1 : 0;
  return (performance.now() - began) / (5 * items.length) + (sink < 0 ? 1 : 0);
}

/** Where an intake's time goes: the server's work per report, each phase measured on its own. */
async function printBreakdown(running: Running, tap: QueryTap, places: Place[], intakes: number, seconds: number): Promise<void> {
  const ctx = running.ctx;
  const bodies = Array.from({ length: 2000 }, () => intakeBody(pick(places)));
  const categories = (await activeCategories(ctx.db)).filter((category) => category.parent_code !== null);
  const locateMs = timePerItem(bodies, (body) => {
    const [lng, lat] = toWgs84(body.location.lng, body.location.lat, "wgs84");
    return ctx.grids.locate(lng, lat);
  });
  const termsMs = timePerItem(bodies, (body) => searchTerms(` ${body.description}`));
  const suggestMs = timePerItem(bodies, (body) => suggestCategories(body.description, categories)[0]);
  const samples = tap.samples.length ? tap.samples : [];
  const rankMs = samples.length
    ? timePerItem(samples, (sample) => {
        const terms = termsOf(sample.search_text);
        return sample.nearby
          .filter((row) => distanceMeters(sample.lat, sample.lng, row.lat, row.lng) <= ctx.config.duplicates.radiusMeters)
          .map((row) => termSimilarity(terms, termsOf(row.search_text)))
          .filter((similarity) => similarity >= ctx.config.duplicates.minSimilarity).length;
      })
    : Number.NaN;
  const nearbyRows = samples.reduce((sum, sample) => sum + sample.nearby.length, 0) / Math.max(1, samples.length);
  const nearbyBytes = samples.reduce((sum, sample) => sum + JSON.stringify(sample.nearby).length, 0) / Math.max(1, samples.length);
  const perReport = 1000 / (intakes / seconds);

  console.log(`  where an intake's time goes (${fmt(intakes, 0)} reports; ${fmt(perReport, 3)} ms of wall clock each):`);
  console.log(`    locating (CRS + grid index): ${fmt(locateMs, 4)} ms per report, on the server thread`);
  console.log(`    segmentation (search terms): ${fmt(termsMs, 4)} ms; category suggestion: ${fmt(suggestMs, 4)} ms`);
  console.log(
    `    duplicate ranking in the server (distances, similarity of ${fmt(nearbyRows, 1)} nearby cases, ${fmt(nearbyBytes / 1024, 1)} KiB read each): ${fmt(rankMs, 4)} ms`,
  );
  console.log("    round trips per report (time from issue to answer, waiting for the connection included):");
  for (const [kind, entry] of [...tap.kinds].sort(([, a], [, b]) => b.ms - a.ms)) {
    console.log(
      `      ${kind}: ${fmt(entry.count / intakes, 3)} per report, ${fmt(entry.ms / entry.count, 2)} ms each` +
        (kind === INTAKE_STATEMENT ? `, ${fmt(entry.rows / entry.count, 1)} reports per batch` : ""),
    );
  }
  if (tap.lastBatch) {
    const parts = statementParts(await explainBatch(running, tap.lastBatch.node))
      .map(([name, ms]) => `${name} ${fmt(ms, 2)} ms`)
      .join("; ");
    console.log(`    the last batch (${tap.lastBatch.reports} reports) again under EXPLAIN ANALYZE (rolled back): ${parts}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Lifecycles
// ---------------------------------------------------------------------------------------------

type Lifecycles = { lifecycles: Load; transitions: number; transitionLatencies: number[]; transitionErrors: number };

/**
 * Whole loops through HTTP: a seat operator reports, the community accepts, registers, dispatches to
 * itself, acknowledges and handles, a supervisor of the street verifies, the seat operator evaluates.
 */
async function lifecycles(
  client: Client,
  running: Running,
  places: Place[],
  seatCookie: string,
  password: string,
  measuring: () => void,
): Promise<Lifecycles> {
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
  measuring();
  transitions = 0;
  transitionErrors = 0;
  transitionLatencies.length = 0;
  const load = await drive(SECONDS, LIFECYCLES, lifecycle);
  return { lifecycles: load, transitions, transitionLatencies, transitionErrors };
}

/** Intake against the minimal route, where the intake's time goes, and lifecycles, on one database. */
async function benchDatabase(kind: Kind, label: string, target: DatabaseTarget, attachmentsDir: string): Promise<void> {
  // One seat operator's session stands for a whole call centre: the per-user limit is lifted.
  const config: Config = { ...loadConfig({ LOG_LEVEL: "warn", ATTACHMENTS_DIR: attachmentsDir, STAFF_REQUESTS_PER_MINUTE: "1000000" }), database: target };
  const prepareStarted = performance.now();
  const running = await prepare(config, { demo: true });
  try {
    // Before the app listens: the tap on the context's queries, and the minimal route beside intake.
    const tap = new QueryTap();
    running.ctx.db = running.ctx.db.withPlugin(tap);
    running.ctx.reports = new ReportWriter(running.ctx.db, config.duplicates);
    const minimal = await addMinimalRoute(running);
    await running.app.listen({ port: 0, host: "127.0.0.1" });
    const address = running.app.server.address();
    const client = new Client(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
    const places = await demoPlaces(running);
    const seatCookie = await client.login("seat-01", config.demoPassword);
    console.log(
      `${label}: demo district ready in ${fmt((performance.now() - prepareStarted) / 1000, 1)} s, ` +
        `${new Set(places.map((place) => place.gridCode)).size} grids; intake and the minimal route take ${ROUNDS} turns ` +
        `of ${ROUND_SECONDS} s each, after ${WARM_UP_SECONDS} s warm-up of each`,
    );

    const intakeOnce = async () => {
      caseOf(await client.post("/api/v1/cases", intakeBody(pick(places)), { cookie: seatCookie }), 201, "intake");
    };
    const minimalOnce = async () => {
      const answer = await client.post(MINIMAL_ROUTE, intakeBody(pick(places)), { cookie: seatCookie });
      if (answer.status !== 201) throw new Error(`minimal: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
    };
    await drive(WARM_UP_SECONDS, CLIENTS, intakeOnce);
    await drive(WARM_UP_SECONDS, CLIENTS, minimalOnce);
    // Turns, so that a neighbour's load on the machine falls on both alike.
    const intake = emptyLoad();
    const limit = emptyLoad();
    // The CPU time of this process (the server, the clients, PGlite's worker) per request of each:
    // unlike rates, it hardly changes when other processes load the machine.
    const busy = { intake: 0, limit: 0 };
    const busyMs = async (work: () => Promise<Load>): Promise<[Load, number]> => {
      const before = process.cpuUsage();
      const load = await work();
      const used = process.cpuUsage(before);
      return [load, (used.user + used.system) / 1000];
    };
    for (let round = 0; round < ROUNDS; round++) {
      tap.recording = true;
      const [intakeRound, intakeBusy] = await busyMs(() => drive(ROUND_SECONDS, CLIENTS, intakeOnce));
      tap.recording = false;
      const [limitRound, limitBusy] = await busyMs(() => drive(ROUND_SECONDS, CLIENTS, minimalOnce));
      addLoad(intake, intakeRound);
      addLoad(limit, limitRound);
      busy.intake += intakeBusy;
      busy.limit += limitBusy;
    }
    await minimal.drop();
    const ratio = rate(intake) / rate(limit);
    console.log(`  intake (POST /api/v1/cases as seat-01, ${CLIENTS} clients): ${fmt(rate(intake))} cases/s, ${latency(intake.latencies)}, ${errorNote(intake)}`);
    console.log(
      `  minimal route (POST ${MINIMAL_ROUTE}: same body, same clients, one INSERT): ${fmt(rate(limit))} rows/s, ${latency(limit.latencies)}, ${errorNote(limit)}`,
    );
    console.log(
      `  intake / minimal route: ${fmt(ratio, 3)} (aim ≥ ${AIM_RATIO}: ${ratio >= AIM_RATIO ? "✓" : "✗"}); ` +
        `intake aim ≥ ${fmt(AIMS[kind], 0)} cases/s on ${label}: ${rate(intake) >= AIMS[kind] ? "✓" : "✗"}`,
    );
    const cpuRatio = busy.limit / limit.done / (busy.intake / intake.done);
    console.log(
      `  CPU time of the process (server, clients${kind === "pglite" ? ", PGlite" : ""}): ${fmt(busy.intake / intake.done, 3)} ms per intake, ` +
        `${fmt(busy.limit / limit.done, 3)} ms per minimal request: ${fmt(cpuRatio, 3)}× (aim ≥ ${AIM_RATIO}: ${cpuRatio >= AIM_RATIO ? "✓" : "✗"})`,
    );
    await printBreakdown(running, tap, places, intake.done, intake.seconds);

    const loops = await lifecycles(client, running, places, seatCookie, config.demoPassword, () => {
      tap.reset();
      tap.recording = true;
    });
    tap.recording = false;
    const done = loops.lifecycles;
    console.log(
      `  whole lifecycles (intake + 7 transitions, ${LIFECYCLES} at a time): ${fmt(rate(done), 1)} lifecycles/s, ` +
        `${fmt(loops.transitions / done.seconds)} transitions/s; lifecycle ${latency(done.latencies)}; ` +
        `transition ${latency(loops.transitionLatencies)}; ${errorNote(done)}, ${loops.transitionErrors} failed transitions`,
    );
    // Sessions are cached and intakes batched: what remains is the transitions' own path.
    const perTransition = [...tap.kinds]
      .filter(([kind]) => kind !== INTAKE_STATEMENT)
      .sort(([, a], [, b]) => b.count - a.count)
      .map(([kind, entry]) => `${kind} ${fmt(entry.count / Math.max(1, loops.transitions), 2)} (${fmt(entry.ms / entry.count, 2)} ms)`);
    console.log(`  queries per transition (time from issue to answer): ${perTransition.join("; ")}`);
  } finally {
    await running.stop();
  }
}

const emptyLoad = (): Load => ({ done: 0, errors: 0, latencies: [], seconds: 0, firstError: null });

function addLoad(total: Load, load: Load): void {
  total.done += load.done;
  total.errors += load.errors;
  total.seconds += load.seconds;
  total.latencies.push(...load.latencies);
  total.firstError ??= load.firstError;
}

/**
 * Intake throughput over HTTP against the least a route can do with the same body in the same
 * server, where the intake's time goes, and whole case lifecycles per second: on PGlite, and on
 * PostgreSQL when DATABASE_URL is set.
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

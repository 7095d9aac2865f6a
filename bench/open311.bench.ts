import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadConfig, type Config } from "../server/src/config.ts";
import type { DatabaseTarget } from "../server/src/db/database.ts";
import { createApiKey } from "../server/src/modules/auth/api-keys.service.ts";
import { prepare, type Running } from "../server/src/server.ts";
import { Client, drive, errorNote, fmt, latency, withFreshPostgres, type Load } from "./lib.ts";

/**
 * npm run bench open311: Open311 `POST requests` (form-encoded, api_key, XML answer) beside the
 * native intake `POST /api/v1/cases` in the same run, taking turns, on PGlite and on PostgreSQL
 * when DATABASE_URL is set. Both file the same kind of report under a category; the aim is an
 * Open311 throughput of at least 0.8 of the native intake's.
 */

const ROUNDS = 3;
const ROUND_SECONDS = 4;
const WARM_UP_SECONDS = 1;
const CLIENTS = 16;
const AIM_RATIO = 0.8;

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];
const PROBLEMS = ["路灯坏了，晚上一片漆黑", "垃圾桶满了好几天没人清理", "人行道上有流动摊贩占道经营", "井盖松动，车辆经过响声很大", "绿化带里堆了建筑垃圾"];
const description = () => `${pick(["北京路", "白塔路", "青年路", "联盟路"])}${1 + Math.floor(Math.random() * 300)}号：${pick(PROBLEMS)}`;
const phone = () => `13${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}`;

type Point = { lat: number; lng: number };

/** A form post over keep-alive HTTP, as an Open311 client sends one; answers the status and the text. */
function postForm(agent: http.Agent, url: string, form: URLSearchParams): Promise<{ status: number; text: string }> {
  const payload = Buffer.from(form.toString());
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: "POST", agent, headers: { "content-type": "application/x-www-form-urlencoded", "content-length": payload.length } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

async function points(running: Running): Promise<Point[]> {
  const grids = await running.ctx.db.selectFrom("grids").select("code").orderBy("code").execute();
  return grids.flatMap((grid) => {
    const interior = running.ctx.grids.interiorPoint(grid.code);
    return interior ? [{ lng: interior[0], lat: interior[1] }] : [];
  });
}

const emptyLoad = (): Load => ({ done: 0, errors: 0, latencies: [], seconds: 0, firstError: null });
function addLoad(total: Load, load: Load): void {
  total.done += load.done;
  total.errors += load.errors;
  total.seconds += load.seconds;
  total.latencies.push(...load.latencies);
  total.firstError ??= load.firstError;
}

async function benchDatabase(label: string, target: DatabaseTarget, attachmentsDir: string): Promise<void> {
  // One key and one seat operator stand for a whole client and call centre: their limits are lifted.
  const config: Config = {
    ...loadConfig({ LOG_LEVEL: "warn", ATTACHMENTS_DIR: attachmentsDir, STAFF_REQUESTS_PER_MINUTE: "1000000", API_KEY_REQUESTS_PER_MINUTE: "1000000" }),
    database: target,
  };
  const running = await prepare(config, { demo: true });
  try {
    await running.app.listen({ port: 0, host: "127.0.0.1" });
    const address = running.app.server.address();
    const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const client = new Client(base);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    const seat = await running.ctx.db.selectFrom("users").select("id").where("username", "=", "seat-01").executeTakeFirstOrThrow();
    const { key } = await createApiKey(running.ctx, null, seat.id, { name: "bench", organisation: "Open311 client" });
    const seatCookie = await client.login("seat-01", config.demoPassword);
    // A public category that needs no photo and asks no required question: both paths file the same report.
    const categories = await running.ctx.db.selectFrom("categories").select(["code", "questions"]).where("parent_code", "is not", null).where("photo_required", "=", false).where("public", "=", true).orderBy("code").execute();
    const category = categories.find((row) => !(row.questions ?? []).some((question) => question.required));
    if (!category) throw new Error("No category to report under");
    const places = await points(running);

    const open311Once = async () => {
      const place = pick(places);
      const form = new URLSearchParams({
        api_key: key,
        jurisdiction_id: "530103",
        service_code: category.code,
        lat: String(place.lat),
        long: String(place.lng),
        description: description(),
        last_name: pick(["李", "王", "张"]),
        first_name: "先生",
        phone: phone(),
        email: "resident@example.org",
      });
      const answer = await postForm(agent, `${base}/open311/v2/requests.xml`, form);
      if (answer.status !== 200 || !answer.text.includes("<service_request_id>")) throw new Error(`open311: ${answer.status} ${answer.text.slice(0, 200)}`);
    };
    const intakeOnce = async () => {
      const place = pick(places);
      const answer = await client.post(
        "/api/v1/cases",
        { description: description(), categoryCode: category.code, source: "api", location: { ...place, crs: "wgs84" }, reporter: { name: "李先生", phone: phone() } },
        { cookie: seatCookie },
      );
      if (answer.status !== 201) throw new Error(`intake: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
    };
    console.log(`${label}: ${places.length} grids; Open311 and the native intake take ${ROUNDS} turns of ${ROUND_SECONDS} s, ${CLIENTS} clients each, after ${WARM_UP_SECONDS} s warm-up`);
    await drive(WARM_UP_SECONDS, CLIENTS, open311Once);
    await drive(WARM_UP_SECONDS, CLIENTS, intakeOnce);
    const open311 = emptyLoad();
    const intake = emptyLoad();
    for (let round = 0; round < ROUNDS; round++) {
      addLoad(open311, await drive(ROUND_SECONDS, CLIENTS, open311Once));
      addLoad(intake, await drive(ROUND_SECONDS, CLIENTS, intakeOnce));
    }
    const rate = (load: Load) => load.done / load.seconds;
    const ratio = rate(open311) / rate(intake);
    console.log(`  Open311 POST requests.xml (form, api_key): ${fmt(rate(open311))} requests/s, ${latency(open311.latencies)}, ${errorNote(open311)}`);
    console.log(`  native POST /api/v1/cases (JSON, session): ${fmt(rate(intake))} cases/s, ${latency(intake.latencies)}, ${errorNote(intake)}`);
    console.log(`  Open311 / native intake: ${fmt(ratio, 3)} (aim ≥ ${AIM_RATIO}: ${ratio >= AIM_RATIO ? "✓" : "✗"})`);
    agent.destroy();
  } finally {
    await running.stop();
  }
}

export async function run(): Promise<void> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-open311-"));
  try {
    await benchDatabase("PGlite", { kind: "pglite", dataDir: path.join(scratch, "data") }, path.join(scratch, "attachments"));
    const url = process.env.DATABASE_URL?.trim();
    if (url) await withFreshPostgres(url, (fresh) => benchDatabase("PostgreSQL", { kind: "postgres", url: fresh }, path.join(scratch, "attachments")));
    else console.log("PostgreSQL: skipped (set DATABASE_URL to measure it too)");
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();

// The map of cases with 50,000 open cases in scope: the points endpoint's latency (full answer and
// 304), and in Chromium the time to the first drawn points and the frame times while panning. On
// PGlite, and with DATABASE_URL or --postgres <url> on PostgreSQL too. --cases <n> changes the count.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { sql } from "kysely";
import { chromium, type Page } from "playwright-core";
import { createContext } from "../server/src/create-context.ts";
import { loadConfig } from "../server/src/config.ts";
import { openDatabase, type DatabaseTarget } from "../server/src/db/database.ts";
import { migrate } from "../server/src/db/migrate.ts";
import { ensureCategories } from "../server/src/modules/cases/categories.service.ts";
import { seedDemoDistrict } from "../server/src/modules/demo/demo.seed.ts";
import { REPO_ROOT, startServer } from "../server/test/cli.ts";
import { Client, fmt, percentile, withFreshPostgres } from "./lib.ts";

const PASSWORD = "bench-map-pass-1";
const OPEN = ["reported", "accepted", "registered", "dispatched", "in_progress", "handled", "suspended"];
const SOURCES = ["hotline", "grid_worker", "supervisor_patrol", "resident_app", "camera"];

const option = (name: string) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};

/**
 * The demo district and `count` open cases in it, inserted directly (the generator writes whole
 * histories, most of them closed): each at a random point of a random grid, with deadlines spread
 * from two days past to eight days ahead, so that every light shows.
 */
export async function seed(target: DatabaseTarget, count: number): Promise<void> {
  const config = { ...loadConfig({ LOG_LEVEL: "warn" }), database: target };
  const database = await openDatabase(target);
  try {
    await migrate(database.db);
    await ensureCategories(database.db);
    await seedDemoDistrict(createContext(database.db, config), PASSWORD);
    // One statement: the cases spread over the grids in turn, each at a random point of its grid.
    await sql`insert into cases (region_code, id, number, status, level, source, title, description, search_text, lat, lng,
        grid_code, community_code, street_code, tracking_token_hash, accept_by, dispatch_by, feedback_by, handle_by, created_at)
      select g.region_code, gen_random_uuid(), g.region_code || '-20250101-' || lpad(s::text, 5, '0'),
        (${OPEN}::text[])[1 + s % ${OPEN.length}], 'community', (${SOURCES}::text[])[1 + s % ${SOURCES.length}],
        '压测案件', '地图压测生成的在办案件', '压测 案件',
        g.min_lat + random() * (g.max_lat - g.min_lat), g.min_lng + random() * (g.max_lng - g.min_lng),
        g.code, g.community_code, left(g.community_code, 9), 'bench',
        c.at, c.at, d.at, d.at, c.at
      from generate_series(1, ${count}::int) as s
      join (select row_number() over (order by code) - 1 as k, count(*) over () as n, * from grids) as g on g.k = s % g.n
      cross join lateral (select now() - random() * interval '30 days' as at) as c
      cross join lateral (select now() + (random() * 10 - 2) * interval '1 day' as at) as d`.execute(database.db);
    await sql`analyze cases`.execute(database.db);
  } finally {
    await database.close();
  }
}

/** Records the time between animation frames in window.__frameTimes until window.__recording is false. */
const RECORD_FRAMES = `(() => {
  window.__frameTimes = [];
  window.__recording = true;
  let last = performance.now();
  const tick = (now) => {
    window.__frameTimes.push(now - last);
    last = now;
    if (window.__recording) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

/** The columns the map of cases asks for (web/src/console/map/early-reads.ts). */
const MAP_FIELDS = "lng,lat,status,light";

/** Half-level steps in from the district's view for the second pan: to about a street's scale. */
const ZOOM_STEPS = 7;

type Figure = { name: string; value: number; unit: string; aim?: number };

function print(label: string, figures: Figure[]): void {
  console.log(`\n### ${label}`);
  console.log("| measure | value | aim | |");
  console.log("|---|---:|---|---|");
  for (const f of figures) {
    console.log(`| ${f.name} | ${fmt(f.value, f.unit === "ms" ? 1 : 0)} ${f.unit} | ${f.aim === undefined ? "" : `≤ ${fmt(f.aim, 0)} ${f.unit}`} | ${f.aim === undefined ? "" : f.value <= f.aim ? "✓" : "✗"} |`);
  }
}

/** p95 of `times` sequential calls, and the size of the answer. */
async function endpoint(client: Client, cookie: string, count: number): Promise<Figure[]> {
  const full: number[] = [];
  const notModified: number[] = [];
  let etag = "";
  let answered = 0;
  for (let k = 0; k < 20; k++) {
    const started = performance.now();
    const answer = await client.request("GET", "/api/v1/cases/points", undefined, { cookie });
    full.push(performance.now() - started);
    etag = answer.etag ?? "";
    answered = (answer.body as { count: number }).count;
  }
  if (answered !== count) throw new Error(`The endpoint answered ${answered} points, not ${count}`);
  // A light that changes meanwhile (a deadline passing, at most once a minute) is a new answer: then the new ETag.
  for (let k = 0; notModified.length < 20 && k < 60; k++) {
    const started = performance.now();
    const answer = await client.request("GET", "/api/v1/cases/points", undefined, { cookie, "if-none-match": etag });
    if (answer.status === 304) notModified.push(performance.now() - started);
    else etag = answer.etag ?? "";
  }
  // The map's own query: only the columns it draws.
  const narrow: number[] = [];
  for (let k = 0; k < 20; k++) {
    const started = performance.now();
    await client.request("GET", `/api/v1/cases/points?fields=${MAP_FIELDS}`, undefined, { cookie });
    narrow.push(performance.now() - started);
  }
  return [
    { name: `GET /api/v1/cases/points, ${fmt(count, 0)} points, gzip (p95 of 20)`, value: percentile(full, 95), unit: "ms" },
    { name: `the same, the map's columns (fields=${MAP_FIELDS}; p95 of 20)`, value: percentile(narrow, 95), unit: "ms" },
    { name: "the same with its ETag: 304 (p95 of 20)", value: percentile(notModified, 95), unit: "ms" },
  ];
}

/** Drags the map by `dx`, `dy` pixels in small steps, as a hand does. */
async function drag(page: Page, from: { x: number; y: number }, dx: number, dy: number): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + dx, from.y + dy, { steps: 24 });
  await page.mouse.up();
}

/** First visits and return visits measured, each in a new browser context. */
const VISITS = 5;

type Network = { latency: number; downloadThroughput: number; uploadThroughput: number };

/** A street office's line to the district's server, as Chromium emulates it: added latency per request, bytes per second. */
const DISTRICT_NETWORK: Network = { latency: 30, downloadThroughput: 20e6 / 8, uploadThroughput: 10e6 / 8 };

const times = (values: number[]) => values.map((value) => fmt(value, 0)).join(", ");

/**
 * Navigates to the map and waits for the points: `count` cases drawn on the canvas and counted in
 * the legend. A mutation observer notes when the draw that showed them happened; the clock is read
 * in the first animation frame that starts after it, once the frame that drew them has been
 * painted and handed on. A poll alone would be a frame late whenever it ran before the draw in the
 * same frame, and a call made after the wait to read the clock would queue behind whatever the
 * page does next (the filters' categories, the bell) and count that too.
 */
async function firstRender(page: Page, url: string, count: number): Promise<number> {
  await page.goto(`${url}/console/map`);
  const renderedAt = await page.waitForFunction(
    (expected) => {
      const state = window as { gridgovDrawnAt?: number; gridgovObserver?: MutationObserver };
      if (!state.gridgovObserver) {
        state.gridgovObserver = new MutationObserver(() => {
          const canvas = document.querySelector<HTMLCanvasElement>("canvas.case-points");
          const text = document.querySelector(".case-map__count")?.textContent ?? "";
          const drawn = canvas && Number(canvas.dataset.clusters) + Number(canvas.dataset.points) > 0 && text.includes(String(expected));
          if (drawn && state.gridgovDrawnAt === undefined) state.gridgovDrawnAt = performance.now();
        });
        state.gridgovObserver.observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["data-clusters", "data-points"] });
      }
      // The current frame's start: later than the draw only from the frame after the one that drew.
      const frame = Number(document.timeline.currentTime);
      return state.gridgovDrawnAt !== undefined && frame > state.gridgovDrawnAt ? performance.now() : false;
    },
    count,
    { polling: "raf", timeout: 60_000 },
  );
  return (await renderedAt.jsonValue()) as number;
}

/** A new report in `gridCode` through the API, so that the map's next answer is a full one and not the cached one's 304. */
async function report(client: Client, cookie: string, gridCode: string): Promise<void> {
  const answer = await client.request("POST", "/api/v1/cases", { description: "地图压测：返回访问前新报的案件", gridCode }, { cookie });
  if (answer.status !== 201) throw new Error(`The report was refused: ${answer.status}`);
}

async function browser(client: Client, url: string, cookie: string, count: number): Promise<Figure[]> {
  const instance = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  try {
    const [name, value] = cookie.split("=");
    // From the start of navigation to the first frame with the points drawn, in a fresh browser
    // context each time: a first visit (nothing cached), then a return visit (the app's files
    // cached, the points changed meanwhile by a new report). The median of VISITS of each.
    const grids = await client.request("GET", "/api/v1/grids?division=530103", undefined, { cookie });
    const gridCode = (grids.body as { features: { properties: { code: string } }[] }).features[0].properties.code;
    let visited: Page | undefined;
    let expected = count;
    const visits = async (network?: Network) => {
      const first: number[] = [];
      const again: number[] = [];
      for (let visit = 0; visit < VISITS; visit++) {
        await visited?.context().close();
        const context = await instance.newContext({ viewport: { width: 1920, height: 1080 }, locale: "zh-CN" });
        await context.addCookies([{ name, value, url }]);
        const page = await context.newPage();
        visited = page;
        if (network) await (await context.newCDPSession(page)).send("Network.emulateNetworkConditions", { offline: false, ...network });
        first.push(await firstRender(page, url, expected));
        await report(client, cookie, gridCode);
        expected++;
        await page.goto("about:blank");
        again.push(await firstRender(page, url, expected));
      }
      return { first, again };
    };
    const lan = await visits(DISTRICT_NETWORK);
    const { first, again } = await visits();
    // The last return visit's page: its map is panned.
    const page = visited;
    if (!page) throw new Error("No visit");

    const box = await page.locator(".grid-map").boundingBox();
    if (!box) throw new Error("No map");
    const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    const panFrames = async () => {
      // As a string: the bench runs through a transpiler whose helpers the page does not have.
      await page.evaluate(RECORD_FRAMES);
      for (const [dx, dy] of [[-400, 0], [0, -250], [400, 0], [0, 250], [-300, -200], [300, 200]]) await drag(page, centre, dx, dy);
      return page.evaluate<number[]>("window.__recording = false, window.__frameTimes.slice(1)");
    };
    const symbols = () =>
      page.locator("canvas.case-points").evaluate((canvas: HTMLCanvasElement) => ({
        zoom: Number(canvas.dataset.zoom),
        text: `zoom ${canvas.dataset.zoom}: ${canvas.dataset.clusters} clusters, ${canvas.dataset.points} single cases`,
      }));
    const district = await symbols();
    const districtFrames = await panFrames();
    // Closer in, where clusters break up into single cases: the zoom control's steps (half a level
    // each), each awaited until drawn, so that every run pans the same view with the same symbols.
    for (let k = 1; k <= ZOOM_STEPS; k++) {
      await page.locator(".leaflet-control-zoom-in").click();
      await page.waitForFunction((zoom) => Number(document.querySelector<HTMLCanvasElement>("canvas.case-points")?.dataset.zoom) === zoom, district.zoom + k / 2, {
        polling: "raf",
      });
    }
    const street = await symbols();
    const streetFrames = await panFrames();
    return [
      { name: `first render of the points, first visit (median of ${VISITS}, from navigation, sign-in not included; ${times(first)} ms)`, value: percentile(first, 50), unit: "ms", aim: 1500 },
      { name: `first render of the points, return visit with one more case (median of ${VISITS}; ${times(again)} ms)`, value: percentile(again, 50), unit: "ms", aim: 1500 },
      { name: `the same over a district network (${DISTRICT_NETWORK.latency} ms more per round trip, 20 Mbit/s): first visit (${times(lan.first)} ms)`, value: percentile(lan.first, 50), unit: "ms" },
      { name: `the same over a district network: return visit (${times(lan.again)} ms)`, value: percentile(lan.again, 50), unit: "ms" },
      { name: `frame time while panning, district view (${district.text}; p95 of ${districtFrames.length} frames)`, value: percentile(districtFrames, 95), unit: "ms", aim: 33 },
      { name: `frame time while panning, ${ZOOM_STEPS} zoom steps in (${street.text}; p95 of ${streetFrames.length} frames)`, value: percentile(streetFrames, 95), unit: "ms", aim: 33 },
      { name: "longest frame while panning", value: Math.max(...districtFrames, ...streetFrames), unit: "ms" },
    ];
  } finally {
    await instance.close();
  }
}

async function benchDatabase(label: string, target: DatabaseTarget, env: Record<string, string>, count: number): Promise<void> {
  const seeding = performance.now();
  await seed(target, count);
  console.log(`\n${label}: ${fmt(count, 0)} open cases inserted in ${fmt((performance.now() - seeding) / 1000, 1)} s`);
  const server = await startServer({ ...env, GRIDGOV_DEMO_PASSWORD: PASSWORD });
  try {
    const client = new Client(server.url);
    const login = await client.request("POST", "/api/v1/auth/login", { username: "dispatcher", password: PASSWORD });
    const cookie = login.cookies[0]?.split(";")[0] ?? "";
    if (!cookie) throw new Error(`Sign-in failed: ${login.status}`);
    const figures = await endpoint(client, cookie, count);
    figures.push(...(await browser(client, server.url, cookie, count)));
    print(`${label}, ${fmt(count, 0)} open cases`, figures);
  } finally {
    await server.stop();
  }
}

export async function run(): Promise<void> {
  const count = Number(option("--cases") ?? 50_000);
  if (!Number.isInteger(count) || count < 1 || count > 100_000) throw new Error("--cases takes a count from 1 to 100000");
  if (!fs.existsSync(path.join(REPO_ROOT, "web/dist/index.html"))) throw new Error("web/dist/index.html is missing: run `npm run build -w web` first");
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-map-"));
  try {
    const dataDir = path.join(scratch, "data");
    await benchDatabase("PGlite", { kind: "pglite", dataDir }, { DATA_DIR: dataDir, DATABASE_URL: "" }, count);
    const url = option("--postgres") ?? process.env.DATABASE_URL?.trim();
    if (url) {
      // The browser's figures too: on the embedded database a first visit's reads run one at a time,
      // on PostgreSQL, what district servers run, side by side.
      await withFreshPostgres(url, (fresh) => benchDatabase("PostgreSQL", { kind: "postgres", url: fresh }, { DATABASE_URL: fresh, DATA_DIR: "" }, count));
    } else {
      console.log("PostgreSQL: skipped (set DATABASE_URL or --postgres <url> to measure it too)");
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await run();

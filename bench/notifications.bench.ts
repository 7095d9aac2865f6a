// npm run bench notifications: how fast the follower derives notifications from the case event
// log, what a pass costs when the log has nothing new, and the bell's own query. On
// PGlite, with generated case histories replayed into the log as if they had just happened.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { createContext } from "../server/src/create-context.ts";
import { loadConfig } from "../server/src/config.ts";
import { openDatabase } from "../server/src/db/database.ts";
import { migrate } from "../server/src/db/migrate.ts";
import { ensureCategories } from "../server/src/modules/cases/categories.service.ts";
import { generateCases } from "../server/src/modules/demo/case-seed.ts";
import { seedDemoDistrict } from "../server/src/modules/demo/demo.seed.ts";
import { listNotifications, unreadCount } from "../server/src/modules/notifications/notifications.repository.ts";
import { fmt, percentile } from "./lib.ts";

const CASES = Number(process.env.NOTIFICATION_BENCH_CASES ?? 2000);

async function timed(times: number, work: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let k = 0; k < times; k++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return samples;
}

const summary = (samples: number[]) => `p50 ${fmt(percentile(samples, 50), 2)} ms, p99 ${fmt(percentile(samples, 99), 2)} ms`;

export async function run(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gridgov-bench-notifications-"));
  const target = { kind: "pglite" as const, dataDir };
  const config = { ...loadConfig({ LOG_LEVEL: "warn" }), database: target };
  const database = await openDatabase(target);
  try {
    await migrate(database.db);
    await ensureCategories(database.db);
    const ctx = createContext(database.db, config);
    await seedDemoDistrict(ctx, config.demoPassword);
    await generateCases(database, { cases: CASES, seed: 7 });
    // The generated histories skip the log (past events are not news): replay them into it, in time order.
    const { rows } = await sql<{ entries: number }>`
      with replayed as (
        insert into case_event_log (region_code, position, event_id, case_id, number, action, status, level, street_code, community_code, grid_code, department_code)
        select e.region_code, row_number() over (order by e.at, e.id), e.id, c.id, c.number, e.action, e.to_status, e.level, c.street_code, c.community_code, c.grid_code, c.department_code
        from case_events e join cases c on c.region_code = e.region_code and c.id = e.case_id
        returning position
      )
      select count(*)::int as entries from replayed`.execute(database.db);
    const entries = rows[0].entries;
    await sql`insert into case_event_log_heads (region_code, position) values ('530103', ${entries})`.execute(database.db);

    const started = performance.now();
    const counts = await ctx.notifications.followAll();
    const seconds = (performance.now() - started) / 1000;
    console.log(`follower: ${fmt(counts.entries, 0)} log entries (${CASES} generated cases) in ${fmt(seconds, 2)} s = ${fmt(counts.entries / seconds, 0)} entries/s; wrote ${fmt(counts.notifications, 0)} notifications and ${fmt(counts.messages, 0)} outbound messages`);

    const idle = await timed(200, () => ctx.notifications.followAll());
    console.log(`a pass (the wake-up after a write) when nothing is new: ${summary(idle)}`);
    const busiest = await sql<{ user_id: string; n: number }>`select user_id, count(*)::int as n from notifications group by user_id order by n desc limit 1`.execute(database.db);
    const user = busiest.rows[0];
    const bell = await timed(200, () => Promise.all([listNotifications(database.db, user.user_id, { unreadOnly: false, limit: 31 }), unreadCount(database.db, user.user_id)]));
    console.log(`the bell's read for the user with the most notifications (${fmt(user.n, 0)}): ${summary(bell)}`);
  } finally {
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();

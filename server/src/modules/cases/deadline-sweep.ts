import { sql, type Kysely } from "kysely";
import type { AppContext } from "../../context.ts";
import type { DB } from "../../db/schema.ts";
import { calendarFor } from "./calendars.ts";
import { insertCaseEvent } from "./cases.repository.ts";
import { deadlineStatus, nearDueLimit } from "./deadlines.ts";

const BATCH = 500;

/** Statuses whose deadline runs; suspended cases are left out: their clock stands still. */
const SWEPT = ["reported", "accepted", "registered", "dispatched", "in_progress", "handled"] as const;

/**
 * Marks open cases near due and overdue on the working calendar and writes one urge (督办) event
 * for each change, in one transaction. It reads only cases whose state is due to change: near due
 * and past the deadline, or on time with a deadline at most four working hours away (on the most
 * generous of the regions' calendars), and locks them only when one of them changes.
 */
export async function sweepDeadlines(ctx: AppContext, now = new Date()): Promise<{ nearDue: number; overdue: number }> {
  const regions = await ctx.db.selectFrom("divisions").select("code").where("level", "=", "district").execute();
  const nearDueUntil = new Date(Math.max(now.getTime(), ...regions.map(({ code }) => nearDueLimit(now, calendarFor(code)).getTime())));
  // One query per state, each a range of its own index in deadline order (cases_sweep_on_time,
  // cases_sweep_near_due): as one query with OR the planner misjudges how many running cases match.
  const candidates = async (db: Kysely<DB>, lock: boolean) => {
    const due = (state: "on_time" | "near_due", until: Date, inclusive: boolean) =>
      db
        .selectFrom("cases")
        .select(["region_code", "id", "status", "level", "handle_by", "deadline_state"])
        .where("status", "in", SWEPT)
        .where("deadline_state", "=", state)
        .where("handle_by", inclusive ? "<=" : "<", until)
        .orderBy("handle_by")
        .limit(BATCH)
        .$if(lock, (query) => query.forUpdate())
        .execute();
    const rows = [...(await due("near_due", now, false)), ...(await due("on_time", nearDueUntil, true))];
    // Within the generous bound, only cases whose state changes on their own region's calendar.
    return rows.flatMap((row) => {
      const state = deadlineStatus(row.handle_by, now, calendarFor(row.region_code));
      return state === "on_time" || state === row.deadline_state ? [] : [{ ...row, state }];
    });
  };
  // Most minutes nothing changes: a read without locks says so, and only a change takes the locks.
  if ((await candidates(ctx.db, false)).length === 0) return { nearDue: 0, overdue: 0 };
  return ctx.db.transaction().execute(async (trx) => {
    // In region order: each region's event log head is locked at commit in the order of the events.
    const changing = (await candidates(trx, true)).sort((a, b) => a.region_code.localeCompare(b.region_code));
    const counts = { nearDue: 0, overdue: 0 };
    for (const { state, ...row } of changing) {
      // The case's version stays: the deadline state is derived, not an edit anyone could conflict with.
      await trx.updateTable("cases").set({ deadline_state: state }).where("region_code", "=", row.region_code).where("id", "=", row.id).execute();
      await insertCaseEvent(trx, {
        regionCode: row.region_code,
        caseId: row.id,
        actorId: null,
        action: "urge",
        from: row.status,
        to: row.status,
        level: row.level,
        note: state === "overdue" ? "已超期，自动督办" : "即将到期，自动提醒",
        details: { automatic: true, deadline: state, handleBy: row.handle_by.toISOString() },
      });
      counts[state === "overdue" ? "overdue" : "nearDue"]++;
    }
    return counts;
  });
}

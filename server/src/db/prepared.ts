import crypto from "node:crypto";
import type { Compilable, Kysely } from "kysely";
import type pg from "pg";
import type { DB } from "./schema.ts";

/**
 * Named statements for the hottest reads (a case by id, public tracking, a queue's page). A
 * statement Kysely sends is parsed, analysed and planned again on every call; for a case read the
 * planning alone cost more than running it (0.5–1 ms against 0.05–0.25 ms at a million cases, on
 * a table with two dozen indexes), and a queue's page of 51 cases took 0.3 ms to parse and
 * 0.8–1.3 ms to plan against 0.5 ms to run. A named statement is parsed once per connection and,
 * after a few calls, run from its generic plan, which for a lookup by key or a walk of one index
 * in order is the same plan.
 *
 * Kysely has no way to name a statement, so the name travels in front of the text as a comment
 * that the pool's clients read (`preparingPool`); anything else passes through untouched.
 */
const PREFIX = "/*prepared:";

/** Statement names by text: a name always stands for one text (a connection refuses a name reused for another). */
const names = new Map<string, string>();

function nameOf(label: string, text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `${label}_${crypto.createHash("sha1").update(text).digest("hex").slice(0, 12)}`;
    names.set(text, name);
  }
  return name;
}

/** Runs `query` as the named statement `label` (plus a digest of its text, which varies with the actor's scope). */
export async function executePrepared<R>(db: Kysely<DB>, label: string, query: Compilable<R>): Promise<R[]> {
  const compiled = query.compile();
  const { rows } = await db.executeQuery<R>({ ...compiled, sql: `${PREFIX}${nameOf(label, compiled.sql)}*/${compiled.sql}` });
  return rows;
}

const prepared = new WeakSet<pg.PoolClient>();

/** Lets a client send the statements `executePrepared` names as named statements. */
function preparing(client: pg.PoolClient): pg.PoolClient {
  if (prepared.has(client)) return client;
  prepared.add(client);
  const query = client.query.bind(client) as (config: unknown, values?: unknown) => unknown;
  const named = (text: unknown, values: unknown) => {
    if (typeof text !== "string" || !text.startsWith(PREFIX)) return query(text, values);
    const end = text.indexOf("*/");
    return query({ name: text.slice(PREFIX.length, end), text: text.slice(end + 2), values });
  };
  client.query = named as typeof client.query;
  return client;
}

/** The pool as Kysely's dialect uses it (`connect` and `end`), its clients preparing named statements. */
export function preparingPool(pool: pg.Pool): pg.Pool {
  return {
    connect: async () => preparing(await pool.connect()),
    end: () => pool.end(),
  } as unknown as pg.Pool;
}

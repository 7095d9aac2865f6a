import { sql, type Kysely } from "kysely";

/** Below this many rows written, a table's statistics are left to autovacuum. */
const MIN_ROWS = 1_000;
/** From this many rows in its statistics, every plan of a lookup by key reads the table's index. */
const SETTLED_ROWS = 10_000;

/**
 * Keeps a table's planner statistics in step with a bulk write into it. PostgreSQL plans each
 * connection's foreign-key checks once and keeps that plan until the table's statistics change: a
 * plan made while `cases` was nearly empty reads the whole table for every check, so a first
 * import into a new district slowed down batch by batch (the checks of 500 cases from 44 ms to
 * 3.9 s) until autovacuum analysed the table, up to a minute later. While the statistics count
 * fewer than 10,000 rows, `wrote` analyses the table each time the write has doubled it (and at
 * least 1,000 rows were written): a few cheap analyses of a small table, none of a large one.
 */
export function keepStatistics<DB>(db: Kysely<DB>, table: string) {
  let counted: number | null = null;
  let written = 0;
  return {
    async wrote(rows: number): Promise<void> {
      counted ??= await estimatedRows(db, table);
      written += rows;
      if (counted >= SETTLED_ROWS || written < Math.max(MIN_ROWS, counted)) return;
      await sql`analyze ${sql.table(table)}`.execute(db);
      counted = await estimatedRows(db, table);
      written = 0;
    },
  };
}

/** The rows the table's statistics count (none before its first analysis). */
async function estimatedRows<DB>(db: Kysely<DB>, table: string): Promise<number> {
  const { rows } = await sql<{ rows: number }>`select greatest(reltuples, 0)::float8 as rows from pg_class where oid = to_regclass(${table})`.execute(db);
  return Number(rows[0]?.rows ?? 0);
}

/** Pages a table holds before its statistics are kept by `analyseGrownTables`. */
const MIN_PAGES = 8;

/**
 * Analyses each table that has at least doubled since its statistics were taken, or has none yet,
 * and answers how many. The embedded database has no autovacuum: without this nothing would ever
 * analyse its tables, and a plan it caches (a foreign-key check's, for the server's whole life)
 * would keep the table sizes it saw first. The scheduler runs it on PGlite, where PostgreSQL's
 * autovacuum would have done it.
 */
export async function analyseGrownTables<DB>(db: Kysely<DB>): Promise<number> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r'
      and pg_relation_size(c.oid) / current_setting('block_size')::int >= greatest(${MIN_PAGES}, 2 * c.relpages)
    order by c.relname`.execute(db);
  for (const { name } of rows) await sql`analyze ${sql.table(name)}`.execute(db);
  return rows.length;
}

import { sql } from "kysely";
import { describe, expect, it, onTestFinished } from "vitest";
import { openTestDatabase, withAdmin } from "./databases.ts";

// Only a PostgreSQL server can end a connection from outside; the embedded database has one, its own.
describe("a PostgreSQL connection pool", () => {
  it("outlives the server ending its idle connections, and answers the next query on a new one", async () => {
    const { database, dispose } = await openTestDatabase("empty");
    onTestFinished(dispose);
    const backend = async () => (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db)).rows[0].pid;
    const before = await backend();
    const uncaught: unknown[] = [];
    const listener = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", listener);
    try {
      await withAdmin((client) => client.query("select pg_terminate_backend($1)", [before]));
      // The idle client hears of its end asynchronously; give it the moment it needs.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await backend()).not.toBe(before);
      expect(uncaught).toEqual([]);
    } finally {
      process.off("uncaughtException", listener);
    }
  });
});

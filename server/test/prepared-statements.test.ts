import { sql } from "kysely";
import { describe, expect, it, onTestFinished } from "vitest";
import { executePrepared } from "../src/db/prepared.ts";
import { openTestDatabase } from "./databases.ts";

describe("named statements", () => {
  it("are prepared once per connection and answer like the statement itself", async () => {
    const { database, dispose } = await openTestDatabase("empty");
    onTestFinished(dispose);
    await database.db.connection().execute(async (db) => {
      const query = (code: string) => db.selectNoFrom(sql<string>`${code}::text`.as("echo"));
      expect(await executePrepared(db, "echo", query("a"))).toEqual([{ echo: "a" }]);
      expect(await executePrepared(db, "echo", query("b"))).toEqual([{ echo: "b" }]);
      const { rows } = await sql<{ name: string }>`select name from pg_prepared_statements where name like 'echo%'`.execute(db);
      expect(rows).toHaveLength(1);
      // Another text under the same label is another statement, never a clash.
      expect(await executePrepared(db, "echo", db.selectNoFrom(sql<number>`1`.as("one")))).toEqual([{ one: 1 }]);
    });
  });
});

import crypto from "node:crypto";
import fs from "node:fs";
import { sql, type Kysely } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/database.ts";
import type { DB } from "../src/db/schema.ts";
import { canonicalJson, entryHash, plainJson, type StoredEntry } from "../src/modules/audit/audit-chain.ts";
import { auditPages, writeAudit, type AuditEntry } from "../src/modules/audit/audit.repository.ts";
import { verifyAuditChain } from "../src/modules/audit/audit.service.ts";
import { gridgov } from "./cli.ts";
import { copyTemplate, openTestDatabase } from "./databases.ts";
import { createTestApp, type TestApp } from "./test-app.ts";

const REGION = "530103";
const CHAIN_MIGRATION = new URL("../src/db/migrations/20261202-0006-audit-chain.sql", import.meta.url);

const disposers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const dispose of disposers) await dispose();
});

/** A private migrated database with nothing in the audit log. */
async function emptyDatabase(): Promise<Kysely<DB>> {
  const { database, dispose } = await openTestDatabase("empty");
  disposers.push(dispose);
  return database.db;
}

const entry = (n: number, regionCode = REGION): AuditEntry => ({
  regionCode,
  actorId: null,
  action: "test.step",
  targetType: "test",
  targetId: `step-${n}`,
  details: { n },
});

async function appendSix(db: Kysely<DB>): Promise<{ seq: number; id: string }[]> {
  for (let n = 1; n <= 6; n++) await writeAudit(db, entry(n));
  return db.selectFrom("audit_log").select(["seq", "id"]).where("region_code", "=", REGION).orderBy("seq").execute();
}

/** Changes the log as its owner or a superuser could: with the append-only triggers switched off. */
async function tamper(db: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<unknown>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`alter table audit_log disable trigger user`.execute(trx);
    await work(trx);
    await sql`alter table audit_log enable trigger user`.execute(trx);
  });
}

async function problemIn(db: Kysely<DB>, regionCode = REGION) {
  const report = await verifyAuditChain(db);
  expect(report.intact).toBe(false);
  return report.regions.find((region) => region.region === regionCode)?.problem;
}

describe("the audit chain, through the API", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp("demo");
  });
  afterAll(() => t.close());

  it("chains sign-ins, refused sign-ins and new API keys, with no gaps, ending at the head", async () => {
    const cookie = await t.login("admin");
    const refused = await t.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username: "leader", password: "wrong-password" } });
    expect(refused.statusCode).toBe(401);
    const key = await t.app.inject({ method: "POST", url: "/api/v1/api-keys", headers: { cookie }, payload: { name: "chain test", organisation: "test" } });
    expect(key.statusCode).toBe(201);

    const report = await verifyAuditChain(t.ctx.db);
    expect(report.intact).toBe(true);
    const rows = await t.ctx.db
      .selectFrom("audit_log")
      .select(["region_code", "seq", "action", "prev_hash", "hash"])
      .where("region_code", "=", REGION)
      .orderBy("seq")
      .execute();
    expect(rows.map((row) => row.seq)).toEqual(rows.map((_row, index) => index + 1));
    for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).toBe(rows[i - 1].hash);
    expect(rows.map((row) => row.action)).toEqual(expect.arrayContaining(["auth.login", "auth.login_failed", "api_key.create"]));
    const head = await t.ctx.db.selectFrom("audit_chain_heads").selectAll().where("region_code", "=", REGION).executeTakeFirstOrThrow();
    expect(head).toEqual({ region_code: REGION, seq: rows.length, hash: rows.at(-1)?.hash });
    expect(report.regions.find((region) => region.region === REGION)).toEqual({
      region: REGION,
      entries: rows.length,
      legacyEntries: 0,
      headSeq: head.seq,
      headHash: head.hash,
      problem: null,
    });
  });

  it("keeps 20 sign-ins at once in one unbroken chain", async () => {
    const before = await t.ctx.db.selectFrom("audit_chain_heads").select("seq").where("region_code", "=", REGION).executeTakeFirstOrThrow();
    await Promise.all(Array.from({ length: 20 }, () => t.login("leader")));
    // And a region's first entries, written at once, agree on one head.
    await Promise.all(Array.from({ length: 20 }, (_, n) => writeAudit(t.ctx.db, entry(n, "530111"))));
    const seqs = await t.ctx.db.selectFrom("audit_log").select(["region_code", "seq"]).where("region_code", "in", [REGION, "530111"]).execute();
    const of = (region: string) => seqs.filter((row) => row.region_code === region).map((row) => row.seq).sort((a, b) => a - b);
    expect(of(REGION).slice(-20)).toEqual(Array.from({ length: 20 }, (_, n) => before.seq + n + 1));
    expect(of("530111")).toEqual(Array.from({ length: 20 }, (_, n) => n + 1));
    expect((await verifyAuditChain(t.ctx.db)).intact).toBe(true);
  });

  it("hashes details that read back from jsonb with other key order and other number spellings", async () => {
    const details = {
      zeta: 1,
      a: [1e21, 1e-7, 0.1, -0, 2.5, { b: true, a: null }],
      "a longer key": "网格 \"quoted\" \\ \n\t😀",
      nested: { "": "empty key", é: 1, Z: 0, B: [] },
      when: new Date("2026-11-22T08:00:00.123Z"),
      dropped: undefined,
    };
    await writeAudit(t.ctx.db, { regionCode: REGION, actorId: null, action: "test.jsonb", targetType: "test", targetId: null, details });
    const row = await t.ctx.db
      .selectFrom("audit_log")
      .select(["details", sql<string>`details::text`.as("text")])
      .where("action", "=", "test.jsonb")
      .executeTakeFirstOrThrow();
    // jsonb has rewritten it: shorter keys first, numbers in plain decimals.
    expect(row.text).toContain('"a": [1000000000000000000000, 0.0000001');
    expect(row.text.indexOf('"a"')).toBeLessThan(row.text.indexOf('"zeta"'));
    expect(canonicalJson(row.details)).toBe(canonicalJson(plainJson(details)));
    expect((await verifyAuditChain(t.ctx.db)).intact).toBe(true);
  });

  it("refuses UPDATE, DELETE and TRUNCATE on the log, and a head that goes back or goes away", async () => {
    const db = t.ctx.db;
    await expect(sql`update audit_log set action = 'auth.logout'`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log where seq = 1`.execute(db)).rejects.toThrow("DELETE on audit_log is refused (the audit log is append-only)");
    await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`update audit_chain_heads set seq = seq - 1`.execute(db)).rejects.toThrow(/only moves forward/);
    await expect(sql`delete from audit_chain_heads`.execute(db)).rejects.toThrow(/never removed/);
    expect((await verifyAuditChain(db)).intact).toBe(true);
  });
});

describe("tampering with the audit log, found by verify", () => {
  it("an edited detail, named by its seq and id", async () => {
    const db = await emptyDatabase();
    const rows = await appendSix(db);
    await tamper(db, (trx) => sql`update audit_log set details = '{"n": 33}' where region_code = ${REGION} and seq = 3`.execute(trx));
    expect(await problemIn(db)).toMatchObject({ kind: "edited", seq: 3, id: rows[2].id });
  });

  it("an entry rewritten with a fresh hash, at the entry after it", async () => {
    const db = await emptyDatabase();
    await appendSix(db);
    const page: StoredEntry[] = [];
    for await (const rows of auditPages(db, REGION)) page.push(...rows);
    const forged = { ...page[2], action: "test.other" };
    const hash = entryHash(forged.prevHash as string, forged);
    await tamper(db, (trx) => sql`update audit_log set action = ${forged.action}, hash = ${hash} where region_code = ${REGION} and seq = 3`.execute(trx));
    expect(await problemIn(db)).toMatchObject({ kind: "broken_link", seq: 4, id: page[3].id });
  });

  it("a deleted entry in the middle, as a gap", async () => {
    const db = await emptyDatabase();
    await appendSix(db);
    await tamper(db, (trx) => sql`delete from audit_log where region_code = ${REGION} and seq = 4`.execute(trx));
    expect(await problemIn(db)).toMatchObject({ kind: "missing", seq: 4, id: null });
  });

  it("two swapped entries, as reordered", async () => {
    const db = await emptyDatabase();
    const rows = await appendSix(db);
    await tamper(db, async (trx) => {
      // Through a free number: (region, seq) is unique at every step.
      await sql`update audit_log set seq = -1 where region_code = ${REGION} and seq = 2`.execute(trx);
      await sql`update audit_log set seq = 2 where region_code = ${REGION} and seq = 5`.execute(trx);
      await sql`update audit_log set seq = 5 where region_code = ${REGION} and seq = -1`.execute(trx);
    });
    const problem = await problemIn(db);
    expect(problem).toMatchObject({ kind: "reordered", seq: 2, id: rows[4].id });
    expect(problem?.message).toContain("written as entry 5");
  });

  it("a deleted last entry, as a head mismatch", async () => {
    const db = await emptyDatabase();
    await appendSix(db);
    await tamper(db, (trx) => sql`delete from audit_log where region_code = ${REGION} and seq = 6`.execute(trx));
    expect(await problemIn(db)).toMatchObject({ kind: "head_mismatch", seq: 6 });
  });

  it("leaves other regions intact", async () => {
    const db = await emptyDatabase();
    await appendSix(db);
    await writeAudit(db, entry(1, "530111"));
    await tamper(db, (trx) => sql`update audit_log set actor_id = ${crypto.randomUUID()} where region_code = ${REGION} and seq = 1`.execute(trx));
    const report = await verifyAuditChain(db);
    expect(report.regions.map((region) => [region.region, region.problem?.kind ?? "intact"])).toEqual([
      [REGION, "edited"],
      ["530111", "intact"],
    ]);
  });
});

describe("entries written before the chain began", () => {
  it("are numbered by the migration, and the first chained entry vouches for them", async () => {
    const db = await emptyDatabase();
    // Back to the log as it was before migration 0006, with entries in it.
    await sql`drop trigger audit_log_append_only on audit_log`.execute(db);
    await sql`drop table audit_chain_heads`.execute(db);
    await sql`drop function refuse_audit_change()`.execute(db);
    await sql`alter table audit_log drop column seq, drop column prev_hash, drop column hash`.execute(db);
    const legacy = (n: number, region: string, at: string) =>
      sql`insert into audit_log (region_code, id, at, actor_id, action, target_type, target_id, details)
          values (${region}, ${crypto.randomUUID()}, ${at}::timestamptz, null, 'legacy.step', 'test', ${`legacy-${n}`}, ${`{"x": 1.0, "n": ${n}}`}::jsonb)`.execute(db);
    // Microseconds, and two entries at the same time (their ids decide).
    await legacy(2, REGION, "2026-11-20T08:00:00.000002Z");
    await legacy(1, REGION, "2026-11-20T08:00:00.000001Z");
    await legacy(3, REGION, "2026-11-21T08:00:00Z");
    await legacy(4, REGION, "2026-11-21T08:00:00Z");
    await legacy(1, "530102", "2026-11-21T09:00:00Z");
    await sql.raw(fs.readFileSync(CHAIN_MIGRATION, "utf8")).execute(db);

    const numbered = await db.selectFrom("audit_log").select(["target_id", "seq", "id", "hash"]).where("region_code", "=", REGION).orderBy("seq").execute();
    expect(numbered.slice(0, 2).map((row) => row.target_id)).toEqual(["legacy-1", "legacy-2"]);
    expect(numbered.map((row) => row.seq)).toEqual([1, 2, 3, 4]);
    expect(numbered[2].id < numbered[3].id).toBe(true);
    expect(numbered.every((row) => row.hash === null)).toBe(true);
    const unsealed = await verifyAuditChain(db);
    expect(unsealed.intact).toBe(true);
    expect(unsealed.regions.find((region) => region.region === REGION)).toMatchObject({ entries: 4, legacyEntries: 4, headSeq: 4 });

    await writeAudit(db, entry(5));
    const sealed = await verifyAuditChain(db);
    expect(sealed.intact).toBe(true);
    expect(sealed.regions.find((region) => region.region === REGION)).toMatchObject({ entries: 5, legacyEntries: 4, headSeq: 5 });
    await expect(sql`update audit_log set action = 'x' where seq = 2`.execute(db)).rejects.toThrow(/append-only/);

    await tamper(db, (trx) => sql`update audit_log set target_id = 'someone-else' where region_code = ${REGION} and seq = 2`.execute(trx));
    expect(await problemIn(db)).toMatchObject({ kind: "edited", seq: 5 });
  });
});

describe("gridgov audit verify", () => {
  it("prints each region's head and exits 0 when intact, 1 naming the region and seq when not", async () => {
    const copy = await copyTemplate("demo");
    disposers.push(copy.dispose);
    const intact = await gridgov(["audit", "verify"], copy.env);
    expect(intact.code, intact.stderr).toBe(0);
    expect(intact.stdout).toMatch(new RegExp(`^${REGION}\\t\\d+ entries\\thead \\d+ [0-9a-f]{64}\\tintact$`, "m"));

    const database = await openDatabase(copy.env.DATABASE_URL ? { kind: "postgres", url: copy.env.DATABASE_URL } : { kind: "pglite", dataDir: copy.env.DATA_DIR });
    try {
      await tamper(database.db, (trx) => sql`update audit_log set action = 'demo.unseed' where region_code = ${REGION} and seq = 1`.execute(trx));
    } finally {
      await database.close();
    }
    const broken = await gridgov(["audit", "verify", "--json"], copy.env);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`audit_chain_broken: The audit chain is broken in region ${REGION} at seq 1 (edited`);
    const report = JSON.parse(broken.stdout);
    expect(report.intact).toBe(false);
    expect(report.regions.find((region: { region: string }) => region.region === REGION).problem).toMatchObject({ kind: "edited", seq: 1 });
  });
});

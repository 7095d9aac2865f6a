import type { Kysely } from "kysely";
import { uuidv7 } from "../../ids.ts";
import type { DB } from "../../db/schema.ts";
import { currentApiKeyId } from "../auth/api-key-attribution.ts";
import { chainTail, entryHash, GENESIS_HASH, plainJson, type ChainedEntry, type ChainHead, type StoredEntry } from "./audit-chain.ts";

export type AuditEntry = {
  regionCode: string;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  details?: Record<string, unknown>;
};

/**
 * Appends one entry to its region's hash chain, inside the caller's transaction (or in one of its
 * own): locks the region's head, hashes the entry after it, inserts it and moves the head. Writers
 * of one region take turns until their transactions end, so the numbers have no gaps. An entry
 * written by a request made with an API key names the key in its details (`apiKeyId`), which the
 * chain covers, so that the key cannot be struck from the entry unnoticed.
 */
export async function writeAudit(db: Kysely<DB>, entry: AuditEntry): Promise<void> {
  if (!db.isTransaction) return db.transaction().execute((trx) => writeAudit(trx, entry));
  const head = await lockChainHead(db, entry.regionCode);
  const written: ChainedEntry = {
    regionCode: entry.regionCode,
    seq: head.seq + 1,
    id: uuidv7(),
    // Set by the app, after the lock, in milliseconds: the stored time reads back exactly as hashed.
    at: new Date(),
    // A uuid column answers in lower case.
    actorId: entry.actorId?.toLowerCase() ?? null,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId,
    details: plainJson(withApiKey(entry.details ?? {})),
  };
  const hash = entryHash(head.hash, written);
  await db
    .insertInto("audit_log")
    .values({
      region_code: written.regionCode,
      seq: written.seq,
      id: written.id,
      at: written.at,
      actor_id: written.actorId,
      action: written.action,
      target_type: written.targetType,
      target_id: written.targetId,
      details: JSON.stringify(written.details),
      prev_hash: head.hash,
      hash,
    })
    .execute();
  await db.updateTable("audit_chain_heads").set({ seq: written.seq, hash }).where("region_code", "=", written.regionCode).execute();
}

function withApiKey(details: Record<string, unknown>): Record<string, unknown> {
  const apiKeyId = currentApiKeyId();
  return apiKeyId && details.apiKeyId === undefined ? { ...details, apiKeyId } : details;
}

/** The region's head, locked until the transaction ends; made on the region's first entry. */
async function lockChainHead(trx: Kysely<DB>, regionCode: string): Promise<ChainHead> {
  const locked = () =>
    trx.selectFrom("audit_chain_heads").select(["seq", "hash"]).where("region_code", "=", regionCode).forUpdate().executeTakeFirst();
  const head = await locked();
  if (head) return head;
  // The chain starts after the region's entries from before it (migration 0006), if any.
  let tail: ChainHead = { seq: 0, hash: GENESIS_HASH };
  for await (const page of auditPages(trx, regionCode)) tail = chainTail(tail, page);
  // A writer that made the head first wins; this insert waits for it and then does nothing.
  await trx
    .insertInto("audit_chain_heads")
    .values({ region_code: regionCode, seq: tail.seq, hash: tail.hash })
    .onConflict((conflict) => conflict.column("region_code").doNothing())
    .execute();
  const made = await locked();
  if (!made) throw new Error(`The audit chain head of region ${regionCode} could not be made`);
  return made;
}

/** A region's entries in seq order, a page at a time. */
export async function* auditPages(db: Kysely<DB>, regionCode: string, pageSize = 1000): AsyncGenerator<StoredEntry[]> {
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = await db
      .selectFrom("audit_log")
      .selectAll()
      .where("region_code", "=", regionCode)
      .where("seq", ">", after)
      .orderBy("seq")
      .limit(pageSize)
      .execute();
    if (rows.length > 0) {
      yield rows.map((row) => ({
        regionCode: row.region_code,
        seq: row.seq,
        id: row.id,
        at: row.at,
        actorId: row.actor_id,
        action: row.action,
        targetType: row.target_type,
        targetId: row.target_id,
        details: row.details,
        prevHash: row.prev_hash,
        hash: row.hash,
      }));
    }
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].seq;
  }
}

/** Every region with entries or a head: its largest number and its head, if any. */
export async function auditRegions(db: Kysely<DB>): Promise<{ regionCode: string; maxSeq: number; head: ChainHead | null }[]> {
  const counted = await db
    .selectFrom("audit_log")
    .select(({ fn }) => ["region_code", fn.max<number>("seq").as("max_seq")])
    .groupBy("region_code")
    .execute();
  const heads = await db.selectFrom("audit_chain_heads").selectAll().execute();
  const regions = new Map<string, { regionCode: string; maxSeq: number; head: ChainHead | null }>();
  for (const row of counted) regions.set(row.region_code, { regionCode: row.region_code, maxSeq: row.max_seq, head: null });
  for (const head of heads) {
    const region = regions.get(head.region_code) ?? { regionCode: head.region_code, maxSeq: 0, head: null };
    region.head = { seq: head.seq, hash: head.hash };
    regions.set(head.region_code, region);
  }
  return [...regions.values()].sort((a, b) => a.regionCode.localeCompare(b.regionCode));
}

/** The region an entry about this scope belongs to: its district code. */
export function regionOf(scopeCode: string | null): string {
  return scopeCode ? scopeCode.slice(0, 6) : "000000";
}

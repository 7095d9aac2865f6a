import crypto from "node:crypto";

/**
 * The audit log's hash chain, without I/O. Each region's entries are numbered 1, 2, 3 … and each
 * entry's hash is SM3(previous hash + canonical form of the entry), so changing, removing or
 * moving an entry changes every hash after it. The first entry follows GENESIS_HASH.
 */
export const GENESIS_HASH = "0".repeat(64);

/** SM3 (GB/T 32905-2016) of the UTF-8 text, as 64 lowercase hex digits. */
export function sm3Hex(text: string): string {
  return crypto.createHash("sm3").update(text, "utf8").digest("hex");
}

/**
 * JSON with object keys sorted (by UTF-16 code units) and no spaces. The input is what JSON.parse
 * gives, so it reads the same from a jsonb column, which reorders keys and rewrites numbers
 * (1.0 → 1, 1e21 → 1000000000000000000000, both parse back to the same number).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`).join(",")}}`;
}

/** What JSON text would turn `details` into: no undefined, Dates as strings, NaN as null. */
export function plainJson(details: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(details)) as Record<string, unknown>;
}

/** The hashed fields of an entry, as written and as read back. */
export type ChainedEntry = {
  regionCode: string;
  seq: number;
  id: string;
  at: Date;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  details: Record<string, unknown>;
};

/** An entry as stored: entries written before the chain began have no hashes. */
export type StoredEntry = ChainedEntry & { prevHash: string | null; hash: string | null };

/** The entry's hash when it follows `prevHash`. `at` counts in milliseconds, as the app sets it. */
export function entryHash(prevHash: string, entry: ChainedEntry): string {
  return sm3Hex(
    prevHash +
      canonicalJson({
        region: entry.regionCode,
        seq: entry.seq,
        id: entry.id,
        at: entry.at.toISOString(),
        actor: entry.actorId,
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId,
        details: entry.details,
      }),
  );
}

export type ChainProblemKind =
  /** the entry no longer hashes to what was recorded for it */
  | "edited"
  /** a number is skipped: entries were removed */
  | "missing"
  /** the entry is intact but was written at another number */
  | "reordered"
  /** the entry is intact but does not follow the one before it, which was rewritten */
  | "broken_link"
  /** the chain does not end where its head says: a truncated tail, or entries added around the head */
  | "head_mismatch";

export type ChainProblem = { kind: ChainProblemKind; seq: number; id: string | null; message: string };

export type ChainHead = { seq: number; hash: string };

/**
 * Checks one region's entries fed in seq order and stops at the first problem. `maxSeq` bounds the
 * search for the number a moved entry was written at.
 */
export class ChainWalker {
  entries = 0;
  /** Entries from before the chain began, hashed here rather than read. */
  legacyEntries = 0;
  lastSeq = 0;
  lastHash = GENESIS_HASH;
  problem: ChainProblem | null = null;
  private lastWasLegacy = false;

  constructor(
    readonly regionCode: string,
    private readonly maxSeq: number,
  ) {}

  /** Takes the next entry; false once a problem was found. */
  add(entry: StoredEntry): boolean {
    if (this.problem) return false;
    const expected = this.lastSeq + 1;
    if (entry.seq < expected) {
      return this.fail("reordered", entry.seq, entry.id, `an entry is numbered ${entry.seq}, before the chain's first`);
    }
    if (entry.seq !== expected) {
      const range = entry.seq - 1 === expected ? `${expected} is` : `${expected}–${entry.seq - 1} are`;
      return this.fail("missing", expected, null, `entry ${range} missing (the next one is ${entry.seq})`);
    }
    if (entry.hash === null || entry.prevHash === null) {
      if (this.entries > this.legacyEntries) {
        return this.fail("edited", entry.seq, entry.id, `entry ${entry.seq} has lost its hash`);
      }
      this.accept(entry, entryHash(this.lastHash, entry), true);
      return true;
    }
    const selfConsistent = entryHash(entry.prevHash, entry) === entry.hash;
    if (entry.prevHash !== this.lastHash) {
      if (selfConsistent && this.lastWasLegacy) {
        return this.fail(
          "edited",
          entry.seq,
          entry.id,
          `an entry before ${entry.seq}, written before the chain began, was changed: entry ${entry.seq} recorded another hash for them`,
        );
      }
      if (selfConsistent) {
        return this.fail("broken_link", entry.seq, entry.id, `entry ${entry.seq} does not follow entry ${entry.seq - 1}, which was rewritten`);
      }
      const writtenAt = this.seqWrittenAt(entry, entry.prevHash, entry.hash);
      if (writtenAt !== null) {
        return this.fail("reordered", entry.seq, entry.id, `entry ${entry.seq} was written as entry ${writtenAt}: entries were reordered`);
      }
      return this.fail("edited", entry.seq, entry.id, `entry ${entry.seq} was changed and does not follow entry ${entry.seq - 1}`);
    }
    if (!selfConsistent) {
      return this.fail("edited", entry.seq, entry.id, `entry ${entry.seq} was changed after it was written`);
    }
    this.accept(entry, entry.hash, false);
    return true;
  }

  /** Compares the end of the chain with its head; the first problem, if any. */
  finish(head: ChainHead | null): ChainProblem | null {
    if (this.problem) return this.problem;
    const sealed = this.entries > this.legacyEntries;
    if (!head) {
      if (sealed) this.fail("head_mismatch", this.lastSeq, null, `the chain has ${this.lastSeq} entries but no head`);
    } else if (head.seq > this.lastSeq) {
      this.fail("head_mismatch", this.lastSeq + 1, null, `the head is at entry ${head.seq} but the chain ends at ${this.lastSeq}: the entries after it are missing`);
    } else if (head.seq < this.lastSeq) {
      this.fail("head_mismatch", head.seq + 1, null, `the chain goes on to entry ${this.lastSeq} past its head at ${head.seq}: entries were added outside the application`);
    } else if (head.hash !== this.lastHash) {
      this.fail("head_mismatch", this.lastSeq, null, `entry ${this.lastSeq} does not have the hash its head recorded`);
    }
    return this.problem;
  }

  private accept(entry: StoredEntry, hash: string, legacy: boolean): void {
    this.entries += 1;
    if (legacy) this.legacyEntries += 1;
    this.lastSeq = entry.seq;
    this.lastHash = hash;
    this.lastWasLegacy = legacy;
  }

  private fail(kind: ChainProblemKind, seq: number, id: string | null, message: string): false {
    this.problem = { kind, seq, id, message };
    return false;
  }

  /** The number an intact entry was hashed at, when it now stands at another one. */
  private seqWrittenAt(entry: ChainedEntry, prevHash: string, hash: string): number | null {
    for (let seq = 1; seq <= this.maxSeq; seq++) {
      if (seq !== entry.seq && entryHash(prevHash, { ...entry, seq }) === hash) return seq;
    }
    return null;
  }
}

/** The hash after a run of entries, whatever they hold: the tail a new head starts from. */
export function chainTail(start: ChainHead, entries: Iterable<StoredEntry>): ChainHead {
  let tail = start;
  for (const entry of entries) tail = { seq: entry.seq, hash: entryHash(tail.hash, entry) };
  return tail;
}

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, chainTail, ChainWalker, entryHash, GENESIS_HASH, plainJson, sm3Hex, type StoredEntry } from "./audit-chain.ts";

describe("sm3Hex", () => {
  it("gives the GB/T 32905-2016 test vectors", () => {
    expect(sm3Hex("abc")).toBe("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    expect(sm3Hex("abcd".repeat(16))).toBe("debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every depth and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it("does not depend on the order keys were written in", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const reversed = JSON.parse(JSON.stringify(value), (_key, inner) =>
          inner && typeof inner === "object" && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).reverse()) : inner,
        );
        expect(canonicalJson(reversed)).toBe(canonicalJson(value));
      }),
    );
  });

  it("is valid JSON that parses back to the same value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const plain = JSON.parse(JSON.stringify(value));
        expect(JSON.parse(canonicalJson(plain))).toEqual(plain);
      }),
    );
  });

  it("writes numbers the way they parse back from any decimal spelling", () => {
    // jsonb answers 1.0 as 1.0 and 1e21 as 1000000000000000000000; JSON.parse reads both back.
    expect(canonicalJson(JSON.parse('{"a":1.0,"b":1000000000000000000000,"c":0.0000001}'))).toBe('{"a":1,"b":1e+21,"c":1e-7}');
  });
});

describe("plainJson", () => {
  it("drops undefined and turns what JSON cannot hold into what JSON text would", () => {
    expect(plainJson({ a: undefined, b: new Date("2026-11-22T01:02:03.004Z"), c: Number.NaN, d: [undefined] })).toEqual({
      b: "2026-11-22T01:02:03.004Z",
      c: null,
      d: [null],
    });
  });
});

const REGION = "530103";

/** An intact chain of `count` entries. */
function chain(count: number): StoredEntry[] {
  const entries: StoredEntry[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const entry = {
      regionCode: REGION,
      seq,
      id: `0190a000-0000-7000-8000-${String(seq).padStart(12, "0")}`,
      at: new Date(Date.UTC(2026, 10, 22, 8, 0, seq)),
      actorId: null,
      action: "auth.login",
      targetType: "user",
      targetId: `user-${seq}`,
      details: { n: seq },
    };
    const hash = entryHash(prevHash, entry);
    entries.push({ ...entry, prevHash, hash });
    prevHash = hash;
  }
  return entries;
}

function walk(entries: StoredEntry[], head = tailOf(entries)) {
  const walker = new ChainWalker(REGION, Math.max(0, ...entries.map((entry) => entry.seq)));
  for (const entry of entries) if (!walker.add(entry)) break;
  return { walker, problem: walker.finish(head) };
}

const tailOf = (entries: StoredEntry[]) => {
  const last = entries.at(-1);
  return last ? { seq: last.seq, hash: last.hash as string } : null;
};

describe("ChainWalker", () => {
  it("accepts an intact chain and ends at its head", () => {
    const entries = chain(5);
    const { walker, problem } = walk(entries);
    expect(problem).toBeNull();
    expect(walker.entries).toBe(5);
    expect(walker.lastHash).toBe(entries[4].hash);
  });

  it("accepts an empty region with no head", () => {
    expect(walk([], null).problem).toBeNull();
  });

  it("finds an entry changed after it was written", () => {
    const entries = chain(5);
    entries[2] = { ...entries[2], details: { n: 99 } };
    expect(walk(entries).problem).toMatchObject({ kind: "edited", seq: 3, id: entries[2].id });
  });

  it("finds an entry rewritten with a fresh hash at the entry after it", () => {
    const entries = chain(5);
    const forged = { ...entries[2], action: "auth.logout" };
    entries[2] = { ...forged, hash: entryHash(forged.prevHash as string, forged) };
    expect(walk(entries).problem).toMatchObject({ kind: "broken_link", seq: 4 });
  });

  it("finds a removed entry as a gap", () => {
    const entries = chain(5);
    entries.splice(1, 2);
    expect(walk(entries).problem).toMatchObject({ kind: "missing", seq: 2, id: null });
  });

  it("finds two entries that swapped numbers, and the number the first was written at", () => {
    const entries = chain(6);
    const [second, fifth] = [entries[1], entries[4]];
    entries[1] = { ...fifth, seq: 2 };
    entries[4] = { ...second, seq: 5 };
    const { problem } = walk(entries);
    expect(problem).toMatchObject({ kind: "reordered", seq: 2, id: fifth.id });
    expect(problem?.message).toContain("written as entry 5");
  });

  it("finds a truncated tail, entries added past the head, and a head with another hash", () => {
    const entries = chain(5);
    expect(walk(entries.slice(0, 4), tailOf(entries)).problem).toMatchObject({ kind: "head_mismatch", seq: 5 });
    expect(walk(entries, { seq: 3, hash: entries[2].hash as string }).problem).toMatchObject({ kind: "head_mismatch", seq: 4 });
    expect(walk(entries, { seq: 5, hash: GENESIS_HASH }).problem).toMatchObject({ kind: "head_mismatch", seq: 5 });
    expect(walk(entries, null).problem).toMatchObject({ kind: "head_mismatch" });
  });

  it("hashes entries from before the chain, and the first chained entry vouches for them", () => {
    const entries = chain(5);
    const legacy = entries.slice(0, 3).map((entry) => ({ ...entry, prevHash: null, hash: null }));
    // The chain began after entry 3: entry 4 follows the hash of entries 1–3 as they were.
    const { walker, problem } = walk([...legacy, ...entries.slice(3)]);
    expect(problem).toBeNull();
    expect(walker.legacyEntries).toBe(3);
    expect(chainTail({ seq: 0, hash: GENESIS_HASH }, legacy)).toEqual({ seq: 3, hash: entries[2].hash });

    legacy[1] = { ...legacy[1], targetId: "someone-else" };
    expect(walk([...legacy, ...entries.slice(3)]).problem).toMatchObject({ kind: "edited", seq: 4 });
    expect(walk(legacy, null).problem).toBeNull();
  });

  it("refuses an entry that lost its hash after the chain began", () => {
    const entries = chain(4);
    entries[2] = { ...entries[2], prevHash: null, hash: null };
    expect(walk(entries).problem).toMatchObject({ kind: "edited", seq: 3 });
  });
});

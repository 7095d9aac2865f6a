import type { Kysely } from "kysely";
import type { DB } from "../../db/schema.ts";
import { ChainWalker, type ChainProblem } from "./audit-chain.ts";
import { auditPages, auditRegions } from "./audit.repository.ts";

export type RegionChainReport = {
  region: string;
  /** Entries found intact, in order, before the first problem (all of them when there is none). */
  entries: number;
  /** Of those, entries from before the chain began, whose hashes were computed here. */
  legacyEntries: number;
  /** The head as recorded, or where the chain ends when the region has no head yet. */
  headSeq: number;
  headHash: string;
  problem: ChainProblem | null;
};

export type AuditChainReport = { intact: boolean; regions: RegionChainReport[] };

/**
 * Recomputes every region's chain in seq order, a page at a time, and compares its end with the
 * region's head. Reads one snapshot, so entries appended meanwhile are left for the next run.
 */
export async function verifyAuditChain(db: Kysely<DB>): Promise<AuditChainReport> {
  if (!db.isTransaction) {
    return db
      .transaction()
      .setIsolationLevel("repeatable read")
      .setAccessMode("read only")
      .execute((trx) => verifyAuditChain(trx));
  }
  const regions: RegionChainReport[] = [];
  for (const { regionCode, maxSeq, head } of await auditRegions(db)) {
    const walker = new ChainWalker(regionCode, Math.max(maxSeq, head?.seq ?? 0));
    walk: for await (const page of auditPages(db, regionCode)) {
      for (const entry of page) if (!walker.add(entry)) break walk;
    }
    const problem = walker.finish(head);
    regions.push({
      region: regionCode,
      entries: walker.entries,
      legacyEntries: walker.legacyEntries,
      headSeq: head?.seq ?? walker.lastSeq,
      headHash: head?.hash ?? walker.lastHash,
      problem,
    });
  }
  return { intact: regions.every((region) => region.problem === null), regions };
}

/** One line per region, for people: the head hash to record elsewhere, or what is wrong. */
export function describeAuditReport(report: AuditChainReport): string {
  const lines = report.regions.map((region) => {
    const legacy = region.legacyEntries > 0 ? ` (${region.legacyEntries} from before the chain)` : "";
    const state = region.problem ? `BROKEN at entry ${region.problem.seq} (${region.problem.kind}): ${region.problem.message}` : "intact";
    return `${region.region}\t${region.entries} entries${legacy}\thead ${region.headSeq} ${region.headHash}\t${state}`;
  });
  if (lines.length === 0) lines.push("the audit log is empty");
  return `${lines.join("\n")}\n`;
}

/** What is wrong, region by region, or null when every chain is intact. */
export function brokenChainMessage(report: AuditChainReport): string | null {
  const broken = report.regions.flatMap(({ region, problem }) =>
    problem ? [`region ${region} at seq ${problem.seq} (${problem.kind}${problem.id ? `, id ${problem.id}` : ""}): ${problem.message}`] : [],
  );
  return broken.length > 0 ? `The audit chain is broken in ${broken.join("; ")}` : null;
}

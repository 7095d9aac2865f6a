import type { Kysely } from "kysely";
import { Batcher } from "../../db/batcher.ts";
import type { DB } from "../../db/schema.ts";
import { insertReportedCases, type NearbyWindow, type NewReport } from "./cases.repository.ts";

type Written = Awaited<ReturnType<typeof insertReportedCases>>[number];

declare module "../../context.ts" {
  interface AppParts {
    reports: ReportWriter;
  }
}

/**
 * Writes reports in batches (`Batcher`): the reports that arrive while batches are written go
 * together in the next statement, which draws their numbers, counts them and writes their first
 * events at once. A failed batch is retried report by report, so that one bad report fails alone.
 */
export class ReportWriter {
  private readonly batcher: Batcher<NewReport, Written>;

  constructor(db: Kysely<DB>, window: NearbyWindow) {
    this.batcher = new Batcher(db, { run: (connection, reports) => insertReportedCases(connection, reports, window), retryAlone: true });
  }

  write(report: NewReport): Promise<Written> {
    return this.batcher.add(report);
  }
}

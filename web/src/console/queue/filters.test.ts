import { describe, expect, it } from "vitest";
import { apiQuery, hasFilters, readFilters, writeFilters } from "./filters";

describe("queue filters in the URL", () => {
  it("read back what they wrote", () => {
    const filters = readFilters(new URLSearchParams("queue=overdue&status=registered,dispatched&category=event.sanitation&level=street&source=hotline&division=530103001&from=2026-11-01&to=2026-11-30&q=井盖"));
    expect(filters).toEqual({
      queue: "overdue",
      statuses: ["registered", "dispatched"],
      category: "event.sanitation",
      level: "street",
      source: "hotline",
      division: "530103001",
      from: "2026-11-01",
      to: "2026-11-30",
      q: "井盖",
    });
    expect(readFilters(writeFilters(filters))).toEqual(filters);
    expect(hasFilters(filters)).toBe(true);
  });

  it("leave out values the API would refuse, and the defaults", () => {
    const filters = readFilters(new URLSearchParams("queue=everything&status=open,closed&level=city&division=12&from=yesterday&q=%20%20"));
    expect(filters).toEqual({ queue: "all", statuses: ["closed"], category: undefined, level: undefined, source: undefined, division: undefined, from: undefined, to: undefined, q: undefined });
    expect(writeFilters(filters).toString()).toBe("status=closed");
    expect(hasFilters(readFilters(new URLSearchParams("queue=mine")))).toBe(false);
  });

  it("become the API's query: no queue for all cases, statuses as one list", () => {
    expect(apiQuery(readFilters(new URLSearchParams("status=reported,accepted&q=530103-20261122-00042")))).toEqual({
      status: "reported,accepted",
      q: "530103-20261122-00042",
    });
    expect(apiQuery(readFilters(new URLSearchParams("queue=centre")))).toEqual({ queue: "centre" });
  });
});

import { describe, expect, it } from "vitest";
import { bulkActionsFor, type Selected } from "./bulk";

const selected = (...statuses: string[]): Selected[] =>
  statuses.map((status, i) => ({ id: String(i), number: `530103-20261203-0000${i}`, title: "案件", status, communityCode: "530103001001" }));

describe("bulk actions offered for a selection", () => {
  it("offers dispatch while a case is registered, urge while one is open and reassign while one is dispatched, to the roles that take them", () => {
    expect(bulkActionsFor(selected("registered", "reported"), ["dispatcher"])).toEqual(["dispatch", "urge"]);
    expect(bulkActionsFor(selected("dispatched"), ["dispatcher"])).toEqual(["urge", "reassign"]);
    expect(bulkActionsFor(selected("in_progress", "registered"), ["dispatcher"])).toEqual(["dispatch", "urge", "reassign"]);
    expect(bulkActionsFor(selected("dispatched"), ["leader"])).toEqual(["urge"]);
    expect(bulkActionsFor(selected("registered"), ["leader"])).toEqual(["urge"]);
    expect(bulkActionsFor(selected("closed", "evaluated"), ["dispatcher"])).toEqual([]);
    expect(bulkActionsFor(selected("registered"), ["handler", "grid_worker"])).toEqual([]);
    expect(bulkActionsFor([], ["dispatcher"])).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { AppError } from "../../errors.ts";
import { parseSavedQuery } from "./saved-query.ts";

const refusal = (text: string) => {
  try {
    parseSavedQuery(text);
  } catch (error) {
    return error instanceof AppError ? error.code : String(error);
  }
  return "accepted";
};

describe("saved list queries", () => {
  it("takes the queue's filters and writes them in one order", () => {
    expect(parseSavedQuery("q=井盖&queue=centre&status=registered,dispatched").text).toBe(
      `queue=centre&status=registered%2Cdispatched&q=${encodeURIComponent("井盖")}`,
    );
    expect(parseSavedQuery("?level=street&from=2026-12-01").query).toEqual({ level: "street", from: "2026-12-01" });
    expect(parseSavedQuery("").text).toBe("");
  });

  it("refuses what the list would refuse, a page position and repeated parameters", () => {
    for (const text of ["queue=everything", "status=open", "from=2026-02-30", "division=53", "limit=10", "cursor=abc", "colour=red", "level=street&level=district"]) {
      expect(refusal(text), text).toBe("invalid_saved_query");
    }
    expect(refusal(`q=${"x".repeat(1001)}`)).toBe("invalid_saved_query");
  });
});

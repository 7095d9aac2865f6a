import { describe, expect, it } from "vitest";
import { forgetReport, loadMyReports, MAX_REPORTS, rememberReport, trackingLink } from "./my-reports";

function memoryStorage(initial?: string) {
  const items = new Map<string, string>(initial === undefined ? [] : [["gridgov.myReports", initial]]);
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
  };
}

const report = (n: number) => ({
  number: `530103-20261203-${String(n).padStart(5, "0")}`,
  token: `token-${String(n).padStart(10, "0")}`,
  title: `report ${n}`,
  reportedAt: "2026-12-03T06:00:00.000Z",
});

describe("my reports on this device", () => {
  it("keeps the newest first, replaces a report with the same number and forgets one", () => {
    const storage = memoryStorage();
    rememberReport(storage, report(1));
    rememberReport(storage, report(2));
    rememberReport(storage, { ...report(1), title: "again" });
    expect(loadMyReports(storage).map((kept) => kept.title)).toEqual(["again", "report 2"]);
    expect(forgetReport(storage, report(1).number).map((kept) => kept.number)).toEqual([report(2).number]);
    expect(loadMyReports(storage)).toHaveLength(1);
  });

  it("keeps at most MAX_REPORTS, dropping the oldest", () => {
    const storage = memoryStorage();
    for (let n = 1; n <= MAX_REPORTS + 3; n += 1) rememberReport(storage, report(n));
    const kept = loadMyReports(storage);
    expect(kept).toHaveLength(MAX_REPORTS);
    expect(kept[0].number).toBe(report(MAX_REPORTS + 3).number);
  });

  it("leaves out what is unreadable or malformed", () => {
    expect(loadMyReports(memoryStorage("not json"))).toEqual([]);
    expect(loadMyReports(memoryStorage(JSON.stringify({ number: "x" })))).toEqual([]);
    expect(loadMyReports(memoryStorage(JSON.stringify([{ ...report(1), number: "12-34" }, report(2)])))).toEqual([report(2)]);
  });

  it("still answers when storage refuses to write", () => {
    const storage = {
      getItem: () => null,
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
    };
    expect(rememberReport(storage, report(1))).toBe(false);
  });

  it("puts the token of a tracking link in the fragment", () => {
    expect(trackingLink("https://gov.example", report(7))).toBe("https://gov.example/resident/track?number=530103-20261203-00007#token=token-0000000007");
  });
});

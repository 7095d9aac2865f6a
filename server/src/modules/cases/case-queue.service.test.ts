import { describe, expect, it } from "vitest";
import { actorFromUser } from "../auth/auth.service.ts";
import { csvCell, resolveFilter, textFilter } from "./case-queue.service.ts";

describe("csvCell", () => {
  it("quotes separators, quotes and line breaks", () => {
    expect(csvCell("井盖, 破损")).toBe('"井盖, 破损"');
    expect(csvCell('他说"快修"')).toBe('"他说""快修"""');
    expect(csvCell("第一行\n第二行")).toBe('"第一行\n第二行"');
    expect(csvCell(null)).toBe("");
    expect(csvCell("路灯不亮")).toBe("路灯不亮");
  });

  it("defuses text a spreadsheet would run as a formula", () => {
    expect(csvCell("=HYPERLINK(\"http://x\")")).toBe("\"'=HYPERLINK(\"\"http://x\"\")\"");
    expect(csvCell("+86 138")).toBe("'+86 138");
    expect(csvCell("-1")).toBe("'-1");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
  });
});

describe("textFilter", () => {
  it("asks for a Chinese word as its character bigrams, which a case's stored terms hold however its text was split", () => {
    expect(textFilter("垃圾桶", "530103")).toEqual({ terms: ["垃圾", "圾桶"] });
    expect(textFilter("井盖", "530103")).toEqual({ terms: ["井盖"] });
  });

  it("asks for a lone character as a substring, Latin words and numbers as whole terms", () => {
    expect(textFilter("井", "530103")).toEqual({ characters: ["井"] });
    expect(textFilter("WiFi 5G", "530103")?.terms).toEqual(expect.arrayContaining(["wifi"]));
  });

  it("reads a case number, or its day and ordinal in the caller's district", () => {
    expect(textFilter("530103-20261122-00042", "530103")).toEqual({ number: "530103-20261122-00042" });
    expect(textFilter("20261122-00042", "530103")).toEqual({ number: "530103-20261122-00042" });
    expect(textFilter(" 20261122-42 ", "530103")).toEqual({ number: "530103-20261122-00042" });
  });

  it("reads digits alone as a number's ordinal or words of the text, and a day as the day of creation", () => {
    expect(textFilter("00012", "530103")).toMatchObject({ ordinal: "00012", terms: ["00012"] });
    expect(textFilter("12", "530103")).toMatchObject({ ordinal: "00012" });
    expect(textFilter("123456", "530103")).toMatchObject({ ordinal: "123456" });
    expect(textFilter("20261122", "530103")).toEqual({ createdFrom: new Date("2026-11-21T16:00:00Z"), createdBefore: new Date("2026-11-22T16:00:00Z") });
    expect(textFilter("530103-20261122", "530103")).toEqual({ createdFrom: new Date("2026-11-21T16:00:00Z"), createdBefore: new Date("2026-11-22T16:00:00Z") });
    // Another district's day, or a day that is none, matches nothing in this one.
    expect(textFilter("530102-20261122", "530103")).toBeNull();
    expect(textFilter("530103-20261322", "530103")).toBeNull();
    expect(textFilter("20261322", "530103")).toMatchObject({ terms: ["20261322"] });
  });

  it("finds nothing for text without a searchable term", () => {
    expect(textFilter("的", "530103")).toBeNull();
    expect(textFilter("%_", "530103")).toBeNull();
  });
});

describe("resolveFilter", () => {
  const staff = (roles: string[], departmentId: string | null = null) =>
    actorFromUser({ id: roles[0], username: roles[0], display_name: roles[0], roles, scope_code: "530103", department_id: departmentId, password_change_required: false });
  const dispatcher = staff(["dispatcher"]);
  const now = new Date("2026-12-03T02:00:00Z");

  it("marks a bare queue, whose page may run from a plan made once, and nothing a person narrows", () => {
    for (const queue of ["centre", "overdue", "near_due", undefined] as const) {
      expect(resolveFilter(dispatcher, { queue }, now)?.bareQueue, queue).toBe(true);
      // As the list passes it, with its page.
      const page = { queue, limit: 50, cursor: "x" };
      expect(resolveFilter(dispatcher, page, now)?.bareQueue, queue).toBe(true);
    }
    expect(resolveFilter(staff(["handler"], "swj"), { queue: "mine" }, now)?.bareQueue).toBe(true);
    expect(resolveFilter(dispatcher, { queue: "centre", category: "city.road" }, now)?.bareQueue).toBe(false);
    expect(resolveFilter(dispatcher, { queue: "overdue", statuses: ["suspended"] }, now)?.bareQueue).toBe(false);
    expect(resolveFilter(dispatcher, { source: "hotline" }, now)?.bareQueue).toBe(false);
    expect(resolveFilter(dispatcher, { q: "井盖" }, now)?.bareQueue).toBe(false);
  });
});

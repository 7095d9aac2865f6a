import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUNDLED_CALENDAR, WorkingCalendar, type CalendarData } from "./calendar.ts";

const data = JSON.parse(readFileSync(BUNDLED_CALENDAR, "utf8")) as CalendarData;
const calendar = new WorkingCalendar(data);

const HOUR = 3_600_000;
/** An instant given as a Shanghai wall time, "2026-03-06T10:00". */
const sh = (local: string): Date => new Date(`${local}+08:00`);
/** The last millisecond of a Shanghai date. */
const endOf = (date: string): Date => sh(`${date}T23:59:59.999`);
const dayOfWeek = (date: string): number => new Date(`${date}T00:00:00Z`).getUTCDay();

describe("the bundled schedule", () => {
  const years = Object.entries(data.regions.default.years);

  it("covers 2025 and 2026 officially and 2027 provisionally, with a note", () => {
    expect(calendar.statusOf(2025)).toBe("official");
    expect(calendar.statusOf(2026)).toBe("official");
    expect(calendar.statusOf(2027)).toBe("provisional");
    expect(calendar.notesOf(2027).join(" ")).toMatch(/State Council/);
  });

  it.each(years)("%s: make-up workdays are weekend days outside the holidays", (_year, year) => {
    const holidays = new Set(year.holidays);
    for (const date of year.workdays) {
      expect([0, 6]).toContain(dayOfWeek(date));
      expect(holidays.has(date)).toBe(false);
    }
  });

  it.each(years)("%s: weekday holidays less make-up workdays give the 13 statutory days", (_year, year) => {
    // 全国年节及纪念日放假办法 (2024): 1 + 4 + 1 + 2 + 1 + 1 + 3 days; weekend ones are made up on weekdays.
    const weekdayHolidays = year.holidays.filter((date) => ![0, 6].includes(dayOfWeek(date)));
    expect(weekdayHolidays.length - year.workdays.length).toBe(13);
  });
});

describe("working days", () => {
  it("makes the 2026 make-up days working days", () => {
    for (const date of ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]) {
      expect(calendar.isWorkingDay(date), date).toBe(true);
    }
  });

  it("takes the 2026 Spring Festival off, weekdays included", () => {
    for (let day = 15; day <= 23; day += 1) {
      expect(calendar.isWorkingDay(`2026-02-${day}`)).toBe(false);
    }
    expect(calendar.isWorkingDay("2026-02-13")).toBe(true);
    expect(calendar.isWorkingDay("2026-02-24")).toBe(true);
  });

  it("takes ordinary weekends off and works Monday to Friday", () => {
    expect(calendar.isWorkingDay("2026-03-07")).toBe(false);
    expect(calendar.isWorkingDay("2026-03-08")).toBe(false);
    expect(calendar.isWorkingDay("2026-03-09")).toBe(true);
    expect(calendar.isWorkingDay("2026-03-13")).toBe(true);
  });

  it("falls back to Monday to Friday outside the years covered", () => {
    expect(calendar.covers(2024)).toBe(false);
    expect(calendar.covers(2026)).toBe(true);
    expect(calendar.covers(2030)).toBe(false);
    expect(calendar.statusOf(2030)).toBeNull();
    expect(calendar.isWorkingDay("2030-10-01")).toBe(true);
    expect(calendar.isWorkingDay("2030-10-05")).toBe(false);
  });

  it("rejects malformed dates", () => {
    expect(() => calendar.isWorkingDay("2026-2-14")).toThrow(RangeError);
    expect(() => calendar.isWorkingDay("2026-02-30")).toThrow(RangeError);
  });

  it("takes the date in Shanghai, not in UTC", () => {
    expect(calendar.shanghaiDate(new Date("2026-01-08T15:59:59.999Z"))).toBe("2026-01-08");
    expect(calendar.shanghaiDate(new Date("2026-01-08T16:00:00Z"))).toBe("2026-01-09");
  });
});

describe("addWorkingDays", () => {
  it("ends a working day after a Friday at the end of Monday, Shanghai time", () => {
    const deadline = calendar.addWorkingDays(sh("2026-03-06T10:00"), 1);
    expect(deadline.toISOString()).toBe("2026-03-09T15:59:59.999Z");
  });

  it("skips a Monday holiday", () => {
    // Qingming 2026: Saturday 04-04 to Monday 04-06.
    expect(calendar.addWorkingDays(sh("2026-04-03T10:00"), 1)).toEqual(endOf("2026-04-07"));
  });

  it("crosses the 2026 National Day holiday and counts the make-up Saturday", () => {
    const from = sh("2026-09-30T16:00");
    expect(calendar.addWorkingDays(from, 1)).toEqual(endOf("2026-10-08"));
    expect(calendar.addWorkingDays(from, 2)).toEqual(endOf("2026-10-09"));
    expect(calendar.addWorkingDays(from, 3)).toEqual(endOf("2026-10-10"));
    expect(calendar.addWorkingDays(from, 4)).toEqual(endOf("2026-10-12"));
  });

  it("counts from the Shanghai date when it is already the next day there", () => {
    // Thursday 17:30 UTC is Friday 01:30 in Shanghai: one working day ends on Monday, not Friday.
    const from = new Date("2026-01-08T17:30:00Z");
    expect(calendar.addWorkingDays(from, 1)).toEqual(endOf("2026-01-12"));
  });

  it("with 0 days, ends the same working day or the next one", () => {
    expect(calendar.addWorkingDays(sh("2026-03-09T10:00"), 0)).toEqual(endOf("2026-03-09"));
    expect(calendar.addWorkingDays(sh("2026-02-17T10:00"), 0)).toEqual(endOf("2026-02-24"));
  });

  it("rejects negative and fractional days", () => {
    expect(() => calendar.addWorkingDays(sh("2026-03-09T10:00"), -1)).toThrow(RangeError);
    expect(() => calendar.addWorkingDays(sh("2026-03-09T10:00"), 1.5)).toThrow(RangeError);
  });

  it("is monotonic in days and always ends a working day", () => {
    const instants = fc.date({ min: new Date("2024-06-01T00:00:00Z"), max: new Date("2028-06-01T00:00:00Z"), noInvalidDate: true });
    fc.assert(
      fc.property(instants, fc.integer({ min: 0, max: 30 }), (from, days) => {
        const deadline = calendar.addWorkingDays(from, days);
        const next = calendar.addWorkingDays(from, days + 1);
        const date = calendar.shanghaiDate(deadline);
        const fromDate = calendar.shanghaiDate(from);
        return (
          // From a non-working day, 0 and 1 working days both end the next working day.
          (days === 0 ? next.getTime() >= deadline.getTime() : next.getTime() > deadline.getTime()) &&
          calendar.isWorkingDay(date) &&
          calendar.shanghaiDate(new Date(deadline.getTime() + 1)) !== date &&
          (days === 0 ? date >= fromDate : date > fromDate)
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe("working hours", () => {
  it("counts only time inside working days", () => {
    expect(calendar.addWorkingHours(sh("2026-03-06T22:00"), 4)).toEqual(sh("2026-03-09T02:00"));
    expect(calendar.addWorkingHours(sh("2026-03-07T15:00"), 2)).toEqual(sh("2026-03-09T02:00"));
    expect(calendar.addWorkingHours(sh("2026-03-09T10:00"), 2)).toEqual(sh("2026-03-09T12:00"));
    expect(calendar.addWorkingHours(sh("2026-03-07T15:00"), 0)).toEqual(sh("2026-03-07T15:00"));
  });

  it("measures working time between instants", () => {
    expect(calendar.workingMillisBetween(sh("2026-03-06T18:00"), sh("2026-03-09T09:00"))).toBe(15 * HOUR);
    // Friday afternoon, the make-up Saturday, nine days off, Tuesday morning.
    expect(calendar.workingMillisBetween(sh("2026-02-13T12:00"), sh("2026-02-24T12:00"))).toBe(48 * HOUR);
    expect(calendar.workingMillisBetween(sh("2026-03-09T12:00"), sh("2026-03-09T10:00"))).toBe(0);
  });

  it("adds back exactly the working time it measures", () => {
    const instants = fc.date({ min: new Date("2024-06-01T00:00:00Z"), max: new Date("2028-06-01T00:00:00Z"), noInvalidDate: true });
    fc.assert(
      fc.property(instants, fc.integer({ min: 0, max: 500 }), (from, hours) => {
        const to = calendar.addWorkingHours(from, hours);
        return calendar.workingMillisBetween(from, to) === hours * HOUR;
      }),
      { numRuns: 300 },
    );
  });
});

describe("extendBySuspension", () => {
  const deadline = endOf("2026-03-10");

  it("extends by the working time suspended, which over a weekend is less than the wall time", () => {
    const suspendedFrom = sh("2026-03-06T18:00");
    const resumedAt = sh("2026-03-09T09:00");
    const extended = calendar.extendBySuspension(deadline, suspendedFrom, resumedAt);
    expect(extended).toEqual(sh("2026-03-11T14:59:59.999"));
    expect(calendar.workingMillisBetween(deadline, extended)).toBe(15 * HOUR);
    expect(resumedAt.getTime() - suspendedFrom.getTime()).toBe(63 * HOUR);
  });

  it("leaves the deadline alone for a suspension within a weekend", () => {
    expect(calendar.extendBySuspension(deadline, sh("2026-03-07T09:00"), sh("2026-03-08T18:00"))).toEqual(deadline);
  });

  it("leaves the deadline alone when the suspension starts after it", () => {
    expect(calendar.extendBySuspension(deadline, sh("2026-03-11T09:00"), sh("2026-03-12T09:00"))).toEqual(deadline);
  });

  it("carries the extension over a holiday", () => {
    const extended = calendar.extendBySuspension(endOf("2026-09-30"), sh("2026-09-29T00:00"), sh("2026-09-30T00:00"));
    expect(extended).toEqual(endOf("2026-10-08"));
  });

  it("rejects a resumption before the suspension", () => {
    expect(() => calendar.extendBySuspension(deadline, sh("2026-03-09T09:00"), sh("2026-03-09T08:00"))).toThrow(RangeError);
  });
});

describe("regions", () => {
  // A prefecture with festival days of its own on top of the national schedule.
  const withRegion: CalendarData = {
    ...data,
    regions: {
      ...data.regions,
      "532800": {
        years: {
          "2026": { status: "official", holidays: ["2026-04-13", "2026-04-14", "2026-04-15"], workdays: [] },
          "2028": { status: "provisional", holidays: ["2028-04-13"], workdays: [] },
        },
      },
    },
  };
  const regional = new WorkingCalendar(withRegion, "532800");

  it("adds the region's holidays to the national schedule", () => {
    expect(regional.isWorkingDay("2026-04-14")).toBe(false);
    expect(regional.isWorkingDay("2026-02-17")).toBe(false);
    expect(regional.isWorkingDay("2026-02-14")).toBe(true);
    expect(calendar.isWorkingDay("2026-04-14")).toBe(true);
  });

  it("extends the years covered", () => {
    expect(regional.covers(2028)).toBe(true);
    expect(regional.statusOf(2028)).toBe("provisional");
    expect(regional.isWorkingDay("2028-04-13")).toBe(false);
    expect(regional.statusOf(2027)).toBe("provisional");
  });

  it("rejects an unknown region and inconsistent data", () => {
    expect(() => new WorkingCalendar(data, "530103")).toThrow(RangeError);
    const clash: CalendarData = {
      source: "test",
      regions: { default: { years: { "2026": { status: "official", holidays: ["2026-02-14"], workdays: ["2026-02-14"] } } } },
    };
    expect(() => new WorkingCalendar(clash)).toThrow(/both a holiday and a workday/);
    const misfiled: CalendarData = {
      source: "test",
      regions: { default: { years: { "2026": { status: "official", holidays: ["2025-10-01"], workdays: [] } } } },
    };
    expect(() => new WorkingCalendar(misfiled)).toThrow(RangeError);
  });
});

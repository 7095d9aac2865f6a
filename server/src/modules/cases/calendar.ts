/**
 * The Chinese working calendar: public holidays, make-up working days (调休) and the working time
 * between instants. Instants are UTC; a working day is a date in Asia/Shanghai.
 *
 * A working day counts as a whole 24-hour day of working time: office hours are not modelled, so
 * "2 working hours" from a Saturday evening end at 02:00 on Monday (Shanghai). This keeps working
 * hours and working days on one clock: 24 working hours are exactly one working day.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Asia/Shanghai is UTC+8 all year round (no daylight saving since 1991). */
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const YEAR_PATTERN = /^\d{4}$/;

/** The bundled national schedule, to be read and parsed by the caller. */
export const BUNDLED_CALENDAR = new URL("../../../data/calendar-cn.json", import.meta.url);

/** Whether a year's schedule is the published one or an estimate awaiting it. */
export type CalendarStatus = "official" | "provisional";

/** One year of a region's schedule; dates are YYYY-MM-DD in Asia/Shanghai. */
export type CalendarYear = {
  /** Days off, weekend days inside a holiday span included. */
  holidays: string[];
  /** Make-up working days (调休): Saturdays or Sundays that are working days. */
  workdays: string[];
  status: CalendarStatus;
  note?: string;
};

/** A region's schedule, by year ("2026"). */
export type CalendarRegion = { years: Record<string, CalendarYear> };

/** The shape of data/calendar-cn.json; "default" is the national schedule. */
export type CalendarData = { source: string; regions: Record<string, CalendarRegion> };

/** Days since 1970-01-01 of the Shanghai date of an instant. */
const shanghaiDay = (ms: number): number => Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS);
/** The instant a Shanghai day starts (00:00 Asia/Shanghai). */
const dayStart = (day: number): number => day * DAY_MS - SHANGHAI_OFFSET_MS;
const dayDate = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
/** 1970-01-01 was a Thursday; 0 is Sunday, 6 is Saturday. */
const weekday = (day: number): number => (((day + 4) % 7) + 7) % 7;
const isWeekday = (day: number): boolean => {
  const dow = weekday(day);
  return dow >= 1 && dow <= 5;
};

function parseDate(date: string): number {
  if (typeof date === "string" && DATE_PATTERN.test(date)) {
    const ms = Date.parse(`${date}T00:00:00Z`);
    // Date.parse accepts 2026-02-30; the round trip rejects it.
    if (Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === date) return ms / DAY_MS;
  }
  throw new RangeError(`Not a YYYY-MM-DD date: ${String(date)}`);
}

function instantMs(instant: Date, what: string): number {
  const ms = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`${what} is not a valid date`);
  return ms;
}

function nonNegative(value: number, what: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be a finite number >= 0, got ${value}`);
  return value;
}

type YearInfo = { status: CalendarStatus; notes: string[] };

/**
 * Working days and working time for one region. The region's years are laid over the default
 * (national) ones: its holidays and workdays are added to the national lists, a date it lists
 * wins over the national entry for that date, and a year only the region lists is used as is.
 * Outside the years covered, Monday to Friday are the working days (see `covers`).
 */
export class WorkingCalendar {
  readonly region: string;
  private readonly years = new Map<number, YearInfo>();
  /** Shanghai day number → whether it is a working day, for listed dates only. */
  private readonly listed = new Map<number, boolean>();

  constructor(data: CalendarData, region = "default") {
    const national = data?.regions?.default;
    if (!national) throw new RangeError("Calendar data has no default region");
    const local = data.regions[region];
    if (!Object.hasOwn(data.regions, region) || !local) throw new RangeError(`Calendar data has no region ${region}`);
    this.region = region;
    this.load(national, "default");
    if (region !== "default") this.load(local, region);
  }

  private load(source: CalendarRegion, name: string): void {
    for (const [key, year] of Object.entries(source.years ?? {})) {
      const where = `calendar region ${name}, year ${key}`;
      if (!YEAR_PATTERN.test(key)) throw new RangeError(`Bad year key in ${where}`);
      if (year.status !== "official" && year.status !== "provisional") throw new RangeError(`Bad status in ${where}`);
      if (!Array.isArray(year.holidays) || !Array.isArray(year.workdays)) {
        throw new RangeError(`${where} needs holidays and workdays lists`);
      }
      const own = new Map<number, boolean>();
      const add = (date: string, working: boolean) => {
        if (!date.startsWith(`${key}-`)) throw new RangeError(`${date} is listed under ${where}`);
        const day = parseDate(date);
        if (own.has(day) && own.get(day) !== working) throw new RangeError(`${date} is both a holiday and a workday in ${where}`);
        own.set(day, working);
      };
      for (const date of year.holidays) add(date, false);
      for (const date of year.workdays) add(date, true);
      for (const [day, working] of own) this.listed.set(day, working);

      const number = Number(key);
      const previous = this.years.get(number);
      const notes = year.note ? [year.note] : [];
      this.years.set(number, {
        // A region layered over a provisional national year is still provisional.
        status: previous?.status === "provisional" ? "provisional" : year.status,
        notes: [...(previous?.notes ?? []), ...notes],
      });
    }
  }

  /** Whether the data lists this year; outside it, working days are simply Monday to Friday. */
  covers(year: number): boolean {
    return this.years.has(year);
  }

  /** The status of a covered year's schedule, or null when the year is not covered. */
  statusOf(year: number): CalendarStatus | null {
    return this.years.get(year)?.status ?? null;
  }

  /** The notes attached to a year's schedule (why it is provisional, for instance). */
  notesOf(year: number): string[] {
    return [...(this.years.get(year)?.notes ?? [])];
  }

  /** Whether a date (YYYY-MM-DD) is a working day: holiday no, make-up workday yes, else Monday–Friday. */
  isWorkingDay(date: string): boolean {
    return this.isWorkingDayNumber(parseDate(date));
  }

  /** The date (YYYY-MM-DD) of an instant in Asia/Shanghai. */
  shanghaiDate(instant: Date): string {
    return dayDate(shanghaiDay(instantMs(instant, "instant")));
  }

  /**
   * The end (23:59:59.999 Asia/Shanghai) of the `days`-th working day after the day of `from`;
   * the day of `from` itself does not count. With 0 days: the end of the day of `from` if it is
   * a working day, else of the next working day.
   */
  addWorkingDays(from: Date, days: number): Date {
    if (!Number.isInteger(days) || days < 0) throw new RangeError(`days must be an integer >= 0, got ${days}`);
    let day = shanghaiDay(instantMs(from, "from"));
    if (days === 0) {
      while (!this.isWorkingDayNumber(day)) day += 1;
    } else {
      for (let counted = 0; counted < days; ) {
        day += 1;
        if (this.isWorkingDayNumber(day)) counted += 1;
      }
    }
    return new Date(dayStart(day + 1) - 1);
  }

  /**
   * The earliest instant at which `hours` of working time have passed since `from`; time on
   * non-working days does not count. From a non-working day, the clock starts at 00:00 of the
   * next working day.
   */
  addWorkingHours(from: Date, hours: number): Date {
    return new Date(this.addWorkingMillis(instantMs(from, "from"), Math.round(nonNegative(hours, "hours") * HOUR_MS)));
  }

  /** The instant itself on a working day; otherwise 00:00 of the next working day, when the clock starts again. */
  workingInstantFrom(instant: Date): Date {
    const ms = instantMs(instant, "instant");
    let day = shanghaiDay(ms);
    if (this.isWorkingDayNumber(day)) return new Date(ms);
    while (!this.isWorkingDayNumber(day)) day += 1;
    return new Date(dayStart(day));
  }

  /** The working time, in milliseconds, between two instants (0 when `end` is not after `start`). */
  workingMillisBetween(start: Date, end: Date): number {
    const endMs = instantMs(end, "end");
    let t = instantMs(start, "start");
    let total = 0;
    for (let day = shanghaiDay(t); t < endMs; day += 1) {
      const segmentEnd = Math.min(dayStart(day + 1), endMs);
      if (this.isWorkingDayNumber(day)) total += segmentEnd - t;
      t = segmentEnd;
    }
    return total;
  }

  /**
   * Pushes a deadline later by the working time a case spent suspended: the clock stops while
   * suspended. A suspension that starts after the deadline leaves it as it is (the case was
   * already overdue). Apply one call per suspension; overlapping suspensions would count twice.
   */
  extendBySuspension(deadline: Date, suspendedFrom: Date, resumedAt: Date): Date {
    const deadlineMs = instantMs(deadline, "deadline");
    const fromMs = instantMs(suspendedFrom, "suspendedFrom");
    if (instantMs(resumedAt, "resumedAt") < fromMs) throw new RangeError("resumedAt is before suspendedFrom");
    if (fromMs >= deadlineMs) return new Date(deadlineMs);
    return new Date(this.addWorkingMillis(deadlineMs, this.workingMillisBetween(suspendedFrom, resumedAt)));
  }

  private isWorkingDayNumber(day: number): boolean {
    return this.listed.get(day) ?? isWeekday(day);
  }

  private addWorkingMillis(fromMs: number, millis: number): number {
    let t = fromMs;
    let remaining = millis;
    for (let day = shanghaiDay(t); remaining > 0; day += 1) {
      const next = dayStart(day + 1);
      if (this.isWorkingDayNumber(day)) {
        if (remaining <= next - t) return t + remaining;
        remaining -= next - t;
      }
      t = next;
    }
    return t;
  }
}

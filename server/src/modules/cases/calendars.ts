import fs from "node:fs";
import { BUNDLED_CALENDAR, WorkingCalendar, type CalendarData } from "./calendar.ts";

let data: CalendarData | undefined;
const calendars = new Map<string, WorkingCalendar>();

function calendarData(): CalendarData {
  data ??= JSON.parse(fs.readFileSync(BUNDLED_CALENDAR, "utf8")) as CalendarData;
  return data;
}

/** The working calendar of a region (district code), from the bundled national schedule and its regional overrides. */
export function calendarFor(regionCode: string): WorkingCalendar {
  const source = calendarData();
  let calendar = calendars.get(regionCode);
  if (!calendar) {
    calendar = new WorkingCalendar(source, regionCode in source.regions ? regionCode : "default");
    calendars.set(regionCode, calendar);
  }
  return calendar;
}

/** The regions with overrides of their own; every other region keeps the national calendar, that of `calendarFor("default")`. */
export function regionsWithOwnCalendar(): string[] {
  return Object.keys(calendarData().regions).filter((region) => region !== "default");
}

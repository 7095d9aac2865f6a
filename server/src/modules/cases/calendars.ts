import fs from "node:fs";
import { BUNDLED_CALENDAR, WorkingCalendar, type CalendarData } from "./calendar.ts";

let data: CalendarData | undefined;
const calendars = new Map<string, WorkingCalendar>();

/** The working calendar of a region (district code), from the bundled national schedule and its regional overrides. */
export function calendarFor(regionCode: string): WorkingCalendar {
  data ??= JSON.parse(fs.readFileSync(BUNDLED_CALENDAR, "utf8")) as CalendarData;
  const source = data;
  let calendar = calendars.get(regionCode);
  if (!calendar) {
    calendar = new WorkingCalendar(source, regionCode in source.regions ? regionCode : "default");
    calendars.set(regionCode, calendar);
  }
  return calendar;
}

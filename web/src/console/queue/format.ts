/** How a case's deadline reads: the words' key and the number in them, from the server's working minutes. */
export type Countdown =
  | { key: "deadline.leftDays" | "deadline.leftHours" | "deadline.leftMinutes" | "deadline.overDays" | "deadline.overHours"; count: number }
  | { key: "deadline.overJust"; count: 0 };

const HOUR = 60;
/** The server counts a working day as 24 working hours (server/src/modules/cases/deadlines.ts). */
const WORKING_DAY = 24 * HOUR;

/**
 * The countdown of `minutes` working minutes left (negative: past the deadline), in the largest
 * whole unit: working days, hours, then minutes; an hour or less past reads "just overdue".
 */
export function countdown(minutes: number): Countdown {
  if (minutes >= 0) {
    if (minutes >= WORKING_DAY) return { key: "deadline.leftDays", count: Math.floor(minutes / WORKING_DAY) };
    if (minutes >= HOUR) return { key: "deadline.leftHours", count: Math.floor(minutes / HOUR) };
    return { key: "deadline.leftMinutes", count: minutes };
  }
  const past = -minutes;
  if (past >= WORKING_DAY) return { key: "deadline.overDays", count: Math.floor(past / WORKING_DAY) };
  if (past >= HOUR) return { key: "deadline.overHours", count: Math.floor(past / HOUR) };
  return { key: "deadline.overJust", count: 0 };
}

let shanghai: Intl.DateTimeFormat | undefined;

/**
 * Made at the first date shown, not as the module loads: a formatter with a time zone reads the
 * zone's rules (about 40 ms in a browser), and the module comes with pages, the map's first, that
 * show no date at first.
 */
function inShanghai(): Intl.DateTimeFormat {
  shanghai ??= new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  return shanghai;
}

const shanghaiParts = (iso: string) => Object.fromEntries(inShanghai().formatToParts(new Date(iso)).map((part) => [part.type, part.value]));

/** An instant as `YYYY-MM-DD HH:mm` in Asia/Shanghai, whatever the browser's time zone. */
export function formatDateTime(iso: string): string {
  const parts = shanghaiParts(iso);
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** An instant as `MM-DD HH:mm` in Asia/Shanghai: for a row with no room for the year. */
export function formatDayTime(iso: string): string {
  const parts = shanghaiParts(iso);
  return `${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400_000],
  ["month", 30 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

/** How long ago (or ahead) an instant is, in the largest whole unit ("5 分钟前", "3 days ago"); null under a minute. */
export function relativeTime(iso: string, now: number, language: string): string | null {
  const delta = new Date(iso).getTime() - now;
  for (const [unit, ms] of UNITS) {
    if (Math.abs(delta) >= ms) {
      return new Intl.RelativeTimeFormat(language, { numeric: "auto" }).format(Math.trunc(delta / ms), unit);
    }
  }
  return null;
}

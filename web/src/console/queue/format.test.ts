import { describe, expect, it } from "vitest";
import { countdown, formatDateTime, formatDayTime, relativeTime } from "./format";

describe("countdown", () => {
  it("reads working minutes left in the largest whole unit", () => {
    expect(countdown(3 * 1440 + 100)).toEqual({ key: "deadline.leftDays", count: 3 });
    expect(countdown(1440)).toEqual({ key: "deadline.leftDays", count: 1 });
    expect(countdown(1439)).toEqual({ key: "deadline.leftHours", count: 23 });
    expect(countdown(180)).toEqual({ key: "deadline.leftHours", count: 3 });
    expect(countdown(59)).toEqual({ key: "deadline.leftMinutes", count: 59 });
    expect(countdown(0)).toEqual({ key: "deadline.leftMinutes", count: 0 });
  });

  it("reads working minutes past the deadline as overdue", () => {
    expect(countdown(-30)).toEqual({ key: "deadline.overJust", count: 0 });
    expect(countdown(-150)).toEqual({ key: "deadline.overHours", count: 2 });
    expect(countdown(-2 * 1440 - 5)).toEqual({ key: "deadline.overDays", count: 2 });
  });
});

describe("times", () => {
  it("are shown in Asia/Shanghai as YYYY-MM-DD HH:mm", () => {
    expect(formatDateTime("2026-11-22T16:05:00.000Z")).toBe("2026-11-23 00:05");
    expect(formatDateTime("2026-01-02T03:04:59.999Z")).toBe("2026-01-02 11:04");
    expect(formatDayTime("2026-11-22T16:05:00.000Z")).toBe("11-23 00:05");
  });

  it("say how long ago, in the largest whole unit", () => {
    const now = Date.parse("2026-12-03T08:00:00Z");
    expect(relativeTime("2026-12-03T07:55:00Z", now, "zh-CN")).toBe("5分钟前");
    expect(relativeTime("2026-12-03T05:00:00Z", now, "en")).toBe("3 hours ago");
    expect(relativeTime("2026-12-01T08:00:00Z", now, "en")).toBe("2 days ago");
    expect(relativeTime("2026-12-03T07:59:30Z", now, "en")).toBeNull();
  });
});

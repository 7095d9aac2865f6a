import { normaliseNumber, normaliseToken } from "../track/tracking";

/** A report kept on this device so that its resident can follow it without copying numbers. */
export type MyReport = { number: string; token: string; title: string; reportedAt: string };

const STORAGE_KEY = "gridgov.myReports";
/** Enough for years of a resident's reports; the oldest go first. */
export const MAX_REPORTS = 50;

function isReport(value: unknown): value is MyReport {
  if (typeof value !== "object" || value === null) return false;
  const { number, token, title, reportedAt } = value as Record<string, unknown>;
  return (
    typeof number === "string" &&
    normaliseNumber(number) === number &&
    typeof token === "string" &&
    normaliseToken(token) === token &&
    typeof title === "string" &&
    typeof reportedAt === "string"
  );
}

/** The reports kept on this device, newest first; whatever is unreadable is left out. */
export function loadMyReports(storage: Pick<Storage, "getItem">): MyReport[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(STORAGE_KEY) ?? "[]");
    return Array.isArray(parsed) ? parsed.filter(isReport) : [];
  } catch {
    return [];
  }
}

function save(storage: Pick<Storage, "setItem">, reports: MyReport[]): boolean {
  try {
    storage.setItem(STORAGE_KEY, JSON.stringify(reports));
    return true;
  } catch {
    // Storage full or refused (privacy mode): the answer page still shows the number and code.
    return false;
  }
}

/** Keeps a report (replacing one with the same number), newest first, at most MAX_REPORTS. */
export function rememberReport(storage: Pick<Storage, "getItem" | "setItem">, report: MyReport): boolean {
  const others = loadMyReports(storage).filter((kept) => kept.number !== report.number);
  return save(storage, [report, ...others].slice(0, MAX_REPORTS));
}

export function forgetReport(storage: Pick<Storage, "getItem" | "setItem">, number: string): MyReport[] {
  const left = loadMyReports(storage).filter((kept) => kept.number !== number);
  save(storage, left);
  return left;
}

/** The tracking link of a report: the token in the fragment, which no server or log receives. */
export function trackingLink(origin: string, report: Pick<MyReport, "number" | "token">): string {
  return `${origin}/resident/track?number=${encodeURIComponent(report.number)}#token=${encodeURIComponent(report.token)}`;
}

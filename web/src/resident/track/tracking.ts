import type { paths } from "../../api/schema";

/** What the tracking page reads: the case as the public sees it. */
export type Tracked = paths["/api/v1/public/cases/{number}"]["get"]["responses"][200]["content"]["application/json"];

/** What a resident needs to follow a case: its number and its secret tracking token. */
export type TrackingKey = { number: string; token: string };

const NUMBER = /^[0-9]{6}-[0-9]{8}-[0-9]{5}$/;
const TOKEN = /^.{10,64}$/;
const STORAGE_KEY = "gridgov.tracking";

/** A case number as typed or pasted: spaces and full-width dashes tolerated, else undefined. */
export function normaliseNumber(typed: string): string | undefined {
  const number = typed.replace(/\s+/g, "").replace(/[－—–]/g, "-");
  return NUMBER.test(number) ? number : undefined;
}

export function normaliseToken(typed: string): string | undefined {
  const token = typed.trim();
  return TOKEN.test(token) ? token : undefined;
}

/**
 * A tracking link's number and token: `/resident/track?number=…#token=…` (the fragment never
 * reaches a server or its logs); `?token=` is read too. Returns the key, if whole, and the
 * address to show instead, without the token.
 */
export function readTrackingLink(location: { pathname: string; search: string; hash: string }): { key?: TrackingKey; cleanUrl?: string } {
  const query = new URLSearchParams(location.search);
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ""));
  const rawToken = fragment.get("token") ?? query.get("token");
  const number = normaliseNumber(query.get("number") ?? "");
  if (rawToken === null) return {};
  query.delete("token");
  const search = query.toString();
  const cleanUrl = `${location.pathname}${search ? `?${search}` : ""}`;
  const token = normaliseToken(rawToken);
  return { key: number && token ? { number, token } : undefined, cleanUrl };
}

/** The key this tab last followed a case with; kept for the tab only, never in the address. */
export function loadKey(storage: Pick<Storage, "getItem">): TrackingKey | undefined {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(STORAGE_KEY) ?? "null");
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const { number, token } = parsed as Record<string, unknown>;
    const checkedNumber = typeof number === "string" ? normaliseNumber(number) : undefined;
    const checkedToken = typeof token === "string" ? normaliseToken(token) : undefined;
    return checkedNumber && checkedToken ? { number: checkedNumber, token: checkedToken } : undefined;
  } catch {
    return undefined;
  }
}

export function saveKey(storage: Pick<Storage, "setItem" | "removeItem">, key: TrackingKey | undefined): void {
  try {
    if (key) storage.setItem(STORAGE_KEY, JSON.stringify(key));
    else storage.removeItem(STORAGE_KEY);
  } catch {
    // Storage can be unavailable (privacy mode): the page then keeps the key in its state only.
  }
}

/** The steps a resident sees, in order. */
export const STEPS = ["reported", "accepted", "handling", "handled", "closed"] as const;
export type Step = (typeof STEPS)[number];

/** Where a case's status stands on the resident's step bar; a rejected or merged case ends apart. */
export function stepOf(status: string): { step: Step; ended?: "rejected" | "merged" } {
  switch (status) {
    case "reported":
      return { step: "reported" };
    case "accepted":
    case "registered":
      return { step: "accepted" };
    case "dispatched":
    case "in_progress":
    case "suspended":
      return { step: "handling" };
    case "handled":
      return { step: "handled" };
    case "closed":
    case "evaluated":
      return { step: "closed" };
    case "rejected":
      return { step: "accepted", ended: "rejected" };
    case "merged":
      return { step: "accepted", ended: "merged" };
    default:
      return { step: "reported" };
  }
}


/**
 * The call being recorded, kept in the tab's session storage: a session that expires mid-call
 * shows the sign-in page, and after signing in again the operator finds the form as they left it.
 * Kept per account, so another operator signing in at the same seat does not see it, and only in
 * this tab, so a caller's number does not outlive it.
 */
export type IntakeDraft = {
  phone?: string;
  name?: string;
  description?: string;
  categoryCode?: string;
  urgency?: "normal" | "urgent" | "emergency";
  place?: DraftPlace;
  /** Answers to the chosen category's extra questions, by question code. */
  answers?: Record<string, string | number | boolean>;
};

/** Where it happened: a point on the map, or a place found by name (with its point, when it has one). */
export type DraftPlace =
  | { kind: "point"; lat: number; lng: number }
  | { kind: "street" | "community" | "courtyard" | "building" | "grid"; code: string; label: string; lat?: number; lng?: number; gridCode?: string };

const keyOf = (userId: string) => `gridgov.intake.draft.${userId}`;

export function loadDraft(userId: string): IntakeDraft | null {
  try {
    const text = window.sessionStorage.getItem(keyOf(userId));
    if (!text) return null;
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as IntakeDraft) : null;
  } catch {
    return null;
  }
}

export function saveDraft(userId: string, draft: IntakeDraft): void {
  try {
    const empty = !draft.phone && !draft.name && !draft.description && !draft.place && !draft.categoryCode;
    if (empty) window.sessionStorage.removeItem(keyOf(userId));
    else window.sessionStorage.setItem(keyOf(userId), JSON.stringify(draft));
  } catch {
    // Without storage the draft lasts as long as the page.
  }
}

export function clearDraft(userId: string): void {
  try {
    window.sessionStorage.removeItem(keyOf(userId));
  } catch {
    // Nothing was kept.
  }
}

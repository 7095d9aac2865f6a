import { useSyncExternalStore } from "react";
import { idbStore, hasIndexedDb } from "./outbox/idb-store";
import { memoryStore } from "./outbox/memory-store";
import { Outbox, type OutboxState } from "./outbox/outbox";
import type { Sent } from "./outbox/types";
import { apiSender } from "./fieldApi";

/** Reports and actions sent from the outbox, for the pages that show what arrived. */
export const sentEvents = new EventTarget();

/**
 * The one outbox of the app. Without IndexedDB (some in-app browsers) it lives in memory: the app
 * works online and keeps items for as long as the page stays open.
 */
export const outbox = new Outbox({
  store: hasIndexedDb() ? idbStore() : memoryStore(),
  sender: apiSender,
  onSent: (sent: Sent) => sentEvents.dispatchEvent(new CustomEvent<Sent>("sent", { detail: sent })),
});

let snapshot: OutboxState = outbox.state();
outbox.subscribe((state) => (snapshot = state));

export function useOutbox(): OutboxState {
  return useSyncExternalStore(
    (listener) => outbox.subscribe(listener),
    () => snapshot,
  );
}

const onlineSubscribe = (listener: () => void) => {
  window.addEventListener("online", listener);
  window.addEventListener("offline", listener);
  return () => {
    window.removeEventListener("online", listener);
    window.removeEventListener("offline", listener);
  };
};

export function useOnline(): boolean {
  return useSyncExternalStore(onlineSubscribe, () => navigator.onLine);
}

// The network is back: send now rather than at the end of a backoff.
window.addEventListener("online", () => outbox.nudge());

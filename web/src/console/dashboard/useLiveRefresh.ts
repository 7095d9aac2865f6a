import { useEffect, useRef } from "react";
import { subscribeLiveEvents } from "../../live";

/** At most one refresh per this many ms, however many cases change. */
export const REFRESH_MS = 10_000;

/**
 * Calls `refresh` after case changes arrive on the event stream: at once after a quiet spell, then
 * at most every REFRESH_MS, so that a busy district costs a few reads, not one per event.
 */
export function useLiveRefresh(refresh: () => void): void {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      timer = undefined;
      last = Date.now();
      latest.current();
    };
    const unsubscribe = subscribeLiveEvents(() => {
      if (timer) return;
      timer = setTimeout(run, Math.max(0, last + REFRESH_MS - Date.now()));
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, []);
}

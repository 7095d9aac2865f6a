import { useLayoutEffect } from "react";
import "./scroll-lock.css";

/**
 * Stands in for @rc-component/portal's useScrollLocker (web/csp-safe-overlays.ts swaps it in at
 * build time). That one locks the page behind an open dialog or drawer with a <style> element it
 * writes without the page's nonce, which the Content-Security-Policy refuses. This one puts a class
 * from the app's own stylesheet on the body instead, counted so that the page stays locked until
 * the last of several open dialogs closes; the scrollbar's width, which the body keeps so that
 * nothing moves, goes in a custom property set through the element's style.
 */
const LOCKED = "scroll-locked";
const GAP = "--scroll-lock-gap";
let locks = 0;

function lock(): void {
  const body = document.body;
  if (locks++ > 0) return;
  const overflowing = body.scrollHeight > (window.innerHeight || document.documentElement.clientHeight) && window.innerWidth > body.offsetWidth;
  body.style.setProperty(GAP, overflowing ? `${window.innerWidth - body.offsetWidth}px` : "0px");
  body.classList.add(LOCKED);
}

function unlock(): void {
  if (--locks > 0) return;
  document.body.classList.remove(LOCKED);
  document.body.style.removeProperty(GAP);
}

export default function useScrollLocker(locked?: boolean): void {
  useLayoutEffect(() => {
    if (!locked) return;
    lock();
    return unlock;
  }, [locked]);
}

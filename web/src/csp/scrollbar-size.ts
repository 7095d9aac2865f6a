/**
 * Stands in for @rc-component/util's getScrollBarSize (web/csp-safe-overlays.ts swaps it in at
 * build time). That one copies a target's `::-webkit-scrollbar` size into a <style> element it
 * writes without the page's nonce, which the Content-Security-Policy refuses, every time an Ant
 * Design table mounts. This one measures the same way with no stylesheet: the target's scrollbar
 * colour and width are copied through the element's own style, and a size its `::-webkit-scrollbar`
 * sets is taken as it is.
 */
let cached: { width: number; height: number } | undefined;

function measure(target?: Element): { width: number; height: number } {
  const probe = document.createElement("div");
  const style = probe.style;
  style.position = "absolute";
  style.left = "0";
  style.top = "0";
  style.width = "100px";
  style.height = "100px";
  style.overflow = "scroll";
  let fixedWidth = NaN;
  let fixedHeight = NaN;
  if (target) {
    const targetStyle = getComputedStyle(target);
    style.scrollbarColor = targetStyle.scrollbarColor;
    style.scrollbarWidth = targetStyle.scrollbarWidth;
    const webkit = getComputedStyle(target, "::-webkit-scrollbar");
    fixedWidth = parseInt(webkit.width, 10);
    fixedHeight = parseInt(webkit.height, 10);
  }
  document.body.appendChild(probe);
  const width = fixedWidth || probe.offsetWidth - probe.clientWidth;
  const height = fixedHeight || probe.offsetHeight - probe.clientHeight;
  probe.remove();
  return { width, height };
}

/** The browser's scrollbar width, measured once (again when `fresh`). */
export default function getScrollBarSize(fresh?: boolean): number {
  if (typeof document === "undefined") return 0;
  if (fresh || cached === undefined) cached = measure();
  return cached.width;
}

/** The scrollbar size of `target`, as its styles make it. */
export function getTargetScrollBarSize(target: HTMLElement): { width: number; height: number } {
  if (typeof document === "undefined" || !target || !(target instanceof Element)) return { width: 0, height: 0 };
  return measure(target);
}

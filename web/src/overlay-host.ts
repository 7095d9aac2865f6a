/**
 * Where Ant Design places every dialog, drawer and popup (`ConfigProvider getPopupContainer`): an
 * element of its own at the end of the body rather than the body itself. A dialog or drawer on the
 * body locks the page's scrolling with an inline <style> that @rc-component/portal writes without
 * the page's nonce (its scroll locker calls updateCSS with no `csp` option, and ConfigProvider's
 * `csp` does not reach it), which the Content-Security-Policy refuses. In a container of its own a
 * dialog locks nothing, so no such style is written; the console's panes scroll on their own.
 */
export function overlayHost(): HTMLElement {
  const existing = document.getElementById("overlay-host");
  if (existing) return existing;
  const host = document.createElement("div");
  host.id = "overlay-host";
  document.body.append(host);
  return host;
}

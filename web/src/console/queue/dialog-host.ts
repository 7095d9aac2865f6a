/**
 * Where this area's dialogs are placed: an element of their own rather than the body. A dialog on
 * the body locks the page's scrolling with an inline <style> that carries no nonce, which the
 * Content-Security-Policy refuses; in a container of its own it locks nothing and needs none.
 */
export function dialogHost(): HTMLElement {
  const existing = document.getElementById("dialog-host");
  if (existing) return existing;
  const host = document.createElement("div");
  host.id = "dialog-host";
  document.body.append(host);
  return host;
}

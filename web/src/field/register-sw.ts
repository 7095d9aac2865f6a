/**
 * Registers the field app's service worker (built into /field/sw.js) so the app opens without
 * network once visited. Browsers without service workers (WeChat on iOS) use the app online only;
 * plain HTTP outside localhost has none either, and the app says so.
 */
export function registerServiceWorker(): void {
  if (!("serviceWorker" in navigator) || !window.isSecureContext || import.meta.env.DEV) return;
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/field/sw.js", { scope: "/field/" }).catch(() => {
      // Without it the app still works online; nothing is lost, the outbox lives in IndexedDB.
    });
  });
}

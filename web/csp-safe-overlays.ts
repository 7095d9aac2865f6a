import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";

/**
 * Two modules of Ant Design's components write <style> elements without the page's nonce, which
 * the Content-Security-Policy refuses (Ant Design's `csp` setting does not reach them): the
 * scrollbar measurement every table makes as it mounts, and the scroll lock of an open dialog or
 * drawer. This plugin resolves each to a stand-in of the app's own with the same exports that
 * writes no <style> (web/src/csp/). A test in e2e/admin.e2e.test.ts opens tables and dialogs and
 * expects no refusal, so an upgrade that moves these modules shows there.
 */
const STAND_INS: readonly [string, string][] = [
  ["/@rc-component/util/es/getScrollBarSize.js", fileURLToPath(new URL("src/csp/scrollbar-size.ts", import.meta.url))],
  ["/@rc-component/portal/es/useScrollLocker.js", fileURLToPath(new URL("src/csp/scroll-locker.ts", import.meta.url))],
];

export function cspSafeOverlays(): Plugin {
  return {
    name: "gridgov-csp-safe-overlays",
    enforce: "pre",
    async resolveId(source, importer, options) {
      if (!importer?.includes("@rc-component")) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      const id = resolved?.id.split("?")[0].replaceAll("\\", "/");
      return STAND_INS.find(([module]) => id?.endsWith(module))?.[1] ?? null;
    },
  };
}

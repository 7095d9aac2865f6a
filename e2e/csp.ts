import type { BrowserContext } from "playwright-core";

declare global {
  interface Window {
    reportCspViolation: (report: string) => void;
  }
}

/** Collects into `violations` every Content-Security-Policy violation the context's pages meet. */
export async function collectCspViolations(context: BrowserContext, violations: string[]): Promise<void> {
  await context.exposeFunction("reportCspViolation", (report: string) => violations.push(report));
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      window.reportCspViolation(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`);
    });
  });
}

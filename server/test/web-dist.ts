import path from "node:path";
import { REPO_ROOT } from "./cli.ts";

/** Where `npm run build -w web` puts the web apps the server serves. */
export const WEB_DIST = path.join(REPO_ROOT, "web", "dist");

/** The directives of a Content-Security-Policy header, each with its sources. */
export function directives(header: string | string[] | number | undefined): Map<string, string[]> {
  const policy = new Map<string, string[]>();
  for (const part of String(header ?? "").split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) policy.set(name, sources);
  }
  return policy;
}

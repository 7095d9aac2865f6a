import { startServer, type RunningServer } from "../server/test/cli.ts";

/** The p-th percentile (0–100) of the samples, in the samples' unit. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const fmt = (value: number, digits = 1) => value.toLocaleString("en-US", { maximumFractionDigits: digits });

/** Starts `gridgov serve --demo` and measures the time until /readyz first answers 200. */
export async function startAndTimeReady(env: Record<string, string>): Promise<{ ms: number; server: RunningServer }> {
  const started = performance.now();
  const server = await startServer(env, ["--demo"]);
  return { ms: performance.now() - started, server };
}

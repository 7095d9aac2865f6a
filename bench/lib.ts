import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import zlib from "node:zlib";
import pg from "pg";
import { startServer, type RunningServer } from "../server/test/cli.ts";
import { dropDatabase } from "../server/test/databases.ts";

/** The p-th percentile (0–100) of the samples, in the samples' unit. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** A built file's size as it is, and compressed at the levels the build precompresses with. */
export type FileSize = { raw: number; gzip: number; brotli: number };

export function compressedSize(file: string): FileSize {
  const content = fs.readFileSync(file);
  return {
    raw: content.length,
    gzip: zlib.gzipSync(content, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(content, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length },
    }).length,
  };
}

/** The sizes of several files together. */
export const totalSize = (sizes: FileSize[]): FileSize =>
  sizes.reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli }), { raw: 0, gzip: 0, brotli: 0 });

export const fmt = (value: number, digits = 1) => value.toLocaleString("en-US", { maximumFractionDigits: digits });

/** Starts `gridgov serve --demo` and measures the time until /readyz first answers 200. */
export async function startAndTimeReady(env: Record<string, string>): Promise<{ ms: number; server: RunningServer }> {
  const started = performance.now();
  const server = await startServer(env, ["--demo"]);
  return { ms: performance.now() - started, server };
}

// ---------------------------------------------------------------------------------------------
// Driving load
// ---------------------------------------------------------------------------------------------

export type Load = { done: number; errors: number; latencies: number[]; seconds: number; firstError: string | null };

/** Runs `operation` from `concurrency` loops until the deadline; a throw counts as an error. */
export async function drive(seconds: number, concurrency: number, operation: () => Promise<void>): Promise<Load> {
  const load: Load = { done: 0, errors: 0, latencies: [], seconds, firstError: null };
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const begun = performance.now();
        try {
          await operation();
          load.latencies.push(performance.now() - begun);
          load.done++;
        } catch (error) {
          load.errors++;
          load.firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  load.seconds = (performance.now() - started) / 1000;
  return load;
}

export const latency = (samples: number[]) =>
  samples.length ? `p50 ${fmt(percentile(samples, 50), 2)} ms, p99 ${fmt(percentile(samples, 99), 2)} ms` : "no samples";
export const errorNote = (load: Pick<Load, "errors" | "firstError">) =>
  `${load.errors} errors${load.firstError ? ` (first: ${load.firstError.slice(0, 160)})` : ""}`;

// ---------------------------------------------------------------------------------------------
// HTTP client
// ---------------------------------------------------------------------------------------------

export type Answer = { status: number; etag: string | null; body: unknown };

/**
 * A JSON client over keep-alive HTTP, as a mobile app or a machine client talks: gzip accepted.
 * node:http rather than fetch, whose web streams cost the process that also runs the server more
 * than the requests themselves.
 */
export class Client {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  constructor(private readonly base: string) {}

  request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer & { cookies: string[] }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const outgoing: Record<string, string | number> = { "accept-encoding": "gzip", ...headers };
    if (payload) Object.assign(outgoing, { "content-type": "application/json", "content-length": payload.length });
    return new Promise((resolve, reject) => {
      const request = http.request(this.base + url, { method, headers: outgoing, agent: this.agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          try {
            const raw = Buffer.concat(chunks);
            const text = (response.headers["content-encoding"] === "gzip" ? zlib.gunzipSync(raw) : raw).toString("utf8");
            resolve({
              status: response.statusCode ?? 0,
              etag: (response.headers.etag as string | undefined) ?? null,
              body: text && response.headers["content-type"]?.startsWith("application/json") ? (JSON.parse(text) as unknown) : text,
              cookies: response.headers["set-cookie"] ?? [],
            });
          } catch (error) {
            reject(error);
          }
        });
      });
      request.on("error", reject);
      request.end(payload);
    });
  }

  /**
   * Requests `url` and reads its answer without keeping or decoding it, as a download to another
   * machine would: answers the status. Decompressing a large download here would hold the event
   * loop that times the other requests of the same bench.
   */
  drain(url: string, headers: Record<string, string> = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      const request = http.request(this.base + url, { headers: { "accept-encoding": "gzip", ...headers }, agent: this.agent }, (response) => {
        response.on("error", reject);
        response.on("end", () => resolve(response.statusCode ?? 0));
        response.resume();
      });
      request.on("error", reject);
      request.end();
    });
  }

  post(url: string, body: unknown, headers: Record<string, string> = {}) {
    return this.request("POST", url, body, headers);
  }

  get(url: string, headers: Record<string, string> = {}) {
    return this.request("GET", url, undefined, headers);
  }

  /** Signs in and returns the session cookie, `name=value`. */
  async login(username: string, password: string): Promise<string> {
    const answer = await this.post("/api/v1/auth/login", { username, password });
    const cookie = answer.cookies[0]?.split(";")[0];
    if (answer.status !== 200 || !cookie) throw new Error(`login ${username}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return cookie;
  }
}

/** A fresh database next to the one DATABASE_URL names, dropped after the bench. */
export async function withFreshPostgres(url: string, use: (url: string) => Promise<void>): Promise<void> {
  const name = `gridgov_bench_${crypto.randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
    try {
      const fresh = new URL(url);
      fresh.pathname = `/${name}`;
      await use(fresh.toString());
    } finally {
      // The app's pool reports itself ended before its sockets have closed; dropping under a
      // backend still closing would terminate it with an error on that pool.
      for (let waited = 0; waited < 5000; waited += 50) {
        const { rows } = await admin.query<{ n: number }>("select count(*)::int as n from pg_stat_activity where datname = $1", [name]);
        if (rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await dropDatabase(name, url);
    }
  } finally {
    await admin.end();
  }
}


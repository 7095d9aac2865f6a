import path from "node:path";
import type { DatabaseTarget } from "./db/database.ts";

export type Config = {
  port: number;
  host: string;
  database: DatabaseTarget;
  logLevel: string;
  demoPassword: string;
  /** Cookies get the __Host- prefix and Secure flag when the site is served over HTTPS. */
  secureCookies: boolean;
  session: { idleMinutes: number; absoluteHours: number };
  login: { maxFailures: number; lockoutMinutes: number };
  bodyLimitBytes: number;
  /** Requests a minute one address may make without a session to reports, uploads, tracking and sign-in. */
  publicRequestsPerMinute: number;
  /** Whether X-Forwarded-For names the client (behind a reverse proxy), so that limits count clients, not the proxy. */
  trustProxy: boolean;
  /** Where photos are stored as files. */
  attachmentsDir: string;
  /** Uploads no report or handling step has attached after this many hours are deleted, row and file. */
  unattachedUploadHours: number;
  /** Open cases this close, this recent and this similar are offered as duplicates at intake. */
  duplicates: { radiusMeters: number; days: number; minSimilarity: number };
};

export class ConfigError extends Error {}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

/** Reads and checks the environment once, at start; a bad value stops the start with its name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL?.trim();
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("DATABASE_URL must start with postgres:// or postgresql://");
  }
  const secure = env.SECURE_COOKIES ?? "false";
  if (secure !== "true" && secure !== "false") throw new ConfigError("SECURE_COOKIES must be true or false");
  const trustProxy = env.TRUST_PROXY ?? "false";
  if (trustProxy !== "true" && trustProxy !== "false") throw new ConfigError("TRUST_PROXY must be true or false");
  return {
    port: integer(env, "PORT", 3000, 0, 65535),
    host: env.HOST || "0.0.0.0",
    database: databaseUrl
      ? { kind: "postgres", url: databaseUrl }
      : { kind: "pglite", dataDir: path.resolve(env.DATA_DIR || "./data") },
    logLevel: env.LOG_LEVEL || "info",
    demoPassword: env.GRIDGOV_DEMO_PASSWORD || "gridgov-demo",
    secureCookies: secure === "true",
    session: {
      idleMinutes: integer(env, "SESSION_IDLE_MINUTES", 30, 1, 24 * 60),
      absoluteHours: integer(env, "SESSION_ABSOLUTE_HOURS", 12, 1, 24 * 30),
    },
    login: {
      maxFailures: integer(env, "LOGIN_MAX_FAILURES", 5, 1, 100),
      lockoutMinutes: integer(env, "LOGIN_LOCKOUT_MINUTES", 15, 1, 24 * 60),
    },
    bodyLimitBytes: integer(env, "BODY_LIMIT_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024),
    publicRequestsPerMinute: integer(env, "PUBLIC_REQUESTS_PER_MINUTE", 60, 1, 1_000_000),
    trustProxy: trustProxy === "true",
    duplicates: {
      radiusMeters: integer(env, "DUPLICATE_RADIUS_METERS", 200, 1, 10_000),
      days: integer(env, "DUPLICATE_DAYS", 7, 1, 365),
      minSimilarity: integer(env, "DUPLICATE_MIN_SIMILARITY_PERCENT", 30, 1, 100) / 100,
    },
    attachmentsDir: path.resolve(env.ATTACHMENTS_DIR || path.join(env.DATA_DIR || "./data", "attachments")),
    // Three days by default: a field app keeps its photos until the report is accepted, and may be offline a weekend.
    unattachedUploadHours: integer(env, "UNATTACHED_UPLOAD_HOURS", 72, 1, 24 * 365),
  };
}

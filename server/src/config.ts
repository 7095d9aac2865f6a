import net from "node:net";
import path from "node:path";
import type { DatabaseTarget } from "./db/database.ts";
import { allowedNetworks } from "./http/outbound.ts";

export type Config = {
  port: number;
  host: string;
  database: DatabaseTarget;
  logLevel: string;
  demoPassword: string;
  /** Generated cases a demo start seeds on a fresh database beside the demo district (0: none). */
  demoCases: number;
  /** How often the scheduler publishes each region's bulletin (通报): every half month, month, or never. */
  bulletinPeriod: "half_month" | "month" | "off";
  /** Cookies get the __Host- prefix and Secure flag when the site is served over HTTPS. */
  secureCookies: boolean;
  session: { idleMinutes: number; absoluteHours: number };
  login: { maxFailures: number; lockoutMinutes: number };
  bodyLimitBytes: number;
  /** Requests a minute one address may make without a session to reports, uploads, tracking and rating; and sign-ins, whoever asks. */
  publicRequestsPerMinute: number;
  /** Requests a minute to the same routes for one signed-in user: residents and merchants, staff, and the user's API keys. */
  residentRequestsPerMinute: number;
  staffRequestsPerMinute: number;
  apiKeyRequestsPerMinute: number;
  /**
   * Which reverse proxies are trusted to name the client in X-Forwarded-For: none (false), the
   * number of proxies in front of the server, or their addresses and CIDR ranges.
   */
  trustProxy: TrustProxy;
  /** Where photos are stored as files. */
  attachmentsDir: string;
  /** Uploads no report or handling step has attached after this many hours are deleted, row and file. */
  unattachedUploadHours: number;
  /** Open cases this close, this recent and this similar are offered as duplicates at intake. */
  duplicates: { radiusMeters: number; days: number; minSimilarity: number };
  /**
   * GET /api/v1/events: a stream ends after `maxSeconds` (its client reconnects and resumes; 0 sends
   * what is due and ends), and one user holds at most `perUser` streams in one server process.
   */
  eventStreams: { maxSeconds: number; perUser: number };
  /** The console map's tiles; without a URL the map draws the grids on a plain background. */
  map: MapTiles;
  /** The HTTP SMS gateway outbound messages go through; null: they are only written to the log (the demo). */
  smsGateway: SmsGateway | null;
  /**
   * Networks outbound requests to user-chosen URLs (webhooks, Open311 media_url) may reach although
   * they are loopback, private or link-local; empty in production, `127.0.0.1/32` for local tests.
   */
  outboundAllowedNetworks: string[];
  /** Webhook deliveries: how long a receiver has to answer (WEBHOOK_TIMEOUT_MS). */
  webhooks: { timeoutMs: number };
};

/** How map tiles are drawn: stored points are WGS-84 and are converted to the tiles' system at display time. */
export const TILE_CRS = ["wgs84", "gcj02", "cgcs2000"] as const;
export type TileCrs = (typeof TILE_CRS)[number];
export type MapTiles = { tileUrl: string | null; tileCrs: TileCrs; tileSubdomains: string };

/** `url` holds `{phone}` and `{text}`, filled URL-encoded; `auth` is sent as the Authorization header. */
export type SmsGateway = { url: string; method: "GET" | "POST"; auth: string | null };

export type TrustProxy = false | { hops: number } | { addresses: string[] };

export class ConfigError extends Error {}

/** A few thousand cases over the last 90 days: queues and detail pages with work in every state. */
export const DEFAULT_DEMO_CASES = 3000;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

// Names of ranges that proxy-addr knows: 127.0.0.0/8 and ::1; 169.254.0.0/16 and fe80::/10; 10/8, 172.16/12, 192.168/16 and fc00::/7.
const NAMED_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);

/** TRUST_PROXY: `false`, a hop count, or a comma-separated list of addresses, CIDR ranges and named ranges. */
function trustProxy(raw: string | undefined): TrustProxy {
  const value = raw?.trim() ?? "";
  if (value === "" || value === "false") return false;
  if (value === "true") {
    throw new ConfigError(
      "TRUST_PROXY=true would let any client choose its own address through X-Forwarded-For; set the number of proxies in front of the server (e.g. 1) or their addresses (e.g. 10.0.0.5,192.168.1.0/24)",
    );
  }
  if (/^[0-9]+$/.test(value)) {
    const hops = Number(value);
    if (hops < 1 || hops > 10) throw new ConfigError(`TRUST_PROXY as a number of proxies must be from 1 to 10, not "${raw}"`);
    return { hops };
  }
  const addresses = value.split(",").map((entry) => entry.trim());
  for (const entry of addresses) {
    if (!isAddressOrRange(entry)) {
      throw new ConfigError(`TRUST_PROXY must be false, a number of proxies, or addresses and CIDR ranges separated by commas; "${entry}" is none of these`);
    }
  }
  return { addresses };
}

function isAddressOrRange(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split("/");
  const version = net.isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/**
 * MAP_TILE_URL: an http(s) URL template with {z}, {x} and {y}, and optionally {s}, which becomes
 * each of MAP_TILE_SUBDOMAINS in turn. MAP_TILE_CRS: the tiles' coordinate system.
 */
function mapTiles(env: NodeJS.ProcessEnv): MapTiles {
  const crs = env.MAP_TILE_CRS?.trim() || "wgs84";
  if (!(TILE_CRS as readonly string[]).includes(crs)) throw new ConfigError(`MAP_TILE_CRS must be one of ${TILE_CRS.join(", ")}, not "${crs}"`);
  const subdomains = env.MAP_TILE_SUBDOMAINS?.trim() || "abc";
  if (!/^[a-z0-9]{1,16}$/.test(subdomains)) throw new ConfigError(`MAP_TILE_SUBDOMAINS must be 1 to 16 letters or digits, one per subdomain, not "${subdomains}"`);
  const template = env.MAP_TILE_URL?.trim() || null;
  const tiles = { tileUrl: template, tileCrs: crs as TileCrs, tileSubdomains: subdomains };
  tileSources(tiles);
  return tiles;
}

/**
 * The origins tiles come from, for the Content-Security-Policy: one per subdomain when the host
 * holds {s} (`https://webrd01.is.autonavi.com`, …). A ConfigError when the URL is no valid template.
 */
export function tileSources({ tileUrl, tileSubdomains }: Pick<MapTiles, "tileUrl" | "tileSubdomains">): string[] {
  if (tileUrl === null) return [];
  const invalid = (why: string) => new ConfigError(`MAP_TILE_URL must be an http(s) URL template with {z}, {x} and {y}: ${why}`);
  for (const placeholder of ["{z}", "{x}", "{y}"]) if (!tileUrl.includes(placeholder)) throw invalid(`${placeholder} is missing`);
  if (/\{(?!z\}|x\}|y\}|s\}|r\})/.test(tileUrl)) throw invalid("only {z}, {x}, {y}, {s} and {r} may stand in braces");
  const origins = new Set<string>();
  for (const subdomain of tileUrl.includes("{s}") ? [...tileSubdomains] : [""]) {
    let url: URL;
    try {
      url = new URL(tileUrl.replaceAll("{s}", subdomain).replace(/\{[zxyr]\}/g, "0"));
    } catch {
      throw invalid("not a URL");
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") throw invalid("only http and https");
    if (url.username || url.password) throw invalid("no user name or password in the URL");
    origins.add(url.origin);
  }
  return [...origins];
}

/** Reads and checks the environment once, at start; a bad value stops the start with its name. */
function smsGateway(env: NodeJS.ProcessEnv): SmsGateway | null {
  const url = env.SMS_GATEWAY_URL?.trim();
  const method = (env.SMS_GATEWAY_METHOD?.trim() || "POST").toUpperCase();
  const auth = env.SMS_GATEWAY_AUTH?.trim() || null;
  if (!url) {
    if (env.SMS_GATEWAY_AUTH || env.SMS_GATEWAY_METHOD) throw new ConfigError("SMS_GATEWAY_METHOD and SMS_GATEWAY_AUTH need SMS_GATEWAY_URL");
    return null;
  }
  let parsed: URL;
  try {
    parsed = new URL(url.replaceAll("{phone}", "0").replaceAll("{text}", "x"));
  } catch {
    throw new ConfigError(`SMS_GATEWAY_URL must be an http:// or https:// URL, not "${url}"`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new ConfigError("SMS_GATEWAY_URL must be an http:// or https:// URL");
  if (method !== "GET" && method !== "POST") throw new ConfigError(`SMS_GATEWAY_METHOD must be GET or POST, not "${env.SMS_GATEWAY_METHOD}"`);
  // With GET the URL is all the gateway receives: it must carry both.
  if (method === "GET" && !(url.includes("{phone}") && url.includes("{text}"))) {
    throw new ConfigError("SMS_GATEWAY_URL must hold {phone} and {text} when SMS_GATEWAY_METHOD is GET");
  }
  if (auth !== null && /[\r\n]/.test(auth)) throw new ConfigError("SMS_GATEWAY_AUTH must be one line");
  return { url, method, auth };
}

const BULLETIN_PERIODS = ["half_month", "month", "off"] as const;
/** BULLETIN_PERIOD: half_month (the default), month, or off. */
/** OUTBOUND_ALLOWED_NETWORKS: addresses and CIDR networks separated by commas, validated here so a typo stops the start. */
function outboundAllowed(raw: string | undefined): string[] {
  const entries = (raw ?? "").split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
  try {
    allowedNetworks(entries);
  } catch (error) {
    throw new ConfigError(`OUTBOUND_ALLOWED_NETWORKS must list addresses and CIDR networks separated by commas: ${(error as Error).message}`);
  }
  return entries;
}

function bulletinPeriodOf(value: string | undefined): Config["bulletinPeriod"] {
  const period = value?.trim() || "half_month";
  if (!(BULLETIN_PERIODS as readonly string[]).includes(period)) throw new ConfigError(`BULLETIN_PERIOD must be one of ${BULLETIN_PERIODS.join(", ")}, not "${period}"`);
  return period as Config["bulletinPeriod"];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL?.trim();
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("DATABASE_URL must start with postgres:// or postgresql://");
  }
  const secure = env.SECURE_COOKIES ?? "false";
  if (secure !== "true" && secure !== "false") throw new ConfigError("SECURE_COOKIES must be true or false");
  return {
    port: integer(env, "PORT", 3000, 0, 65535),
    host: env.HOST || "0.0.0.0",
    database: databaseUrl
      ? { kind: "postgres", url: databaseUrl }
      : { kind: "pglite", dataDir: path.resolve(env.DATA_DIR || "./data") },
    logLevel: env.LOG_LEVEL || "info",
    demoPassword: env.GRIDGOV_DEMO_PASSWORD || "gridgov-demo",
    demoCases: integer(env, "DEMO_CASES", DEFAULT_DEMO_CASES, 0, 100_000),
    bulletinPeriod: bulletinPeriodOf(env.BULLETIN_PERIOD),
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
    residentRequestsPerMinute: integer(env, "RESIDENT_REQUESTS_PER_MINUTE", 120, 1, 1_000_000),
    staffRequestsPerMinute: integer(env, "STAFF_REQUESTS_PER_MINUTE", 300, 1, 1_000_000),
    apiKeyRequestsPerMinute: integer(env, "API_KEY_REQUESTS_PER_MINUTE", 600, 1, 1_000_000),
    trustProxy: trustProxy(env.TRUST_PROXY),
    duplicates: {
      radiusMeters: integer(env, "DUPLICATE_RADIUS_METERS", 200, 1, 10_000),
      days: integer(env, "DUPLICATE_DAYS", 7, 1, 365),
      minSimilarity: integer(env, "DUPLICATE_MIN_SIMILARITY_PERCENT", 30, 1, 100) / 100,
    },
    eventStreams: {
      maxSeconds: integer(env, "EVENT_STREAM_MAX_SECONDS", 3600, 0, 24 * 3600),
      perUser: integer(env, "EVENT_STREAMS_PER_USER", 5, 1, 100),
    },
    map: mapTiles(env),
    smsGateway: smsGateway(env),
    outboundAllowedNetworks: outboundAllowed(env.OUTBOUND_ALLOWED_NETWORKS),
    webhooks: { timeoutMs: integer(env, "WEBHOOK_TIMEOUT_MS", 10_000, 100, 60_000) },
    attachmentsDir: path.resolve(env.ATTACHMENTS_DIR || path.join(env.DATA_DIR || "./data", "attachments")),
    // Three days by default: a field app keeps its photos until the report is accepted, and may be offline a weekend.
    unattachedUploadHours: integer(env, "UNATTACHED_UPLOAD_HOURS", 72, 1, 24 * 365),
  };
}

import crypto from "node:crypto";

/**
 * How a delivery is signed (docs/operations.md shows a receiver's check): the hex HMAC-SHA256,
 * under the subscription's secret, of the Gridgov-Timestamp header's value, a dot, and the raw
 * body. The timestamp (Unix seconds) is signed so that a receiver can refuse an old delivery replayed
 * by someone who captured it.
 */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${crypto.createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** A receiver's check, in constant time. */
export function signatureValid(secret: string, timestamp: string, body: string, header: string): boolean {
  const expected = Buffer.from(signature(secret, timestamp, body));
  const given = Buffer.from(header);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

/** Secrets are told apart from API keys (ggk_) and screen tokens (ggs_) at a glance. */
export const SECRET_PREFIX = "whsec_";

export function newSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(32).toString("base64url");
}

/** The first retry waits this long, each later one twice as long, up to RETRY_MAX_MS. */
export const RETRY_BASE_MS = 10_000;
export const RETRY_MAX_MS = 3_600_000;
/** A delivery failing this long disables its subscription. */
export const GIVE_UP_MS = 24 * 3_600_000;

/**
 * The wait before the next attempt after `attempts` failed ones: exponential, capped, with "equal
 * jitter" (half fixed, half random) so that receivers coming back up are not hit by every sender at once.
 */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const exponential = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

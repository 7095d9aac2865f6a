import crypto from "node:crypto";
import { AppError } from "../../errors.ts";

/**
 * Idempotency keys as stored: the row is found by a hash of the scope and the key, and the first
 * answer is sealed with AES-256-GCM under a key derived (HKDF-SHA-256) from the Idempotency-Key
 * itself, so that a stored row, read from the database or a backup, is useless without the key.
 * The request body is recognised by an HMAC under another derived key, not a bare hash of it.
 */

/** How long a key answers retries; after that the same key starts a new request. */
export const IDEMPOTENCY_TTL_HOURS = 24;

// Base64 (either alphabet), hex, UUIDs and similar tokens; nothing that needs escaping anywhere.
const KEY_ALPHABET = /^[A-Za-z0-9_\-+/=.:]+$/;
export const MAX_KEY_LENGTH = 128;
/** Signed-in callers' keys are looked up in their own scope; anything unique to them will do. */
export const MIN_KEY_LENGTH = 8;
/**
 * Anonymous callers share one scope, so the key alone keeps their answers (with the tracking
 * token) apart: 22 characters is 128 bits of randomness in base64 (16 random bytes).
 */
export const MIN_ANONYMOUS_KEY_LENGTH = 22;

/** The stored form of one key: where its row is, and the keys that seal its answer and recognise its body. */
export type IdempotencySecrets = { keyHash: Buffer; sealKey: Buffer; macKey: Buffer };

/** Refuses a key outside the alphabet or too short for who sends it (400 `invalid_idempotency_key`). */
export function checkIdempotencyKey(key: string, anonymous: boolean): void {
  const min = anonymous ? MIN_ANONYMOUS_KEY_LENGTH : MIN_KEY_LENGTH;
  if (key.length < min || key.length > MAX_KEY_LENGTH || !KEY_ALPHABET.test(key)) {
    throw new AppError(
      400,
      "invalid_idempotency_key",
      `An Idempotency-Key is ${min} to ${MAX_KEY_LENGTH} characters of A–Z, a–z, 0–9 and - _ + / = . :` +
        (anonymous ? "; without a session it must hold 128 random bits, e.g. 16 random bytes in base64url" : ""),
    );
  }
}

/** Derives the row's hash and the two secret keys from the scope and the Idempotency-Key. */
export function idempotencySecrets(scope: string, key: string): IdempotencySecrets {
  const keyHash = crypto.createHash("sha256").update(`gridgov idempotency\0${scope}\0${key}`).digest();
  const derived = Buffer.from(crypto.hkdfSync("sha256", key, `gridgov idempotency\0${scope}`, "answer seal and request mac", 64));
  return { keyHash, sealKey: derived.subarray(0, 32), macKey: derived.subarray(32) };
}

/** Recognises the same request body again without storing anything a guess could be checked against. */
export function requestMac(secrets: IdempotencySecrets, body: string): Buffer {
  return crypto.createHmac("sha256", secrets.macKey).update(body).digest();
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The answer encrypted for storage: IV, tag, ciphertext; bound to its row by the key hash. */
export function sealAnswer(secrets: IdempotencySecrets, answer: unknown): Buffer {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv("aes-256-gcm", secrets.sealKey, iv);
  cipher.setAAD(secrets.keyHash);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(answer), "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

/** Decrypts a stored answer; throws if it was not sealed under these secrets or was altered. */
export function openAnswer(secrets: IdempotencySecrets, sealed: Buffer): unknown {
  const decipher = crypto.createDecipheriv("aes-256-gcm", secrets.sealKey, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(secrets.keyHash);
  decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  const plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  return JSON.parse(plain.toString("utf8"));
}

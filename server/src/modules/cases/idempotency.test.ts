import { describe, expect, it } from "vitest";
import { checkIdempotencyKey, idempotencySecrets, openAnswer, requestMac, sealAnswer } from "./idempotency.ts";

describe("idempotency secrets", () => {
  const key = "Zq3Xv0d8Jm1Kp9Lr2Ts4Uw";

  it("opens an answer only with the key and scope it was sealed under", () => {
    const secrets = idempotencySecrets("anonymous", key);
    const sealed = sealAnswer(secrets, { trackingToken: "secret-token" });
    expect(sealed.includes("secret-token")).toBe(false);
    expect(openAnswer(idempotencySecrets("anonymous", key), sealed)).toEqual({ trackingToken: "secret-token" });
    expect(() => openAnswer(idempotencySecrets("anonymous", `${key}x`), sealed)).toThrow();
    expect(() => openAnswer(idempotencySecrets("user:1", key), sealed)).toThrow();
    const altered = Buffer.from(sealed);
    altered[altered.length - 1] ^= 1;
    expect(() => openAnswer(secrets, altered)).toThrow();
  });

  it("hashes and recognises requests per scope and key", () => {
    const a = idempotencySecrets("anonymous", key);
    expect(a.keyHash.equals(idempotencySecrets("user:1", key).keyHash)).toBe(false);
    expect(requestMac(a, "{}").equals(requestMac(idempotencySecrets("anonymous", key), "{}"))).toBe(true);
    expect(requestMac(a, "{}").equals(requestMac(idempotencySecrets("anonymous", `${key}x`), "{}"))).toBe(false);
  });

  it("takes 22 characters without a session, 8 with one, from the token alphabet", () => {
    expect(() => checkIdempotencyKey(key, true)).not.toThrow();
    expect(() => checkIdempotencyKey(key.slice(1), true)).toThrow(/128 random bits/);
    expect(() => checkIdempotencyKey("abcd-123", false)).not.toThrow();
    expect(() => checkIdempotencyKey("abcd-12", false)).toThrow();
    expect(() => checkIdempotencyKey(`${key}\n`, true)).toThrow();
  });
});

import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { GIVE_UP_MS, newSecret, RETRY_BASE_MS, RETRY_MAX_MS, retryDelayMs, signature, signatureValid } from "./webhook-signature.ts";

describe("webhook signatures", () => {
  it("are the hex HMAC-SHA256 of timestamp, dot and body, as documented", () => {
    const secret = newSecret();
    const body = JSON.stringify({ id: "e1", kind: "report" });
    const expected = crypto.createHmac("sha256", secret).update(`1700000000.${body}`).digest("hex");
    expect(signature(secret, "1700000000", body)).toBe(`sha256=${expected}`);
    expect(signatureValid(secret, "1700000000", body, `sha256=${expected}`)).toBe(true);
    expect(signatureValid(secret, "1700000001", body, `sha256=${expected}`)).toBe(false);
    expect(signatureValid(newSecret(), "1700000000", body, `sha256=${expected}`)).toBe(false);
    expect(signatureValid(secret, "1700000000", body, "sha256=00")).toBe(false);
  });

  it("makes a new secret every time", () => {
    expect(newSecret()).not.toBe(newSecret());
    expect(newSecret()).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  });
});

describe("retry delays", () => {
  it("double from the base, with jitter in the upper half, up to the cap", () => {
    expect(retryDelayMs(1, () => 0)).toBe(RETRY_BASE_MS / 2);
    expect(retryDelayMs(1, () => 1)).toBe(RETRY_BASE_MS);
    expect(retryDelayMs(3, () => 1)).toBe(RETRY_BASE_MS * 4);
    expect(retryDelayMs(40, () => 1)).toBe(RETRY_MAX_MS);
    expect(retryDelayMs(40, () => 0)).toBe(RETRY_MAX_MS / 2);
  });

  it("spread a day of failures over a few dozen attempts", () => {
    let elapsed = 0;
    let attempts = 0;
    while (elapsed < GIVE_UP_MS) elapsed += retryDelayMs(++attempts, () => 0.5);
    expect(attempts).toBeGreaterThan(20);
    expect(attempts).toBeLessThan(60);
  });
});

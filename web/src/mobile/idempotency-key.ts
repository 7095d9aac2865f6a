/**
 * A fresh Idempotency-Key: 16 random bytes in base64url (22 characters, what the API asks of a caller
 * without a session). crypto.getRandomValues works over plain HTTP too, unlike crypto.randomUUID.
 */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

import type { Actor } from "./actor.ts";
import type { SessionCache } from "./session-cache.ts";

/** How long a resolved key is trusted without reading it again: as long as a session. */
const TRUST_MS = 5_000;
const MAX_ENTRIES = 10_000;

declare module "../../context.ts" {
  interface AppParts {
    apiKeys: ApiKeyCache;
  }
}

type Entry = { actor: Actor; keyId: string; expiresAt: number | null; until: number };

/**
 * API keys resolved in the last few seconds, by key hash, so that a client posting many requests
 * does not cost a database read per request. A key's expiry is exact: it is checked on the cached
 * entry. A revocation in this process, and any change to the key's account (which evicts the
 * account's sessions), evicts its keys at once; in another process (the command line's
 * `gridgov api-keys revoke`, another server of a cluster) it takes effect within TRUST_MS.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(sessions: SessionCache) {
    sessions.onEvict((evicted) => {
      if ("userId" in evicted) this.evictUser(evicted.userId);
    });
  }

  get(keyHash: string, now = Date.now()): Actor | undefined {
    const entry = this.entries.get(keyHash);
    if (!entry) return undefined;
    if (entry.until > now && (entry.expiresAt === null || entry.expiresAt > now)) return entry.actor;
    this.entries.delete(keyHash);
    return undefined;
  }

  set(keyHash: string, actor: Actor & { apiKey: NonNullable<Actor["apiKey"]> }, expiresAt: Date | null, now = Date.now()): void {
    // Maps keep insertion order: past the bound, the oldest entry goes first.
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(keyHash, { actor, keyId: actor.apiKey.id, expiresAt: expiresAt?.getTime() ?? null, until: now + TRUST_MS });
  }

  /** Forgets a key that has just been revoked. */
  evictKey(keyId: string): void {
    for (const [keyHash, entry] of this.entries) if (entry.keyId === keyId) this.entries.delete(keyHash);
  }

  /** Forgets every key of a user whose account has just changed. */
  evictUser(userId: string): void {
    for (const [keyHash, entry] of this.entries) if (entry.actor.userId === userId) this.entries.delete(keyHash);
  }
}

import type { Actor } from "./actor.ts";

/** How long a resolved session is trusted without reading it again. */
const TRUST_MS = 5_000;
const MAX_ENTRIES = 10_000;

/**
 * Sessions resolved in the last few seconds, so that a busy client does not cost a database read
 * per request. A logout, or a change to an account, in this process evicts its sessions at once;
 * in another process of a cluster it takes effect within TRUST_MS.
 */
declare module "../../context.ts" {
  interface AppParts {
    sessions: SessionCache;
  }
}

/** What was just ended in this process: one session, or every session of a user. */
export type Evicted = { tokenHash: string } | { userId: string };

export class SessionCache {
  private readonly entries = new Map<string, { actor: Actor; until: number }>();
  private readonly listeners = new Set<(evicted: Evicted) => void>();

  /** Calls `listener` on every eviction (connections that stay open end with their session); returns the unsubscribe. */
  onEvict(listener: (evicted: Evicted) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(tokenHash: string, now = Date.now()): Actor | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (entry.until > now) return entry.actor;
    this.entries.delete(tokenHash);
    return undefined;
  }

  set(tokenHash: string, actor: Actor, now = Date.now()): void {
    // Maps keep insertion order: past the bound, the oldest entry goes first.
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(tokenHash, { actor, until: now + TRUST_MS });
  }

  evict(tokenHash: string): void {
    this.entries.delete(tokenHash);
    for (const listener of this.listeners) listener({ tokenHash });
  }

  /** Forgets every session of a user, whose account or sessions have just changed. */
  evictUser(userId: string): void {
    for (const [tokenHash, entry] of this.entries) {
      if (entry.actor.userId === userId) this.entries.delete(tokenHash);
    }
    for (const listener of this.listeners) listener({ userId });
  }
}

/**
 * Requests per client address in fixed one-minute windows. Public routes that write or look up
 * secrets (reports, photo uploads, case tracking, sign-in) are limited for callers without a
 * session, so that one address cannot flood the intake or guess tracking tokens. In memory: each
 * server process counts on its own.
 */
export class RateLimiter {
  private window = 0;
  private counts = new Map<string, number>();

  constructor(private readonly perMinute: number) {}

  /** Counts a request; answers the seconds to wait when the address is over its limit, else 0. */
  hit(address: string, now = Date.now()): number {
    const window = Math.floor(now / 60_000);
    if (window !== this.window) {
      this.window = window;
      this.counts = new Map();
    }
    const count = (this.counts.get(address) ?? 0) + 1;
    this.counts.set(address, count);
    return count > this.perMinute ? Math.ceil(((window + 1) * 60_000 - now) / 1000) : 0;
  }
}

import type { TrustProxy } from "../config.ts";

/** What Fastify's `trustProxy` option is given for TRUST_PROXY. */
export type TrustProxyOption = false | string[] | ((address: string, hop: number) => boolean);

/**
 * The client is the right-most address of X-Forwarded-For that no trusted proxy added: each
 * trusted proxy appends the address it was called from, so the entries left of it are whatever the
 * client sent. Addresses and ranges are checked hop by hop from the connection inwards. A count of
 * proxies trusts that many hops whoever connects (Fastify's own number option trusts none), so it
 * is for servers that only the proxies can reach.
 */
export function trustProxyOption(trust: TrustProxy): TrustProxyOption {
  if (trust === false) return false;
  if ("hops" in trust) {
    const { hops } = trust;
    return (_address, hop) => hop < hops;
  }
  return trust.addresses;
}

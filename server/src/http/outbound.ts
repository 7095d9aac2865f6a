import dns from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import net from "node:net";

/**
 * Requests to addresses that users, not operators, choose: webhook URLs and Open311 `media_url`s.
 * Without a guard such a URL reaches the server's own loopback services, the private network
 * behind it or a cloud's metadata service. Every request resolves the host, refuses it when any of
 * its addresses lies in a blocked network (unless the configuration allows that network), then
 * connects to the very address it checked, so a second DNS answer cannot swap it. Redirects are
 * never followed: a 3xx is answered as it came.
 */

/** Networks no outbound request may reach unless allowed: loopback, private, link-local (with metadata services), shared, reserved. */
const BLOCKED_V4 = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const;
const BLOCKED_V6 = [
  ["::", 128],
  ["::1", 128],
  ["64:ff9b::", 96],
  ["100::", 64],
  ["2001:db8::", 32],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const;

export type OutboundPolicy = {
  /** Networks (CIDR or single addresses) an administrator allows despite the blocked ranges, e.g. 127.0.0.1/32 for tests. */
  allowedNetworks: readonly string[];
};

export type OutboundErrorCode =
  | "outbound_url_invalid"
  | "outbound_address_refused"
  | "outbound_unresolvable"
  | "outbound_too_large"
  | "outbound_timeout"
  | "outbound_failed";

/** Why an outbound request was not made or did not complete; `code` is stable, for the API and delivery logs. */
export class OutboundError extends Error {
  constructor(
    readonly code: OutboundErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type OutboundRequest = {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The whole exchange, connection to last byte. */
  timeoutMs: number;
  /** A longer answer is cut off with outbound_too_large. */
  maxResponseBytes: number;
};

export type OutboundResponse = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };

function blockList(entries: readonly (readonly [string, number])[], type: "ipv4" | "ipv6", list = new net.BlockList()): net.BlockList {
  for (const [address, prefix] of entries) list.addSubnet(address, prefix, type);
  return list;
}

const blocked = blockList(BLOCKED_V6, "ipv6", blockList(BLOCKED_V4, "ipv4"));

/** A block list of the allowed networks, or a message saying which entry is no network. */
export function allowedNetworks(entries: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address, prefixText, ...rest] = entry.split("/");
    const version = net.isIP(address);
    const max = version === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (version === 0 || rest.length > 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > max || (prefixText !== undefined && !/^[0-9]{1,3}$/.test(prefixText))) {
      throw new Error(`"${entry}" is not an address or CIDR network`);
    }
    list.addSubnet(address, prefix, version === 4 ? "ipv4" : "ipv6");
  }
  return list;
}

/** Whether a request may connect to this address under the policy. IPv4-mapped IPv6 addresses are judged as IPv4. */
export function isAddressAllowed(address: string, allowed: net.BlockList): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const plain = mapped ? mapped[1] : address;
  const type = net.isIP(plain) === 4 ? "ipv4" : "ipv6";
  if (allowed.check(plain, type)) return true;
  return !blocked.check(plain, type);
}

/** The URL parsed, only http(s), no credentials in it. */
export function outboundUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundError("outbound_url_invalid", "The URL is not a valid absolute URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new OutboundError("outbound_url_invalid", "Only http and https URLs are allowed");
  if (url.username !== "" || url.password !== "") throw new OutboundError("outbound_url_invalid", "A URL may not carry a user name or password");
  return url;
}

/** The address to connect to: the host's first address, after every address it resolves to passed the policy. */
export async function resolveOutbound(url: URL, allowed: net.BlockList): Promise<{ address: string; family: 4 | 6 }> {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  let addresses: { address: string; family: number }[];
  if (net.isIP(host) !== 0) addresses = [{ address: host, family: net.isIP(host) }];
  else {
    try {
      addresses = await dns.lookup(host, { all: true, verbatim: true });
    } catch {
      throw new OutboundError("outbound_unresolvable", `The host ${host} cannot be resolved`);
    }
  }
  if (addresses.length === 0) throw new OutboundError("outbound_unresolvable", `The host ${host} has no address`);
  // Every address must pass: a host answering one public and one private address is refused.
  const refused = addresses.find(({ address }) => !isAddressAllowed(address, allowed));
  if (refused) throw new OutboundError("outbound_address_refused", `The host ${host} resolves to ${refused.address}, a loopback, private, link-local or reserved address`);
  return { address: addresses[0].address, family: addresses[0].family === 6 ? 6 : 4 };
}

/** Makes one request under the policy: resolved and checked, pinned to the checked address, bounded in time and size. */
export async function outboundRequest(request: OutboundRequest, allowed: net.BlockList): Promise<OutboundResponse> {
  const url = outboundUrl(request.url);
  const target = await resolveOutbound(url, allowed);
  const client = url.protocol === "https:" ? https : http;
  return new Promise<OutboundResponse>((resolve, reject) => {
    const outgoing = client.request(
      url,
      {
        method: request.method ?? "GET",
        headers: request.headers,
        // Connect to the address that was checked; TLS still verifies the certificate for the host name.
        lookup: (_host, options, callback) => {
          if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
          else callback(null, target.address, target.family);
        },
        agent: false,
      },
      (incoming) => {
        const declared = Number(incoming.headers["content-length"]);
        if (Number.isFinite(declared) && declared > request.maxResponseBytes) {
          outgoing.destroy(new OutboundError("outbound_too_large", `The answer declares ${declared} bytes, more than ${request.maxResponseBytes}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        incoming.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > request.maxResponseBytes) {
            outgoing.destroy(new OutboundError("outbound_too_large", `The answer is longer than ${request.maxResponseBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks) }));
        incoming.on("error", (error) => reject(asOutboundError(error)));
      },
    );
    const timer = setTimeout(() => outgoing.destroy(new OutboundError("outbound_timeout", `No complete answer within ${request.timeoutMs} ms`)), request.timeoutMs);
    outgoing.on("close", () => clearTimeout(timer));
    outgoing.on("error", (error) => reject(asOutboundError(error)));
    outgoing.end(request.body);
  });
}

function asOutboundError(error: Error): OutboundError {
  return error instanceof OutboundError ? error : new OutboundError("outbound_failed", error.message);
}

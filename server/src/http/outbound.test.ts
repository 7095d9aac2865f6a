import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowedNetworks, isAddressAllowed, OutboundError, outboundRequest } from "./outbound.ts";

const none = allowedNetworks([]);
const loopback = allowedNetworks(["127.0.0.1/32", "::1"]);

describe("outbound address policy", () => {
  it("refuses loopback, private, link-local, metadata, shared and reserved addresses", () => {
    for (const address of ["127.0.0.1", "127.8.9.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fd00:ec2::254", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1"]) {
      expect(isAddressAllowed(address, none), address).toBe(false);
    }
  });

  it("lets public addresses through", () => {
    for (const address of ["8.8.8.8", "1.2.3.4", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"]) {
      expect(isAddressAllowed(address, none), address).toBe(true);
    }
  });

  it("lets through exactly the networks an administrator allows", () => {
    expect(isAddressAllowed("127.0.0.1", loopback)).toBe(true);
    expect(isAddressAllowed("::ffff:127.0.0.1", loopback)).toBe(true);
    expect(isAddressAllowed("127.0.0.2", loopback)).toBe(false);
    expect(isAddressAllowed("10.0.0.1", allowedNetworks(["10.0.0.0/8"]))).toBe(true);
  });

  it("reads no malformed network", () => {
    for (const entry of ["10.0.0.0/33", "localhost", "10.0.0.0/8/1", "::1/129", "1.2.3.4/x"]) expect(() => allowedNetworks([entry]), entry).toThrow();
  });
});

describe("outbound requests", () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      if (request.url === "/redirect") response.writeHead(302, { location: "http://127.0.0.1:1/" }).end();
      else if (request.url === "/large") response.end(Buffer.alloc(4096));
      else if (request.url === "/slow") setTimeout(() => response.end("late"), 2000);
      else request.pipe(response);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const request = (path: string, allowed = loopback) =>
    outboundRequest({ url: base + path, method: "POST", body: "hello", timeoutMs: 1000, maxResponseBytes: 1024 }, allowed);
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundError);
    return (error as OutboundError).code;
  };

  it("refuses a loopback receiver unless its network is allowed, also by host name", async () => {
    expect(await failure(request("/echo", none))).toBe("outbound_address_refused");
    expect(await failure(outboundRequest({ url: base.replace("127.0.0.1", "localhost"), timeoutMs: 1000, maxResponseBytes: 1024 }, none))).toBe("outbound_address_refused");
    const answer = await request("/echo");
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe("hello");
  });

  it("answers a redirect as it came, without following it", async () => {
    const answer = await request("/redirect");
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe("http://127.0.0.1:1/");
  });

  it("cuts off a long answer and a slow one", async () => {
    expect(await failure(request("/large"))).toBe("outbound_too_large");
    expect(await failure(request("/slow"))).toBe("outbound_timeout");
  });

  it("refuses URLs that are no http(s) or carry credentials", async () => {
    for (const url of ["file:///etc/passwd", "ftp://example.com/", "http://user:pw@example.com/", "not a url"]) {
      expect(await failure(outboundRequest({ url, timeoutMs: 1000, maxResponseBytes: 1024 }, none)), url).toBe("outbound_url_invalid");
    }
  });
});

import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, tileSources } from "./config.ts";

const trustProxyOf = (value: string) => loadConfig({ TRUST_PROXY: value }).trustProxy;

describe("TRUST_PROXY", () => {
  it("is off by default and with false", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(trustProxyOf("false")).toBe(false);
  });

  it("takes a number of proxies, or their addresses, CIDR ranges and named ranges", () => {
    expect(trustProxyOf("2")).toEqual({ hops: 2 });
    expect(trustProxyOf("10.0.0.5, 192.168.1.0/24,2001:db8::/32,::1,loopback")).toEqual({
      addresses: ["10.0.0.5", "192.168.1.0/24", "2001:db8::/32", "::1", "loopback"],
    });
  });

  it("refuses true, which would trust whatever a client writes, and says what to write instead", () => {
    expect(() => trustProxyOf("true")).toThrow(ConfigError);
    expect(() => trustProxyOf("true")).toThrow(/number of proxies .*\(e\.g\. 1\).* addresses/);
  });

  it("refuses what is neither a count nor an address or range", () => {
    for (const bad of ["0", "11", "yes", "10.0.0.300", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/8/8", "10.0.0.1,", "proxy.example.org"]) {
      expect(() => trustProxyOf(bad), bad).toThrow(ConfigError);
    }
  });
});

describe("per-user limits", () => {
  it("default to more for staff than for residents, and more still for API keys", () => {
    const config = loadConfig({});
    expect(config.publicRequestsPerMinute).toBe(60);
    expect(config.residentRequestsPerMinute).toBe(120);
    expect(config.staffRequestsPerMinute).toBe(300);
    expect(config.apiKeyRequestsPerMinute).toBe(600);
    expect(() => loadConfig({ STAFF_REQUESTS_PER_MINUTE: "0" })).toThrow(/STAFF_REQUESTS_PER_MINUTE/);
  });
});

describe("DEMO_CASES", () => {
  it("seeds 3,000 generated cases by default, none with 0, and refuses what is no count", () => {
    expect(loadConfig({}).demoCases).toBe(3000);
    expect(loadConfig({ DEMO_CASES: "0" }).demoCases).toBe(0);
    for (const bad of ["-1", "many", "1.5", "100001"]) expect(() => loadConfig({ DEMO_CASES: bad }), bad).toThrow(ConfigError);
  });
});

describe("map tiles", () => {
  it("default to none, drawn as WGS-84", () => {
    expect(loadConfig({}).map).toEqual({ tileUrl: null, tileCrs: "wgs84", tileSubdomains: "abc" });
  });

  it("take a URL template and a coordinate system, and give the CSP their hosts, one per subdomain", () => {
    const config = loadConfig({ MAP_TILE_URL: "https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}", MAP_TILE_CRS: "gcj02" });
    expect(config.map.tileCrs).toBe("gcj02");
    expect(tileSources({ ...config.map, tileSubdomains: "12" })).toEqual(["https://webrd01.is.autonavi.com", "https://webrd02.is.autonavi.com"]);
    expect(tileSources({ tileUrl: "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", tileSubdomains: "abc" })).toEqual([
      "https://a.tile.openstreetmap.org",
      "https://b.tile.openstreetmap.org",
      "https://c.tile.openstreetmap.org",
    ]);
    expect(tileSources({ tileUrl: "http://127.0.0.1:8089/tiles/{z}/{x}/{y}.png", tileSubdomains: "abc" })).toEqual(["http://127.0.0.1:8089"]);
    expect(loadConfig({ MAP_TILE_CRS: "cgcs2000", MAP_TILE_SUBDOMAINS: "01234567" }).map).toMatchObject({ tileCrs: "cgcs2000", tileSubdomains: "01234567" });
  });

  it("refuse what is no tile template, or an unknown coordinate system", () => {
    for (const bad of ["https://tiles.example.com/{z}/{x}.png", "ftp://tiles.example.com/{z}/{x}/{y}", "tiles/{z}/{x}/{y}.png", "https://tiles.example.com/{z}/{x}/{y}/{key}", "https://u:p@tiles.example.com/{z}/{x}/{y}"]) {
      expect(() => loadConfig({ MAP_TILE_URL: bad }), bad).toThrow(/MAP_TILE_URL/);
    }
    expect(() => loadConfig({ MAP_TILE_CRS: "bd09" })).toThrow(/MAP_TILE_CRS/);
    expect(() => loadConfig({ MAP_TILE_SUBDOMAINS: "a,b" })).toThrow(/MAP_TILE_SUBDOMAINS/);
  });
});

describe("SMS_GATEWAY_URL", () => {
  it("is off by default: messages go to the log", () => {
    expect(loadConfig({}).smsGateway).toBeNull();
  });

  it("takes a URL template, a method and an Authorization value", () => {
    expect(loadConfig({ SMS_GATEWAY_URL: "https://sms.example.cn/send?to={phone}&text={text}", SMS_GATEWAY_METHOD: "get", SMS_GATEWAY_AUTH: "Bearer k" }).smsGateway).toEqual({
      url: "https://sms.example.cn/send?to={phone}&text={text}",
      method: "GET",
      auth: "Bearer k",
    });
    expect(loadConfig({ SMS_GATEWAY_URL: "https://sms.example.cn/send" }).smsGateway?.method).toBe("POST");
  });

  it("refuses what would not reach a gateway", () => {
    for (const env of [
      { SMS_GATEWAY_URL: "ftp://sms.example.cn/{phone}/{text}" },
      { SMS_GATEWAY_URL: "not a url" },
      { SMS_GATEWAY_URL: "https://sms.example.cn/send", SMS_GATEWAY_METHOD: "PUT" },
      { SMS_GATEWAY_URL: "https://sms.example.cn/send?to={phone}", SMS_GATEWAY_METHOD: "GET" },
      { SMS_GATEWAY_AUTH: "Bearer k" },
    ]) {
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(ConfigError);
    }
  });
});

describe("OUTBOUND_ALLOWED_NETWORKS", () => {
  it("is empty by default and takes addresses and CIDR networks", () => {
    expect(loadConfig({}).outboundAllowedNetworks).toEqual([]);
    expect(loadConfig({ OUTBOUND_ALLOWED_NETWORKS: "127.0.0.1/32, ::1,10.0.0.0/8" }).outboundAllowedNetworks).toEqual(["127.0.0.1/32", "::1", "10.0.0.0/8"]);
  });

  it("refuses what is no network, naming it", () => {
    expect(() => loadConfig({ OUTBOUND_ALLOWED_NETWORKS: "127.0.0.1/32,intranet" })).toThrow(/"intranet"/);
  });
});

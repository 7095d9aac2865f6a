import { describe, expect, it } from "vitest";
import { loadKey, normaliseNumber, readTrackingLink, saveKey, stepOf } from "./tracking";

const TOKEN = "abcdefghijklmnopqrstuv";

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
  };
}

describe("tracking links and keys", () => {
  it("reads the number and the token from a link and gives the address without the token", () => {
    expect(readTrackingLink({ pathname: "/resident/track", search: "?number=530103-20261203-00017", hash: `#token=${TOKEN}` })).toEqual({
      key: { number: "530103-20261203-00017", token: TOKEN },
      cleanUrl: "/resident/track?number=530103-20261203-00017",
    });
    expect(readTrackingLink({ pathname: "/resident/track", search: `?token=${TOKEN}&number=530103-20261203-00017`, hash: "" }).cleanUrl).toBe(
      "/resident/track?number=530103-20261203-00017",
    );
    // A token alone is still taken out of the address, though it opens nothing.
    expect(readTrackingLink({ pathname: "/resident/track", search: "", hash: "#token=short" })).toEqual({ key: undefined, cleanUrl: "/resident/track" });
    expect(readTrackingLink({ pathname: "/resident/track", search: "?number=530103-20261203-00017", hash: "" })).toEqual({});
  });

  it("accepts a number typed with spaces or full-width dashes", () => {
    expect(normaliseNumber(" 530103－20261203－00017 ")).toBe("530103-20261203-00017");
    expect(normaliseNumber("20261203-00017")).toBeUndefined();
  });

  it("keeps the key in the tab's storage and refuses what it did not write", () => {
    const storage = memoryStorage();
    saveKey(storage, { number: "530103-20261203-00017", token: TOKEN });
    expect(loadKey(storage)).toEqual({ number: "530103-20261203-00017", token: TOKEN });
    storage.setItem("gridgov.tracking", '{"number":"x","token":1}');
    expect(loadKey(storage)).toBeUndefined();
    storage.setItem("gridgov.tracking", "not json");
    expect(loadKey(storage)).toBeUndefined();
    saveKey(storage, undefined);
    expect(storage.getItem("gridgov.tracking")).toBeNull();
  });
});

describe("stepOf", () => {
  it("places every status on the resident's five steps", () => {
    expect(["reported", "accepted", "registered", "dispatched", "in_progress", "suspended", "handled", "closed", "evaluated"].map((s) => stepOf(s).step)).toEqual([
      "reported",
      "accepted",
      "accepted",
      "handling",
      "handling",
      "handling",
      "handled",
      "closed",
      "closed",
    ]);
    expect(stepOf("rejected")).toEqual({ step: "accepted", ended: "rejected" });
    expect(stepOf("merged").ended).toBe("merged");
  });
});

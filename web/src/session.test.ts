import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Me } from "./api/client";
import { lastSession, rememberSession } from "./session";

/** A browser's storage, as far as the session's memory uses it. */
function storage(): Storage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
    clear: () => items.clear(),
    key: (index) => [...items.keys()][index] ?? null,
    get length() {
      return items.size;
    },
  };
}

const dispatcher = { scope: { code: "530103", level: "district" }, permissions: ["case.read"] } as unknown as Me;

describe("the last session a browser saw", () => {
  beforeEach(() => {
    vi.stubGlobal("window", { localStorage: storage() });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("remembers the scope and whether cases could be read, and forgets them after signing out", () => {
    expect(lastSession()).toBeNull();
    rememberSession(dispatcher);
    expect(lastSession()).toEqual({ scopeCode: "530103", scopeLevel: "district", readsCases: true });
    rememberSession({ ...dispatcher, permissions: [] } as unknown as Me);
    expect(lastSession()).toMatchObject({ readsCases: false });
    rememberSession(null);
    expect(lastSession()).toBeNull();
  });

  it("ignores what it cannot read, and a browser without storage", () => {
    window.localStorage.setItem("gridgov.lastSession", "{not json");
    expect(lastSession()).toBeNull();
    window.localStorage.setItem("gridgov.lastSession", JSON.stringify({ scopeCode: 530103 }));
    expect(lastSession()).toBeNull();
    vi.stubGlobal("window", {
      get localStorage(): Storage {
        throw new Error("storage is disabled");
      },
    });
    expect(() => rememberSession(dispatcher)).not.toThrow();
    expect(lastSession()).toBeNull();
  });
});

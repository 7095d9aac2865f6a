import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Me } from "./api/client";
import { askSessionEarly, readSession, sessionInPage } from "./session-early";

const dispatcher = { username: "dispatcher", scope: { code: "530103", level: "district" }, permissions: ["case.read"] } as unknown as Me;

/** A page whose session element holds `text` (none when undefined). */
function page(text: string | undefined) {
  vi.stubGlobal("document", { getElementById: (id: string) => (id === "gridgov-session" && text !== undefined ? { textContent: text } : null) });
}

/** What the server answers for /auth/me meanwhile, and how many times it was asked. */
const server = vi.hoisted(() => ({ user: null as unknown, asked: 0 }));
vi.mock("./api/client", () => ({
  fetchMe: async () => {
    server.asked++;
    return server.user;
  },
}));

describe("the session the server writes into the console's page", () => {
  beforeEach(() => {
    server.asked = 0;
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("is the signed-in user, or null when no one is signed in", () => {
    page(JSON.stringify({ user: dispatcher }));
    expect(sessionInPage()).toEqual(dispatcher);
    page(JSON.stringify({ user: null }));
    expect(sessionInPage()).toBeNull();
  });

  it("is unknown when the page carries none or one it cannot read", () => {
    page(undefined);
    expect(sessionInPage()).toBeUndefined();
    page("{not json");
    expect(sessionInPage()).toBeUndefined();
    page(JSON.stringify({ other: 1 }));
    expect(sessionInPage()).toBeUndefined();
  });

  it("is taken without asking the server, and the next read asks it", async () => {
    page(JSON.stringify({ user: dispatcher }));
    server.user = null;
    await expect(askSessionEarly()).resolves.toEqual(dispatcher);
    await expect(readSession()).resolves.toEqual(dispatcher);
    expect(server.asked).toBe(0);
    // A refetch (after signing out elsewhere, say) asks the server, which no longer knows the session.
    await expect(readSession()).resolves.toBeNull();
    expect(server.asked).toBe(1);
  });

  it("is asked for at once when the page carries none", async () => {
    page(undefined);
    server.user = dispatcher;
    const early = askSessionEarly();
    expect(server.asked).toBe(1);
    await expect(early).resolves.toEqual(dispatcher);
    await expect(readSession()).resolves.toEqual(dispatcher);
    expect(server.asked).toBe(1);
  });
});

import { describe, expect, it } from "vitest";
import { attributeToApiKey, currentApiKeyId, withAttribution } from "./api-key-attribution.ts";

const KEY = "0190b2f4-0000-7000-8000-00000000000a";

describe("API key attribution", () => {
  it("holds the key for what the request runs, and for nothing outside it", async () => {
    const seen: (string | null)[] = [];
    let later: Promise<void> = Promise.resolve();
    const request = withAttribution(() => {
      seen.push(currentApiKeyId());
      attributeToApiKey(KEY);
      later = (async () => {
        await Promise.resolve();
        seen.push(currentApiKeyId());
      })();
    });
    await later;
    expect(seen).toEqual([null, KEY]);
    expect(currentApiKeyId()).toBeNull();
    // Outside a request, attributing does nothing.
    attributeToApiKey(KEY);
    expect(currentApiKeyId()).toBeNull();
    // Once answered, a loop the request started writes in no key's name.
    let afterwards: Promise<string | null> = Promise.resolve("not run");
    const answered = withAttribution(() => {
      attributeToApiKey(KEY);
      afterwards = new Promise((resolve) => setImmediate(() => resolve(currentApiKeyId())));
    });
    answered.end();
    expect(await afterwards).toBeNull();
    request.end();
  });

  it("keeps two requests' keys apart", async () => {
    const seen: (string | null)[] = [];
    const run = (key: string) =>
      new Promise<void>((resolve) =>
        withAttribution(() => {
          attributeToApiKey(key);
          setImmediate(() => {
            seen.push(currentApiKeyId());
            resolve();
          });
        }),
      );
    await Promise.all([run("a"), run("b")]);
    expect(seen.sort()).toEqual(["a", "b"]);
  });
});

import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The API key a request acts with, for the writes it makes on the way (case events, audit entries):
 * held for the whole request, so that every use case records the key without each being handed it.
 * The authentication opens one holder per request (empty); it is filled once a key is accepted.
 */
type Holder = { apiKeyId: string | null };

const storage = new AsyncLocalStorage<Holder>();

/**
 * Runs `next` and everything it starts with an empty holder: the request's attribution. `end` empties
 * it when the request is answered, so that a timer or loop the request happened to start (and that
 * keeps its async context) does not write in the key's name afterwards.
 */
export function withAttribution(next: () => void): { end(): void } {
  const holder: Holder = { apiKeyId: null };
  storage.run(holder, next);
  return {
    end() {
      holder.apiKeyId = null;
    },
  };
}

/** Records that the current request acts with this key (nothing outside a request). */
export function attributeToApiKey(apiKeyId: string): void {
  const holder = storage.getStore();
  if (holder) holder.apiKeyId = apiKeyId;
}

/** The key the current request acts with, or null (a session, the command line, a background job). */
export function currentApiKeyId(): string | null {
  return storage.getStore()?.apiKeyId ?? null;
}

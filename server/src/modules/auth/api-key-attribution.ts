import { AsyncLocalStorage } from "node:async_hooks";

/**
 * The API key a request acts with, for the writes it makes on the way (case events, audit entries):
 * held for the whole request, so that every use case records the key without each being handed it.
 * The authentication opens one holder per request (empty); it is filled once a key is accepted.
 */
type Holder = { apiKeyId: string | null };

const storage = new AsyncLocalStorage<Holder>();

/** Runs `next` and everything it starts with an empty holder: the request's attribution. */
export function withAttribution(next: () => void): void {
  storage.run({ apiKeyId: null }, next);
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

import type { OutboxItem, OutboxStore } from "./types";

/** An outbox store in memory: for unit tests, and for browsers without IndexedDB (nothing survives a reload). */
export function memoryStore(): OutboxStore {
  const items = new Map<string, OutboxItem>();
  return {
    list: async () => [...items.values()],
    put: async (item) => void items.set(item.id, item),
    delete: async (id) => void items.delete(id),
    clear: async () => items.clear(),
  };
}

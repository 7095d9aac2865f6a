import type { OutboxItem, OutboxStore } from "./types";

/**
 * The field app's IndexedDB database: the outbox (items with their photos as Blobs) and a small
 * cache of what the worker reads offline (tasks, cases, the community's grids).
 */
const DB_NAME = "gridgov-field";
const DB_VERSION = 1;
const OUTBOX = "outbox";
const CACHE = "cache";

let opened: Promise<IDBDatabase> | null = null;

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export function hasIndexedDb(): boolean {
  return typeof indexedDB !== "undefined";
}

function database(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(OUTBOX)) db.createObjectStore(OUTBOX, { keyPath: "id" });
      if (!db.objectStoreNames.contains(CACHE)) db.createObjectStore(CACHE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => {
      opened = null;
      reject(req.error);
    };
  });
  return opened;
}

async function write(storeName: string, act: (store: IDBObjectStore) => void): Promise<void> {
  const tx = (await database()).transaction(storeName, "readwrite");
  act(tx.objectStore(storeName));
  await done(tx);
}

/** The outbox in IndexedDB: each put is one committed transaction, so what was accepted survives a crash. */
export function idbStore(): OutboxStore {
  return {
    list: async () => request<OutboxItem[]>((await database()).transaction(OUTBOX).objectStore(OUTBOX).getAll()),
    put: (item) => write(OUTBOX, (store) => store.put(item)),
    delete: (id) => write(OUTBOX, (store) => store.delete(id)),
    clear: () => write(OUTBOX, (store) => store.clear()),
  };
}

/** Reads a cached value (tasks, a case, grids); undefined when absent or without IndexedDB. */
export async function readCache<T>(key: string): Promise<T | undefined> {
  if (!hasIndexedDb()) return undefined;
  try {
    return await request<T | undefined>((await database()).transaction(CACHE).objectStore(CACHE).get(key));
  } catch {
    return undefined;
  }
}

export async function writeCache(key: string, value: unknown): Promise<void> {
  if (!hasIndexedDb()) return;
  try {
    await write(CACHE, (store) => store.put(value, key));
  } catch {
    // A full or closed database loses only the offline copy; the answer was shown already.
  }
}

/** Everything the app stored on this device (signing out). */
export async function clearDevice(): Promise<void> {
  if (!hasIndexedDb()) return;
  await write(OUTBOX, (store) => store.clear());
  await write(CACHE, (store) => store.clear());
}

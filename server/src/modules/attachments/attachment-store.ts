import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

/** File extensions of stored photos. */
export type AttachmentExtension = "jpg" | "webp";

/**
 * Where attachment bytes live. Keys are opaque to callers and look like
 * `530103/2025/06/<uuid>.jpg`; another backend (e.g. S3-compatible) can implement the same shape.
 */
export type AttachmentStore = {
  /** Stores the bytes under a new key derived from the region, the current month and the id. */
  put(regionCode: string, id: string, data: Buffer, extension: AttachmentExtension): Promise<string>;
  /** Reads the bytes of a stored attachment. */
  get(key: string): Promise<Buffer>;
  /** Removes a stored attachment; removing one that is already gone is not an error. */
  delete(key: string): Promise<void>;
};

declare module "../../context.ts" {
  interface AppParts {
    attachments: AttachmentStore;
  }
}

/** Stable codes of the store's refusals. */
export type AttachmentStoreErrorCode = "invalid_storage_key" | "attachment_not_found";

/** A refused key or a missing attachment, with a stable code. */
export class AttachmentStoreError extends Error {
  constructor(
    readonly code: AttachmentStoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "AttachmentStoreError";
  }
}

// Only these characters can reach the file system, so no key can name a path outside the root.
const STORAGE_KEY = /^[0-9]{6}\/[0-9]{4}\/[0-9]{2}\/[0-9a-f-]{36}\.(jpg|webp)$/;
const REGION_CODE = /^[0-9]{6}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const EXTENSIONS: readonly string[] = ["jpg", "webp"];

/** Whether a string is a well-formed storage key (which also means it stays inside the store). */
export function isStorageKey(key: string): boolean {
  return STORAGE_KEY.test(key);
}

/** Options of `LocalAttachmentStore`; `now` picks the year/month folder (UTC) and exists for tests. */
export type LocalAttachmentStoreOptions = { now?: () => Date };

/**
 * Attachments as files under a root directory, at `<root>/<regionCode>/<yyyy>/<mm>/<id>.<ext>`.
 * Writes are atomic: a reader sees either no file or the whole file, even across a crash.
 */
export class LocalAttachmentStore implements AttachmentStore {
  readonly root: string;
  private readonly now: () => Date;

  constructor(root: string, options: LocalAttachmentStoreOptions = {}) {
    this.root = path.resolve(root);
    this.now = options.now ?? (() => new Date());
  }

  /** Writes the bytes to a temporary file, syncs it, and renames it into place; returns the key. */
  async put(regionCode: string, id: string, data: Buffer, extension: AttachmentExtension): Promise<string> {
    if (!REGION_CODE.test(regionCode)) throw invalidKey("The region code must be 6 digits");
    if (!UUID.test(id)) throw invalidKey("The attachment id must be a lowercase UUID");
    if (!EXTENSIONS.includes(extension)) throw invalidKey("The extension must be jpg or webp");
    const date = this.now();
    const month = String(date.getUTCMonth() + 1).padStart(2, "0");
    const key = `${regionCode}/${date.getUTCFullYear()}/${month}/${id}.${extension}`;
    const file = this.resolve(key);
    const dir = path.dirname(file);
    await fs.mkdir(dir, { recursive: true, mode: 0o750 });

    const tmp = `${file}.tmp-${randomBytes(8).toString("hex")}`;
    try {
      const handle = await fs.open(tmp, "wx", 0o640);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, file);
    } catch (error) {
      await fs.rm(tmp, { force: true });
      throw error;
    }
    await syncDirectory(dir);
    return key;
  }

  /** Reads a stored attachment; throws `attachment_not_found` when there is none under the key. */
  async get(key: string): Promise<Buffer> {
    const file = this.resolve(key);
    try {
      return await fs.readFile(file);
    } catch (error) {
      if (isNotFound(error)) throw new AttachmentStoreError("attachment_not_found", `No attachment under ${key}`);
      throw error;
    }
  }

  /** Deletes a stored attachment; a missing file is ignored so that retries are harmless. */
  async delete(key: string): Promise<void> {
    await fs.rm(this.resolve(key), { force: true });
  }

  // Validates the key, then checks the resolved path as a second line of defence.
  private resolve(key: string): string {
    if (typeof key !== "string" || !STORAGE_KEY.test(key)) throw invalidKey("Invalid storage key");
    const file = path.resolve(this.root, ...key.split("/"));
    if (!file.startsWith(this.root + path.sep)) throw invalidKey("Invalid storage key");
    return file;
  }
}

function invalidKey(message: string): AttachmentStoreError {
  return new AttachmentStoreError("invalid_storage_key", message);
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "ENOENT";
}

// Makes the rename itself durable; directories cannot be opened for syncing on Windows.
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  const handle = await fs.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

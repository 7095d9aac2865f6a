import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AttachmentStoreError, type AttachmentStoreErrorCode, LocalAttachmentStore, isStorageKey } from "./attachment-store.ts";
import { ingestPhoto, photoExtension } from "./photos.ts";

const REGION = "530103";
const JUNE_2025 = () => new Date("2025-06-30T23:59:59Z");

let root: string;
let store: LocalAttachmentStore;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), "gridgov-attachments-"));
  store = new LocalAttachmentStore(path.join(root, "attachments"), { now: JUNE_2025 });
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function listFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

async function refusal(action: () => Promise<unknown>): Promise<AttachmentStoreErrorCode> {
  const error = await action().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AttachmentStoreError);
  return (error as AttachmentStoreError).code;
}

describe("LocalAttachmentStore", () => {
  it("round-trips a photo under <region>/<yyyy>/<mm>/<id>.<ext> with no temporary files left", async () => {
    const source = await sharp({ create: { width: 32, height: 24, channels: 3, background: "#aa5500" } }).jpeg().toBuffer();
    const photo = await ingestPhoto(source);
    const id = randomUUID();

    const key = await store.put(REGION, id, photo.data, photoExtension(photo.mime));
    expect(key).toBe(`${REGION}/2025/06/${id}.jpg`);
    expect(isStorageKey(key)).toBe(true);
    expect((await store.get(key)).equals(photo.data)).toBe(true);
    expect(await listFiles(store.root)).toEqual([path.join(REGION, "2025", "06", `${id}.jpg`)]);
    expect((await fs.readFile(path.join(store.root, key))).equals(photo.data)).toBe(true);

    const other = await store.put(REGION, randomUUID(), Buffer.from("second"), "webp");
    expect(other).toMatch(/\.webp$/);
    const files = await listFiles(store.root);
    expect(files).toHaveLength(2);
    expect(files.some((f) => f.includes(".tmp-"))).toBe(false);
  });

  it("deletes, and treats deleting a missing attachment as done", async () => {
    const key = await store.put(REGION, randomUUID(), Buffer.from("bytes"), "jpg");
    await store.delete(key);
    expect(await refusal(() => store.get(key))).toBe("attachment_not_found");
    await expect(store.delete(key)).resolves.toBeUndefined();
  });

  it("refuses keys that could leave the root", async () => {
    const id = randomUUID();
    const keys = [
      `../${REGION}/2025/06/${id}.jpg`,
      `${REGION}/../../2025/06/${id}.jpg`,
      `${REGION}/2025/06/../../../../etc/passwd`,
      `/etc/passwd`,
      `/${REGION}/2025/06/${id}.jpg`,
      `${REGION}\\2025\\06\\${id}.jpg`,
      `${REGION}/2025/06/${id}.jpg\0.txt`,
      `${REGION}/2025/06/${id}.jpg\n`,
      `${REGION}/2025/06/${id}.jpg.tmp-0011223344556677`,
      `${REGION}/2025/06/${id}.png`,
      `${REGION}/2025/06/${id.toUpperCase()}.jpg`,
      "",
    ];
    for (const key of keys) {
      expect(isStorageKey(key)).toBe(false);
      expect(await refusal(() => store.get(key))).toBe("invalid_storage_key");
      expect(await refusal(() => store.delete(key))).toBe("invalid_storage_key");
    }
  });

  it("refuses a malformed region code, id or extension on put, writing nothing", async () => {
    const data = Buffer.from("bytes");
    const id = randomUUID();
    expect(await refusal(() => store.put("../../x", id, data, "jpg"))).toBe("invalid_storage_key");
    expect(await refusal(() => store.put("53010", id, data, "jpg"))).toBe("invalid_storage_key");
    expect(await refusal(() => store.put(REGION, "../../../etc/passwd", data, "jpg"))).toBe("invalid_storage_key");
    expect(await refusal(() => store.put(REGION, `${id}\0`, data, "jpg"))).toBe("invalid_storage_key");
    expect(await refusal(() => store.put(REGION, id.toUpperCase(), data, "jpg"))).toBe("invalid_storage_key");
    const extension = "exe" as "jpg";
    expect(await refusal(() => store.put(REGION, id, data, extension))).toBe("invalid_storage_key");
    await expect(fs.stat(store.root)).rejects.toMatchObject({ code: "ENOENT" });
  });
});

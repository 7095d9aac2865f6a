import { promisify } from "node:util";
import zlib from "node:zlib";
import { AppError } from "../../errors.ts";

const inflateRaw = promisify(zlib.inflateRaw);

export type ZipLimits = {
  /** The most all entries may hold once inflated. */
  maxUncompressedBytes: number;
  /** The most one entry of more than a megabyte may inflate relative to its compressed size. */
  maxRatio: number;
  maxEntries: number;
};

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
/** Ratios of small entries say nothing: a few kilobytes of repeated XML compress a hundredfold. */
const RATIO_FLOOR_BYTES = 1024 * 1024;

const refuse = (message: string, details?: unknown) => new AppError(422, "zip_bomb", message, details);
const unreadable = (message: string) => new AppError(400, "unreadable_table", message);

type Entry = { name: string; method: number; compressed: number; uncompressed: number; localOffset: number };

/** The entries of a zip file as its central directory declares them. */
function directoryOf(data: Buffer, limits: ZipLimits): Entry[] {
  // The end record sits in the last 22 bytes, or before a comment of at most 64 KiB.
  let end = -1;
  for (let at = data.length - 22; at >= Math.max(0, data.length - 22 - 0xffff); at--) {
    if (data.readUInt32LE(at) === END_OF_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) throw unreadable("The file is not a complete .xlsx (zip) file");
  const count = data.readUInt16LE(end + 10);
  const size = data.readUInt32LE(end + 12);
  const offset = data.readUInt32LE(end + 16);
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) throw refuse("Zip64 workbooks are larger than any import accepts");
  if (count > limits.maxEntries) throw refuse(`The workbook holds ${count} files; at most ${limits.maxEntries}`);
  if (offset + size > end) throw unreadable("The workbook's zip directory is damaged");
  const entries: Entry[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || data.readUInt32LE(at) !== DIRECTORY_ENTRY) throw unreadable("The workbook's zip directory is damaged");
    const nameLength = data.readUInt16LE(at + 28);
    entries.push({
      method: data.readUInt16LE(at + 10),
      compressed: data.readUInt32LE(at + 20),
      uncompressed: data.readUInt32LE(at + 24),
      name: data.toString("utf8", at + 46, at + 46 + nameLength),
      localOffset: data.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + data.readUInt16LE(at + 30) + data.readUInt16LE(at + 32);
  }
  return entries;
}

/**
 * Refuses a zip file (an .xlsx) that would inflate beyond the limits, before any zip library
 * opens it: the central directory's declared sizes are summed and each large entry's ratio is
 * checked, and then every entry is inflated with its declared size as the most it may produce, so
 * that a directory that understates its sizes is caught too. Nothing inflated is kept.
 */
export async function checkZip(data: Buffer, limits: ZipLimits): Promise<void> {
  await inflateEntries(data, limits, false);
}

/**
 * The entries of a zip file by name, inflated, after the same checks as `checkZip`: for files
 * read here entry by entry (a zipped Shapefile) rather than by a zip library.
 */
export async function unzip(data: Buffer, limits: ZipLimits): Promise<Map<string, Buffer>> {
  return inflateEntries(data, limits, true);
}

async function inflateEntries(data: Buffer, limits: ZipLimits, keep: boolean): Promise<Map<string, Buffer>> {
  const kept = new Map<string, Buffer>();
  const entries = directoryOf(data, limits);
  let total = 0;
  for (const entry of entries) {
    total += entry.uncompressed;
    if (total > limits.maxUncompressedBytes) {
      throw refuse(`The workbook would inflate to more than ${limits.maxUncompressedBytes / 1024 / 1024} MiB`, { entry: entry.name });
    }
    if (entry.uncompressed > RATIO_FLOOR_BYTES && entry.uncompressed > entry.compressed * limits.maxRatio) {
      throw refuse(`${entry.name} inflates more than ${limits.maxRatio} times`, { entry: entry.name });
    }
  }
  for (const entry of entries) {
    const at = entry.localOffset;
    if (at + 30 > data.length || data.readUInt32LE(at) !== LOCAL_HEADER) throw unreadable("The workbook's zip entries are damaged");
    const start = at + 30 + data.readUInt16LE(at + 26) + data.readUInt16LE(at + 28);
    const body = data.subarray(start, start + entry.compressed);
    if (body.length !== entry.compressed) throw unreadable("The workbook's zip entries are damaged");
    if (entry.method === 0) {
      if (entry.compressed !== entry.uncompressed) throw unreadable("The workbook's zip entries are damaged");
      if (keep) kept.set(entry.name, body);
      continue;
    }
    if (entry.method !== 8) throw unreadable(`${entry.name} is compressed in a way workbooks are not (method ${entry.method})`);
    try {
      // One byte more than declared: producing it means the directory lied.
      const inflated = await inflateRaw(body, { maxOutputLength: entry.uncompressed + 1 });
      if (inflated.length !== entry.uncompressed) throw refuse(`${entry.name} inflates to another size than its directory declares`, { entry: entry.name });
      if (keep) kept.set(entry.name, inflated);
    } catch (error) {
      if (error instanceof AppError) throw error;
      if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
        throw refuse(`${entry.name} inflates beyond the size its directory declares`, { entry: entry.name });
      }
      throw unreadable(`${entry.name} cannot be inflated`);
    }
  }
  return kept;
}

import { createHash } from "node:crypto";
import os from "node:os";
import type { Metadata, OutputInfo } from "sharp";

/**
 * Bounds on an uploaded photo: input size, decoded pixel count, decoded size in bytes (pixels ×
 * channels × bytes per channel), and longest stored edge.
 */
export type PhotoLimits = { maxBytes: number; maxPixels: number; maxDecodedBytes: number; maxEdge: number };

/**
 * 10 MiB per upload, 50 megapixels and 150 MB decoded at most, stored at 2048 px on the longest
 * edge. 150 MB is what the largest phone photos need: 50 MP at 8-bit RGB (8160×6120×3 bytes). A
 * 16-bit PNG of the same pixels needs 300 MB and RGBA 200 MB: those are refused from their header,
 * since the budget per decode is what bounds the server's memory (decodes at once × this).
 */
export const DEFAULT_PHOTO_LIMITS: PhotoLimits = {
  maxBytes: 10 * 1024 * 1024,
  maxPixels: 50_000_000,
  maxDecodedBytes: 150_000_000,
  maxEdge: 2048,
};

/** Runs the decode itself, e.g. in a bounded queue; by default at once. */
export type DecodeScheduler = <T>(decode: () => Promise<T>) => Promise<T>;

// libvips' band formats, as sharp's metadata names them, and the bytes of one sample of each.
const SAMPLE_BYTES: Record<string, number> = { uchar: 1, char: 1, ushort: 2, short: 2, uint: 4, int: 4, float: 4, complex: 8, double: 8, dpcomplex: 16 };

/** The bytes a decoded image takes, from its header alone; undefined when the header does not say. */
export function decodedBytes(header: { width?: number; height?: number; channels?: number; depth?: string }): number | undefined {
  const sample = header.depth ? SAMPLE_BYTES[header.depth] : undefined;
  if (!header.width || !header.height || !header.channels || !sample) return undefined;
  return header.width * header.height * header.channels * sample;
}

/** A photo re-encoded for storage: upright, bounded in size, with no metadata at all. */
export type IngestedPhoto = {
  data: Buffer;
  mime: "image/jpeg" | "image/webp";
  width: number;
  height: number;
  bytes: number;
  sha256: string;
};

/** Stable codes of the reasons a photo is refused. */
export type PhotoErrorCode = "photo_too_large" | "photo_not_an_image" | "photo_unreadable" | "photo_too_many_pixels" | "photo_decoded_too_large";

/** A refused photo, with a stable code for the API. */
export class PhotoError extends Error {
  constructor(
    readonly code: PhotoErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "PhotoError";
  }
}

/** The image formats accepted on upload, as recognised from their first bytes. */
export type SniffedImageType = "jpeg" | "png" | "webp";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_QUALITY = 82;
const WEBP_QUALITY = 82;

/**
 * Recognises JPEG, PNG and WebP by their magic bytes alone; undefined for anything else.
 * A declared content type or file name is never consulted: clients can set both to anything.
 */
export function sniffImageType(bytes: Buffer): SniffedImageType | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (bytes.length >= PNG_SIGNATURE.length && bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) {
    return "png";
  }
  if (bytes.length >= 12 && bytes.toString("latin1", 0, 4) === "RIFF" && bytes.toString("latin1", 8, 12) === "WEBP") {
    return "webp";
  }
  return undefined;
}

/** The file extension a stored photo gets for its MIME type. */
export function photoExtension(mime: IngestedPhoto["mime"]): "jpg" | "webp" {
  return mime === "image/webp" ? "webp" : "jpg";
}

/**
 * Decodes one process runs at once: one on up to three cores, two above. Each holds up to
 * `maxDecodedBytes` and keeps its libvips threads busy, so this bounds both memory and CPU.
 */
export const DECODE_SLOTS = os.availableParallelism() >= 4 ? 2 : 1;

let sharpModule: Promise<typeof import("sharp")> | undefined;

/**
 * sharp, loaded on first use (libvips costs ~100 ms at start-up, and most processes start without
 * a photo) and set up once for the process: no operation cache (it keeps decoded images alive
 * after their request), and libvips threads per decode so that the decodes allowed at once
 * (`DECODE_SLOTS`) leave at least half of the cores to everything else.
 */
export function loadSharp(): Promise<typeof import("sharp")> {
  sharpModule ??= import("sharp").then((loaded) => {
    loaded.default.cache(false);
    loaded.default.concurrency(Math.max(1, Math.floor(os.availableParallelism() / 2 / DECODE_SLOTS)));
    return loaded;
  });
  return sharpModule;
}

/**
 * Checks and re-encodes an uploaded photo: refuses oversized input before decoding, accepts only
 * JPEG, PNG or WebP by their bytes, refuses more than `maxPixels` or `maxDecodedBytes` from the
 * header before decoding a pixel, decodes through `schedule` (a bounded queue in the server),
 * applies the EXIF orientation, fits the longest edge into `maxEdge` without enlarging, and
 * encodes a fresh JPEG (or WebP when the source has alpha) that carries no EXIF, GPS, XMP,
 * IPTC or ICC data. Throws `PhotoError`, and whatever `schedule` throws.
 */
export async function ingestPhoto(
  input: Buffer,
  limits: PhotoLimits = DEFAULT_PHOTO_LIMITS,
  schedule: DecodeScheduler = (decode) => decode(),
): Promise<IngestedPhoto> {
  if (input.length > limits.maxBytes) {
    throw new PhotoError("photo_too_large", `The photo is ${input.length} bytes; at most ${limits.maxBytes} are accepted`);
  }
  const type = sniffImageType(input);
  if (!type) throw new PhotoError("photo_not_an_image", "The file is not a JPEG, PNG or WebP image");

  const { default: sharp } = await loadSharp();
  // Header only: the dimensions are known here without decoding a single pixel.
  let header: Metadata;
  try {
    // No pixel limit here: metadata() decodes nothing, and the checks below refuse with their own codes.
    header = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw new PhotoError("photo_unreadable", `The ${type.toUpperCase()} image could not be read`);
  }
  if (header.format !== type || !header.width || !header.height) {
    throw new PhotoError("photo_unreadable", `The ${type.toUpperCase()} image could not be read`);
  }
  const { width, height } = header;
  if (width * height > limits.maxPixels) throw tooManyPixels(width, height, limits);
  const decoded = decodedBytes(header);
  if (decoded === undefined) throw new PhotoError("photo_unreadable", `The ${type.toUpperCase()} image could not be read`);
  if (decoded > limits.maxDecodedBytes) {
    throw new PhotoError(
      "photo_decoded_too_large",
      `The photo needs ${Math.ceil(decoded / 1e6)} MB decoded (${width}×${height}, ${header.channels} channels of ${header.depth}); ` +
        `at most ${limits.maxDecodedBytes / 1e6} MB are accepted: send it at 8 bits per channel or smaller`,
    );
  }

  const hasAlpha = header.hasAlpha;
  // The decoder enforces the same pixel limit as a second guard.
  const pipeline = sharp(input, { failOn: "error", limitInputPixels: limits.maxPixels })
    // Orientation is applied to the pixels here, since the EXIF tag that carried it is dropped.
    .rotate()
    .resize({ width: limits.maxEdge, height: limits.maxEdge, fit: "inside", withoutEnlargement: true });
  // No keep*/with* metadata call: sharp then writes no EXIF, XMP, IPTC or ICC profile.
  const encoded = hasAlpha
    ? pipeline.webp({ quality: WEBP_QUALITY })
    : pipeline.jpeg({ quality: JPEG_QUALITY, mozjpeg: false });

  // Only the decode waits its turn: the refusals above cost a header read.
  const { data, info } = await schedule(async (): Promise<{ data: Buffer; info: OutputInfo }> => {
    try {
      return await encoded.toBuffer({ resolveWithObject: true });
    } catch (error) {
      if (error instanceof Error && /pixel limit/i.test(error.message)) {
        throw tooManyPixels(width, height, limits);
      }
      throw new PhotoError("photo_unreadable", `The ${type.toUpperCase()} image could not be decoded`);
    }
  });
  return {
    data,
    mime: hasAlpha ? "image/webp" : "image/jpeg",
    width: info.width,
    height: info.height,
    bytes: data.length,
    sha256: createHash("sha256").update(data).digest("hex"),
  };
}

function tooManyPixels(width: number, height: number, limits: PhotoLimits): PhotoError {
  return new PhotoError(
    "photo_too_many_pixels",
    `The photo is ${width}×${height} pixels; at most ${limits.maxPixels} pixels are accepted`,
  );
}

import { createHash } from "node:crypto";
import type { Metadata, OutputInfo } from "sharp";

/** Bounds on an uploaded photo: input size, decoded pixel count, and longest stored edge. */
export type PhotoLimits = { maxBytes: number; maxPixels: number; maxEdge: number };

/** 10 MiB per upload, 50 megapixels decoded at most, stored at 2048 px on the longest edge. */
export const DEFAULT_PHOTO_LIMITS: PhotoLimits = {
  maxBytes: 10 * 1024 * 1024,
  maxPixels: 50_000_000,
  maxEdge: 2048,
};

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
export type PhotoErrorCode = "photo_too_large" | "photo_not_an_image" | "photo_unreadable" | "photo_too_many_pixels";

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
 * Checks and re-encodes an uploaded photo: refuses oversized input before decoding, accepts only
 * JPEG, PNG or WebP by their bytes, refuses more than `maxPixels` before decoding the pixels,
 * applies the EXIF orientation, fits the longest edge into `maxEdge` without enlarging, and
 * encodes a fresh JPEG (or WebP when the source has alpha) that carries no EXIF, GPS, XMP,
 * IPTC or ICC data. Throws `PhotoError`.
 */
export async function ingestPhoto(input: Buffer, limits: PhotoLimits = DEFAULT_PHOTO_LIMITS): Promise<IngestedPhoto> {
  if (input.length > limits.maxBytes) {
    throw new PhotoError("photo_too_large", `The photo is ${input.length} bytes; at most ${limits.maxBytes} are accepted`);
  }
  const type = sniffImageType(input);
  if (!type) throw new PhotoError("photo_not_an_image", "The file is not a JPEG, PNG or WebP image");

  // Loaded on first use: libvips costs ~100 ms at start-up, and most processes start without a photo.
  const { default: sharp } = await import("sharp");
  // Header only: the dimensions are known here without decoding a single pixel.
  let header: Metadata;
  try {
    header = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw new PhotoError("photo_unreadable", `The ${type.toUpperCase()} image could not be read`);
  }
  if (header.format !== type || !header.width || !header.height) {
    throw new PhotoError("photo_unreadable", `The ${type.toUpperCase()} image could not be read`);
  }
  if (header.width * header.height > limits.maxPixels) throw tooManyPixels(header.width, header.height, limits);

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

  let result: { data: Buffer; info: OutputInfo };
  try {
    result = await encoded.toBuffer({ resolveWithObject: true });
  } catch (error) {
    if (error instanceof Error && /pixel limit/i.test(error.message)) {
      throw tooManyPixels(header.width, header.height, limits);
    }
    throw new PhotoError("photo_unreadable", `The ${type.toUpperCase()} image could not be decoded`);
  }
  const { data, info } = result;
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

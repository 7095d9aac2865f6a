import { createHash } from "node:crypto";
import type { DecodeScheduler } from "./photos.ts";
import { loadSharp } from "./photos.ts";

/** An area to blur, as fractions of the photo's width and height from its top-left corner. */
export type RedactionRegion = { x: number; y: number; width: number; height: number };

/** At most this many areas per photo: faces in a crowd, plates in a row of cars. */
export const MAX_REDACTION_REGIONS = 50;

/** A region that is not inside the photo, or too many of them, with the index of the first bad one. */
export class RedactionError extends Error {
  constructor(
    readonly code: "invalid_region" | "too_many_regions",
    message: string,
    readonly index?: number,
  ) {
    super(message);
    this.name = "RedactionError";
  }
}

// Rounding in a client's arithmetic (0.1 + 0.2) must not refuse a region drawn to the very edge.
const EDGE_SLACK = 1e-6;

/** Checks that every region lies in the photo and has an area; returns them clamped to [0, 1]. */
export function checkRegions(regions: readonly RedactionRegion[]): RedactionRegion[] {
  if (regions.length > MAX_REDACTION_REGIONS) {
    throw new RedactionError("too_many_regions", `At most ${MAX_REDACTION_REGIONS} regions per photo`);
  }
  return regions.map((region, index) => {
    const { x, y, width, height } = region;
    const finite = [x, y, width, height].every((value) => Number.isFinite(value));
    if (!finite || x < 0 || y < 0 || x >= 1 || y >= 1 || width <= 0 || height <= 0 || x + width > 1 + EDGE_SLACK || y + height > 1 + EDGE_SLACK) {
      throw new RedactionError(
        "invalid_region",
        `Region ${index + 1} must lie inside the photo: x and y from 0 to 1, width and height above 0, x + width and y + height at most 1`,
        index,
      );
    }
    return { x, y, width: Math.min(width, 1 - x), height: Math.min(height, 1 - y) };
  });
}

/** A region in pixels of a photo of the given size: whole pixels covering at least the region, never outside. */
export type PixelRect = { left: number; top: number; width: number; height: number };

export function pixelRect(region: RedactionRegion, imageWidth: number, imageHeight: number): PixelRect {
  const left = Math.min(imageWidth - 1, Math.floor(region.x * imageWidth));
  const top = Math.min(imageHeight - 1, Math.floor(region.y * imageHeight));
  const right = Math.max(left + 1, Math.min(imageWidth, Math.ceil((region.x + region.width) * imageWidth)));
  const bottom = Math.max(top + 1, Math.min(imageHeight, Math.ceil((region.y + region.height) * imageHeight)));
  return { left, top, width: right - left, height: bottom - top };
}

/**
 * The side of the pixelation's blocks for an area: at most 8 blocks along its longer side (a face
 * or a plate's characters become a few flat tiles, too few to read or recognise), at least 6 px.
 */
export function blockSize(rect: Pick<PixelRect, "width" | "height">): number {
  return Math.max(6, Math.ceil(Math.max(rect.width, rect.height) / 8));
}

/** The redacted photo as stored: a fresh encode without metadata. */
export type RedactedPhoto = { data: Buffer; mime: "image/jpeg" | "image/webp"; bytes: number; sha256: string };

/**
 * Blurs the regions of a stored photo (already upright and without metadata): each area is
 * averaged into coarse blocks, the blocks are smoothed, and the result is laid over the original,
 * which is then encoded afresh in its own format, with no EXIF, XMP or ICC data. The decode runs
 * through `schedule` (the process's bounded decode queue) and decodes the photo once.
 */
export async function renderRedaction(
  original: Buffer,
  regions: readonly RedactionRegion[],
  schedule: DecodeScheduler = (decode) => decode(),
): Promise<RedactedPhoto> {
  const { default: sharp } = await loadSharp();
  return schedule(async () => {
    const { data: pixels, info } = await sharp(original, { failOn: "error" }).raw().toBuffer({ resolveWithObject: true });
    const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
    const overlays = [];
    for (const region of regions) {
      const rect = pixelRect(region, info.width, info.height);
      const block = blockSize(rect);
      const small = await sharp(pixels, raw)
        .extract(rect)
        .resize(Math.max(1, Math.round(rect.width / block)), Math.max(1, Math.round(rect.height / block)), { fit: "fill", kernel: "lanczos3" })
        .raw()
        .toBuffer({ resolveWithObject: true });
      const tiles = await sharp(small.data, { raw: { width: small.info.width, height: small.info.height, channels: small.info.channels } })
        .resize(rect.width, rect.height, { fit: "fill", kernel: "nearest" })
        // Softens the tiles' edges: the eye reads a blur, and no sharp step is left to trace.
        .blur(Math.max(0.3, block / 3))
        .png()
        .toBuffer();
      overlays.push({ input: tiles, left: rect.left, top: rect.top });
    }
    const composed = sharp(pixels, raw).composite(overlays);
    const webp = info.channels === 4;
    // No keep*/with* metadata call: nothing but pixels is written.
    const data = await (webp ? composed.webp({ quality: 82 }) : composed.jpeg({ quality: 82, mozjpeg: false })).toBuffer();
    return { data, mime: webp ? "image/webp" : "image/jpeg", bytes: data.length, sha256: createHash("sha256").update(data).digest("hex") };
  });
}

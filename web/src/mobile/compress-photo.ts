/** How a photo is made smaller on the phone before it is sent: a cheap phone's 12 MP photo is 3–6 MB. */
export type CompressOptions = { longSide: number; quality: number };

export const DEFAULT_COMPRESS: CompressOptions = { longSide: 1600, quality: 0.8 };

/** The size to draw a width × height picture at so that its long side is at most `longSide`; never enlarged. */
export function fitWithin(width: number, height: number, longSide: number): { width: number; height: number } {
  const scale = Math.min(1, longSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** A prepared photo: the bytes to upload and a small canvas to show it with. */
export type PreparedPhoto = { blob: Blob; width: number; height: number; compressed: boolean };

function canvasBlob(canvas: HTMLCanvasElement, quality: number): Promise<Blob | null> {
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
}

/**
 * Resizes a photo to `longSide` and re-encodes it as JPEG. It is decoded with createImageBitmap,
 * not an <img> of a blob: address, which the Content-Security-Policy refuses. A browser without
 * createImageBitmap (Safari before 15) or a picture it cannot decode gets the file as it is: the
 * server re-encodes every photo anyway and refuses what is too large.
 */
export async function compressPhoto(file: Blob, options: CompressOptions = DEFAULT_COMPRESS): Promise<PreparedPhoto> {
  if (typeof createImageBitmap !== "function") return { blob: file, width: 0, height: 0, compressed: false };
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    return { blob: file, width: 0, height: 0, compressed: false };
  }
  try {
    const size = fitWithin(bitmap.width, bitmap.height, options.longSide);
    const canvas = document.createElement("canvas");
    canvas.width = size.width;
    canvas.height = size.height;
    const context = canvas.getContext("2d");
    if (!context) return { blob: file, width: bitmap.width, height: bitmap.height, compressed: false };
    context.drawImage(bitmap, 0, 0, size.width, size.height);
    const blob = await canvasBlob(canvas, options.quality);
    // A small picture can come out larger as JPEG: then the original goes.
    if (!blob || blob.size >= file.size) return { blob: file, width: bitmap.width, height: bitmap.height, compressed: false };
    return { blob, ...size, compressed: true };
  } finally {
    bitmap.close();
  }
}

/** Draws a photo into a canvas as a thumbnail (a canvas, since the policy admits no blob: images). */
export async function drawThumbnail(canvas: HTMLCanvasElement, photo: Blob, side: number): Promise<boolean> {
  if (typeof createImageBitmap !== "function") return false;
  try {
    const bitmap = await createImageBitmap(photo, { imageOrientation: "from-image" });
    const size = fitWithin(bitmap.width, bitmap.height, side);
    canvas.width = size.width;
    canvas.height = size.height;
    canvas.getContext("2d")?.drawImage(bitmap, 0, 0, size.width, size.height);
    bitmap.close();
    return true;
  } catch {
    return false;
  }
}

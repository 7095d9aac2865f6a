/** An area to blur, in fractions of the photo's width and height (the API's shape). */
export type Region = { x: number; y: number; width: number; height: number };

/** A point in fractions of the photo, from a pointer's position over the displayed image. */
export function toFraction(clientX: number, clientY: number, box: { left: number; top: number; width: number; height: number }): { x: number; y: number } {
  const clamp = (value: number) => Math.min(1, Math.max(0, value));
  return { x: clamp((clientX - box.left) / box.width), y: clamp((clientY - box.top) / box.height) };
}

/** Smaller than this on either side is a click, not an area. */
export const MIN_SIDE = 0.01;

/**
 * The rectangle a drag from `start` to `end` (fractions) covers, whichever way it went, kept inside
 * the photo and rounded to 1/10,000; undefined when it is too small to mean an area.
 */
export function regionOf(start: { x: number; y: number }, end: { x: number; y: number }): Region | undefined {
  const round = (value: number) => Math.round(value * 10_000) / 10_000;
  const x = round(Math.min(start.x, end.x));
  const y = round(Math.min(start.y, end.y));
  const width = round(Math.min(1 - x, Math.abs(end.x - start.x)));
  const height = round(Math.min(1 - y, Math.abs(end.y - start.y)));
  if (width < MIN_SIDE || height < MIN_SIDE || x >= 1 || y >= 1) return undefined;
  return { x, y, width, height };
}

/** A region as CSS percentages over the displayed photo. */
export function regionStyle(region: Region): { left: string; top: string; width: string; height: string } {
  const percent = (value: number) => `${(value * 100).toFixed(2)}%`;
  return { left: percent(region.x), top: percent(region.y), width: percent(region.width), height: percent(region.height) };
}

import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { blockSize, checkRegions, MAX_REDACTION_REGIONS, pixelRect, RedactionError, renderRedaction } from "./redaction.ts";

// Per-channel variance of the pixels in a rectangle of a decoded image.
async function variance(image: Buffer, rect: { left: number; top: number; width: number; height: number }): Promise<number> {
  const data = await sharp(image).extract(rect).raw().toBuffer();
  let sum = 0;
  let squares = 0;
  for (const value of data) {
    sum += value;
    squares += value * value;
  }
  const mean = sum / data.length;
  return squares / data.length - mean * mean;
}

const noisy = (width: number, height: number, channels: 3 | 4 = 3) =>
  sharp({ create: { width, height, channels, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 60 } } });

describe("checkRegions", () => {
  it("keeps regions inside the photo, clamping a client's rounding at the edge", () => {
    expect(checkRegions([{ x: 0.1, y: 0.2, width: 0.3, height: 0.4 }])).toEqual([{ x: 0.1, y: 0.2, width: 0.3, height: 0.4 }]);
    const [edge] = checkRegions([{ x: 0.7, y: 0, width: 0.30000000000000004, height: 1 }]);
    expect(edge.x + edge.width).toBeLessThanOrEqual(1);
    expect(checkRegions([])).toEqual([]);
  });

  it("refuses a region outside the photo, empty, or not a number, naming it", () => {
    const bad = [
      { x: -0.1, y: 0, width: 0.5, height: 0.5 },
      { x: 0.6, y: 0, width: 0.5, height: 0.5 },
      { x: 0, y: 0, width: 0, height: 0.5 },
      { x: 1, y: 0, width: 0.1, height: 0.5 },
      { x: Number.NaN, y: 0, width: 0.1, height: 0.5 },
      { x: 0, y: 0.5, width: 0.1, height: Number.POSITIVE_INFINITY },
    ];
    for (const region of bad) {
      const error = (() => {
        try {
          checkRegions([{ x: 0, y: 0, width: 0.1, height: 0.1 }, region]);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(RedactionError);
      expect((error as RedactionError).code).toBe("invalid_region");
      expect((error as RedactionError).index).toBe(1);
    }
    const many = Array.from({ length: MAX_REDACTION_REGIONS + 1 }, () => ({ x: 0, y: 0, width: 0.1, height: 0.1 }));
    expect(() => checkRegions(many)).toThrow(RedactionError);
  });
});

describe("pixelRect and blockSize", () => {
  it("covers the region with whole pixels inside the image, at least one", () => {
    expect(pixelRect({ x: 0.25, y: 0.5, width: 0.5, height: 0.25 }, 100, 40)).toEqual({ left: 25, top: 20, width: 50, height: 10 });
    expect(pixelRect({ x: 0.999, y: 0.999, width: 0.001, height: 0.001 }, 100, 40)).toEqual({ left: 99, top: 39, width: 1, height: 1 });
    expect(pixelRect({ x: 0.101, y: 0, width: 0.2, height: 1 }, 10, 10)).toEqual({ left: 1, top: 0, width: 3, height: 10 });
  });

  it("makes at most 8 blocks along the longer side, of at least 6 px", () => {
    expect(blockSize({ width: 400, height: 100 })).toBe(50);
    expect(blockSize({ width: 20, height: 10 })).toBe(6);
  });
});

describe("renderRedaction", () => {
  it("flattens the region, leaves the rest as it was, and writes no metadata", async () => {
    const original = await noisy(400, 300).jpeg({ quality: 90 }).toBuffer();
    const region = { left: 100, top: 60, width: 160, height: 120 };
    const redacted = await renderRedaction(original, [{ x: 0.25, y: 0.2, width: 0.4, height: 0.4 }]);
    expect(redacted.mime).toBe("image/jpeg");
    const metadata = await sharp(redacted.data).metadata();
    expect(metadata).toMatchObject({ width: 400, height: 300, format: "jpeg" });
    expect(metadata.exif).toBeUndefined();
    expect(metadata.icc).toBeUndefined();

    // Inside the region the noise is gone (with a margin for the softened edges); outside it stays.
    const inner = { left: region.left + 24, top: region.top + 24, width: region.width - 48, height: region.height - 48 };
    expect(await variance(redacted.data, inner)).toBeLessThan((await variance(original, inner)) / 20);
    const outside = { left: 300, top: 200, width: 80, height: 80 };
    expect(await variance(redacted.data, outside)).toBeGreaterThan((await variance(original, outside)) * 0.8);
  });

  it("keeps a photo with alpha as WebP, and decodes through the scheduler given", async () => {
    const original = await noisy(64, 64, 4).webp().toBuffer();
    let scheduled = 0;
    const redacted = await renderRedaction(original, [{ x: 0, y: 0, width: 1, height: 0.5 }], (decode) => {
      scheduled++;
      return decode();
    });
    expect(scheduled).toBe(1);
    expect(redacted.mime).toBe("image/webp");
    expect(await sharp(redacted.data).metadata()).toMatchObject({ format: "webp", hasAlpha: true, width: 64, height: 64 });
  });
});

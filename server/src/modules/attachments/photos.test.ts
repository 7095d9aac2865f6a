import { createHash } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";
import sharp, { type Sharp } from "sharp";
import { describe, expect, it } from "vitest";
import { DEFAULT_PHOTO_LIMITS, PhotoError, type PhotoErrorCode, decodedBytes, ingestPhoto, sniffImageType } from "./photos.ts";

const CAMERA = "GridGovTestCamera";
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

// 100×50: left half red, right half blue, so the rotation direction can be checked.
async function halvesJpeg(): Promise<Sharp> {
  const blue = await sharp({ create: { width: 50, height: 50, channels: 3, background: "#0000ff" } }).png().toBuffer();
  return sharp({ create: { width: 100, height: 50, channels: 3, background: "#ff0000" } })
    .composite([{ input: blue, left: 50, top: 0 }])
    .jpeg();
}

// A phone photo as it arrives: orientation 6, GPS position, camera make, XMP and an ICC profile.
async function phonePhoto(): Promise<Buffer> {
  return (await halvesJpeg())
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: CAMERA },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "25/1 2/1 3/1", GPSLongitudeRef: "E", GPSLongitude: "102/1 42/1 0/1" },
    })
    .withXmp(
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
        `<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="${CAMERA}"/></rdf:RDF></x:xmpmeta>`,
    )
    .toBuffer();
}

// The tags of IFD0 in an EXIF block ("Exif\0\0" then a TIFF header).
function ifd0Tags(exif: Buffer): number[] {
  const tiff = exif.subarray(6);
  const le = tiff.toString("latin1", 0, 2) === "II";
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const ifd0 = u32(4);
  return Array.from({ length: u16(ifd0) }, (_, i) => u16(ifd0 + 2 + i * 12));
}
const GPS_IFD_POINTER = 0x8825;
const ORIENTATION = 0x0112;

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

// A valid 1-bit greyscale PNG of one colour: a few dozen KB that decode to `size`² pixels.
function bombPng(size: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 1; // bit depth
  const rows = Buffer.alloc((1 + Math.ceil(size / 8)) * size); // filter byte 0 and black pixels on every row
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(rows, { level: 9 })),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

async function refusal(promise: Promise<unknown>): Promise<PhotoErrorCode> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PhotoError);
  return (error as PhotoError).code;
}

describe("sniffImageType", () => {
  it("recognises JPEG, PNG and WebP by their bytes", async () => {
    const image = sharp({ create: { width: 4, height: 4, channels: 3, background: "#808080" } });
    expect(sniffImageType(await image.clone().jpeg().toBuffer())).toBe("jpeg");
    expect(sniffImageType(await image.clone().png().toBuffer())).toBe("png");
    expect(sniffImageType(await image.clone().webp().toBuffer())).toBe("webp");
  });

  it("recognises nothing else, whatever the name or content type would claim", async () => {
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: "#808080" } }).gif().toBuffer();
    expect(sniffImageType(gif)).toBeUndefined();
    expect(sniffImageType(Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"))).toBeUndefined();
    expect(sniffImageType(Buffer.from("RIFF\0\0\0\0WAVEfmt "))).toBeUndefined();
    expect(sniffImageType(Buffer.from([0xff, 0xd8]))).toBeUndefined();
    expect(sniffImageType(Buffer.alloc(0))).toBeUndefined();
  });
});

describe("ingestPhoto", () => {
  it("applies the EXIF orientation, then drops EXIF, GPS, XMP and the ICC profile", async () => {
    const input = await phonePhoto();
    const before = await sharp(input).metadata();
    // The fixture really carries what must disappear.
    expect(before.orientation).toBe(6);
    expect(ifd0Tags(before.exif ?? Buffer.alloc(0))).toEqual(expect.arrayContaining([GPS_IFD_POINTER, ORIENTATION]));
    expect(before.xmp).toBeDefined();
    expect(before.hasProfile).toBe(true);
    expect(input.includes(CAMERA)).toBe(true);

    const photo = await ingestPhoto(input);
    expect(photo).toMatchObject({ mime: "image/jpeg", width: 50, height: 100, bytes: photo.data.length });
    expect(photo.sha256).toBe(createHash("sha256").update(photo.data).digest("hex"));

    const after = await sharp(photo.data).metadata();
    expect(after).toMatchObject({ format: "jpeg", width: 50, height: 100, hasProfile: false });
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(after.iptc).toBeUndefined();
    expect(after.icc).toBeUndefined();
    expect(after.orientation).toBeUndefined();
    expect(photo.data.includes(CAMERA)).toBe(false);

    // Orientation 6: the stored left edge (red) is the visual top, the right edge (blue) the bottom.
    const { data: pixels } = await sharp(photo.data).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => [...pixels.subarray((y * 50 + x) * 3, (y * 50 + x) * 3 + 3)];
    const [r0, , b0] = pixel(25, 10);
    const [r1, , b1] = pixel(25, 90);
    expect(r0).toBeGreaterThan(200);
    expect(b0).toBeLessThan(60);
    expect(r1).toBeLessThan(60);
    expect(b1).toBeGreaterThan(200);
  });

  it("keeps a PNG with alpha as WebP with alpha", async () => {
    const png = await sharp({ create: { width: 64, height: 32, channels: 4, background: { r: 0, g: 128, b: 0, alpha: 0.5 } } })
      .png()
      .toBuffer();
    const photo = await ingestPhoto(png);
    expect(photo).toMatchObject({ mime: "image/webp", width: 64, height: 32 });
    const after = await sharp(photo.data).metadata();
    expect(after).toMatchObject({ format: "webp", hasAlpha: true });
    expect(after.exif).toBeUndefined();
    expect(after.icc).toBeUndefined();
  });

  it("turns an opaque PNG into a JPEG", async () => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: "#336699" } }).png().toBuffer();
    expect(await ingestPhoto(png)).toMatchObject({ mime: "image/jpeg", width: 40, height: 30 });
  });

  it("fits a large photo into the longest edge, and never enlarges a small one", async () => {
    const large = await sharp({ create: { width: 6000, height: 3000, channels: 3, background: "#6688aa" } })
      .jpeg({ quality: 50 })
      .toBuffer();
    const photo = await ingestPhoto(large);
    expect(photo).toMatchObject({ width: 2048, height: 1024 });
    expect(await sharp(photo.data).metadata()).toMatchObject({ width: 2048, height: 1024 });

    const small = await (await halvesJpeg()).toBuffer();
    expect(await ingestPhoto(small)).toMatchObject({ width: 100, height: 50 });
  });

  it("refuses a text file as not an image", async () => {
    expect(await refusal(ingestPhoto(Buffer.from("just some notes about the pothole\n")))).toBe("photo_not_an_image");
  });

  it("refuses a script behind a PNG signature as unreadable", async () => {
    const fake = Buffer.concat([PNG_SIGNATURE, Buffer.from("<script>alert(1)</script>")]);
    expect(await refusal(ingestPhoto(fake))).toBe("photo_unreadable");
  });

  it("refuses a truncated JPEG as unreadable", async () => {
    const jpeg = await sharp({
      create: { width: 300, height: 200, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } },
    })
      .jpeg()
      .toBuffer();
    expect(await refusal(ingestPhoto(jpeg.subarray(0, Math.floor(jpeg.length / 2))))).toBe("photo_unreadable");
  });

  it("refuses an input over maxBytes before looking at its content", async () => {
    const limits = { ...DEFAULT_PHOTO_LIMITS, maxBytes: 1024 };
    // Not even an image: the size check comes first.
    expect(await refusal(ingestPhoto(Buffer.alloc(1025), limits))).toBe("photo_too_large");
    expect(await refusal(ingestPhoto(Buffer.alloc(DEFAULT_PHOTO_LIMITS.maxBytes + 1)))).toBe("photo_too_large");
  });

  it("refuses a decompression bomb before decoding it", async () => {
    const bomb = bombPng(20_000);
    expect(bomb.length).toBeLessThan(100_000);
    expect(await refusal(ingestPhoto(bomb))).toBe("photo_too_many_pixels");
    const small = await sharp({ create: { width: 100, height: 100, channels: 3, background: "#000000" } }).png().toBuffer();
    expect(await refusal(ingestPhoto(small, { ...DEFAULT_PHOTO_LIMITS, maxPixels: 5_000 }))).toBe("photo_too_many_pixels");
  });
});

describe("decodedBytes and the decoded size limit", () => {
  it("counts pixels × channels × bytes per channel from the header", async () => {
    const rgb8 = await sharp({ create: { width: 100, height: 50, channels: 3, background: "#336699" } }).png().toBuffer();
    const rgb16 = await sharp(rgb8).toColourspace("rgb16").png().toBuffer();
    const rgba8 = await sharp({ create: { width: 100, height: 50, channels: 4, background: "#33669980" } }).png().toBuffer();
    expect(decodedBytes(await sharp(rgb8).metadata())).toBe(100 * 50 * 3);
    expect(decodedBytes(await sharp(rgb16).metadata())).toBe(100 * 50 * 3 * 2);
    expect(decodedBytes(await sharp(rgba8).metadata())).toBe(100 * 50 * 4);
    expect(decodedBytes({ width: 10, height: 10, channels: 3 })).toBeUndefined();
    expect(decodedBytes({ width: 10, height: 10, channels: 3, depth: "unknown" })).toBeUndefined();
  });

  it("refuses more than maxDecodedBytes before decoding, and never schedules the decode", async () => {
    const rgb8 = await sharp({ create: { width: 100, height: 50, channels: 3, background: "#336699" } }).png().toBuffer();
    const rgb16 = await sharp(rgb8).toColourspace("rgb16").png().toBuffer();
    const limits = { ...DEFAULT_PHOTO_LIMITS, maxDecodedBytes: 100 * 50 * 3 };
    let scheduled = 0;
    const schedule = <T>(decode: () => Promise<T>) => {
      scheduled++;
      return decode();
    };
    expect(await ingestPhoto(rgb8, limits, schedule)).toMatchObject({ width: 100, height: 50 });
    expect(scheduled).toBe(1);
    expect(await refusal(ingestPhoto(rgb16, limits, schedule))).toBe("photo_decoded_too_large");
    expect(scheduled).toBe(1);
  });
});

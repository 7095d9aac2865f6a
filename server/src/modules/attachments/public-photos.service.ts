import crypto from "node:crypto";
import type { AppContext } from "../../context.ts";
import type { CaseRow } from "../../db/schema.ts";
import { notFound } from "../../errors.ts";
import { AttachmentStoreError } from "./attachment-store.ts";
import { findPublicPhoto, type PublicPhotoRow } from "./redactions.repository.ts";

/** How long a link to a public photo opens it, and the step its expiry is rounded up to (stable links cache). */
const LINK_SECONDS = 15 * 60;
const LINK_STEP_SECONDS = 5 * 60;

/**
 * The signature of a link to a public photo. Its key is the case's stored token hash, so that only
 * an answer to the token's holder can make one and a new token would end the links; what it signs
 * names the version served (the redaction's id, new at every change), so that a link made before
 * a change opens nothing after it.
 */
function linkSignature(tokenHash: string, attachmentId: string, version: string, expires: number): string {
  return crypto.createHmac("sha256", `public-photo:${tokenHash}`).update(`${attachmentId}:${version}:${expires}`).digest("base64url");
}

/** The public photos of a case, read with it (`publicPhotosJson`), with short-lived links that carry no token, for the tracking answer. */
export function publicPhotoLinks(found: Pick<CaseRow, "tracking_token_hash">, photos: readonly PublicPhotoRow[], now = new Date()) {
  const expires = Math.ceil((now.getTime() / 1000 + LINK_SECONDS) / LINK_STEP_SECONDS) * LINK_STEP_SECONDS;
  return photos.map((photo) => {
    const version = photo.redaction_id ?? "original";
    const signature = linkSignature(found.tracking_token_hash, photo.id, version, expires);
    return {
      id: photo.id,
      kind: photo.kind === "after" ? ("after" as const) : ("before" as const),
      width: photo.width,
      height: photo.height,
      redacted: photo.redaction_key !== null,
      url: `/api/v1/public/photos/${photo.id}?expires=${expires}&signature=${signature}`,
    };
  });
}

/**
 * A public photo by the link the tracking answer gave: the redacted copy when there is one, else
 * the photo as it is. A wrong, stale or expired link, or a photo that is not public, is 404 like
 * an unknown one. Answers how many seconds the link has left, for the cache lifetime.
 */
export async function publicPhoto(ctx: AppContext, attachmentId: string, expires: number, signature: string, now = new Date()) {
  const seconds = expires - Math.floor(now.getTime() / 1000);
  const row = seconds > 0 && seconds <= LINK_SECONDS + LINK_STEP_SECONDS ? await findPublicPhoto(ctx.db, attachmentId) : undefined;
  const expected = row ? Buffer.from(linkSignature(row.tracking_token_hash, row.id, row.redaction_id ?? "original", expires)) : undefined;
  const given = Buffer.from(signature);
  if (!row || !expected || expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
    throw notFound("photo_not_found", "No such photo, or the link has expired: reload the case");
  }
  const key = row.redaction_key ?? row.storage_key;
  const mime = (row.redaction_key ? row.redaction_mime : row.mime) ?? row.mime;
  return { mime, data: await readFile(ctx, key), maxAgeSeconds: Math.min(seconds, LINK_STEP_SECONDS) };
}

// A file missing under its row (a restore with an older copy of the files) is a photo not found, not a failure.
async function readFile(ctx: AppContext, key: string): Promise<Buffer> {
  try {
    return await ctx.attachments.get(key);
  } catch (error) {
    if (error instanceof AttachmentStoreError && error.code === "attachment_not_found") throw notFound("photo_not_found", "The photo's file is missing");
    throw error;
  }
}

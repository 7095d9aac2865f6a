import type { Kysely } from "kysely";
import { v7 as uuidv7 } from "uuid";
import type { DB } from "../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { AppError, notFound } from "../../errors.ts";
import { regionOf } from "../audit/audit.repository.ts";
import { requirePermission, type Actor } from "../auth/actor.ts";
import { findCaseInScope } from "../cases/cases.repository.ts";
import { ingestPhoto, photoExtension, PhotoError } from "./photos.ts";

export const MAX_PHOTOS_PER_STEP = 9;

/**
 * Takes one uploaded photo: re-encoded, EXIF removed, size-limited, stored as a file, recorded
 * unlinked until an intake or a handling step attaches it to a case.
 */
export async function uploadPhoto(ctx: AppContext, actor: Actor | null, body: Buffer) {
  let photo;
  try {
    photo = await ingestPhoto(body);
  } catch (error) {
    if (error instanceof PhotoError) throw new AppError(error.code === "photo_too_large" ? 413 : 400, error.code, error.message);
    throw error;
  }
  const id = uuidv7();
  const storageKey = await ctx.attachments.put(regionOf(actor?.scopeCode ?? null), id, photo.data, photoExtension(photo.mime));
  await ctx.db
    .insertInto("attachments")
    .values({
      id,
      storage_key: storageKey,
      mime: photo.mime,
      bytes: photo.bytes,
      sha256: photo.sha256,
      width: photo.width,
      height: photo.height,
      uploaded_by: actor?.userId ?? null,
    })
    .execute();
  return { id, mime: photo.mime, width: photo.width, height: photo.height, bytes: photo.bytes };
}

/** The photo file of a case the actor may read; outside the scope, 404 like a missing one. */
export async function downloadPhoto(ctx: AppContext, actor: Actor, caseId: string, attachmentId: string) {
  requirePermission(actor, "case.read");
  const found = await findCaseInScope(ctx.db, actor, caseId);
  const row = found
    ? await ctx.db
        .selectFrom("attachments")
        .select(["storage_key", "mime"])
        .where("id", "=", attachmentId)
        .where("case_id", "=", found.id)
        .executeTakeFirst()
    : undefined;
  if (!row) throw notFound("attachment_not_found", `No attachment ${attachmentId}`);
  return { mime: row.mime, data: await ctx.attachments.get(row.storage_key) };
}

/**
 * Links uploaded photos to a case (before-photos at intake, after-photos at handling) inside the
 * caller's transaction. Each photo must be unlinked and uploaded by the same person (or anonymously
 * for an anonymous report); otherwise nothing is linked.
 */
export async function linkPhotos(
  db: Kysely<DB>,
  photoIds: readonly string[],
  target: { caseId: string; regionCode: string; kind: "before" | "after"; uploaderId: string | null },
): Promise<void> {
  if (photoIds.length === 0) return;
  if (photoIds.length > MAX_PHOTOS_PER_STEP) throw new AppError(400, "too_many_photos", `At most ${MAX_PHOTOS_PER_STEP} photos`);
  const linked = await db
    .updateTable("attachments")
    .set({ case_id: target.caseId, region_code: target.regionCode, kind: target.kind })
    .where("id", "in", [...new Set(photoIds)])
    .where("case_id", "is", null)
    .where((eb) => (target.uploaderId ? eb("uploaded_by", "=", target.uploaderId) : eb("uploaded_by", "is", null)))
    .returning("id")
    .execute();
  if (linked.length !== new Set(photoIds).size) {
    throw new AppError(400, "invalid_photo", "A photo id is unknown, already used, or uploaded by someone else");
  }
}

import type { Kysely } from "kysely";
import { uuidv7 } from "../../ids.ts";
import type { DB } from "../../db/schema.ts";
import type { AppContext } from "../../context.ts";
import { AppError, notFound } from "../../errors.ts";
import { regionOf, writeAudit } from "../audit/audit.repository.ts";
import { requirePermission, type Actor } from "../auth/actor.ts";
import { findCaseInScope } from "../cases/cases.repository.ts";
import { DecodeQueue, QueueFullError } from "./decode-queue.ts";
import { DECODE_SLOTS, DEFAULT_PHOTO_LIMITS, ingestPhoto, photoExtension, PhotoError } from "./photos.ts";

export const MAX_PHOTOS_PER_STEP = 9;

/**
 * Photo decodes of this process (sharp's threads are the process's): `DECODE_SLOTS` at once, and
 * up to 16 more waiting (about eight field workers' uploads each) before 503 `busy`.
 */
export const photoDecodes = new DecodeQueue(DECODE_SLOTS, 16);

/**
 * Takes one uploaded photo: re-encoded, EXIF removed, size-limited, stored as a file, recorded
 * unlinked until an intake or a handling step attaches it to a case.
 */
export async function uploadPhoto(ctx: AppContext, actor: Actor | null, body: Buffer) {
  let photo;
  try {
    photo = await ingestPhoto(body, DEFAULT_PHOTO_LIMITS, (decode) => photoDecodes.run(decode));
  } catch (error) {
    if (error instanceof PhotoError) {
      const tooLarge = error.code === "photo_too_large" || error.code === "photo_decoded_too_large";
      throw new AppError(tooLarge ? 413 : 400, error.code, error.message);
    }
    if (error instanceof QueueFullError) {
      throw new AppError(503, "busy", `Too many photos are being processed: try again in ${error.retryAfterSeconds} s`, {
        retryAfterSeconds: error.retryAfterSeconds,
      });
    }
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
  target: { caseId: string; regionCode: string; kind: "before" | "after" | "verification"; uploaderId: string | null },
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

const PURGE_BATCH = 500;

/**
 * Deletes uploads that no report or handling step attached within `unattachedUploadHours`: the
 * rows first, each statement re-checking that the row is still unattached (a photo linked
 * meanwhile stays), with one audit entry per region (the first segment of the storage key), then
 * their files. Safe to run in several processes at once: a row is deleted once, and deleting a
 * file that is already gone is not an error. Returns how many went.
 */
export async function purgeUnattachedUploads(ctx: AppContext, now = new Date()): Promise<number> {
  const hours = ctx.config.unattachedUploadHours;
  const cutoff = new Date(now.getTime() - hours * 3_600_000);
  let purged = 0;
  for (;;) {
    const rows = await ctx.db.transaction().execute(async (trx) => {
      const deleted = await trx
        .deleteFrom("attachments")
        .where("id", "in", (eb) =>
          eb.selectFrom("attachments").select("id").where("case_id", "is", null).where("created_at", "<", cutoff).limit(PURGE_BATCH),
        )
        .where("case_id", "is", null)
        .returning(["id", "storage_key"])
        .execute();
      const byRegion = new Map<string, string[]>();
      for (const row of deleted) byRegion.set(row.storage_key.slice(0, 6), [...(byRegion.get(row.storage_key.slice(0, 6)) ?? []), row.id]);
      for (const [regionCode, ids] of byRegion) {
        await writeAudit(trx, {
          regionCode,
          actorId: null,
          action: "attachment.purge_unattached",
          targetType: "attachment",
          targetId: null,
          details: { ids, unattachedHours: hours },
        });
      }
      return deleted;
    });
    // A crash between the commit above and these deletions leaves files no row names; never the reverse.
    for (const row of rows) await ctx.attachments.delete(row.storage_key);
    purged += rows.length;
    if (rows.length < PURGE_BATCH) return purged;
  }
}

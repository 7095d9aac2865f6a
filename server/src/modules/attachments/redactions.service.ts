import { uuidv7 } from "../../ids.ts";
import type { AppContext } from "../../context.ts";
import type { CaseRow } from "../../db/schema.ts";
import { AppError, notFound } from "../../errors.ts";
import { writeAudit } from "../audit/audit.repository.ts";
import { requirePermission, type Actor } from "../auth/actor.ts";
import { findCaseInScope } from "../cases/cases.repository.ts";
import { stateOf, workflowActor } from "../cases/cases.service.ts";
import { mayRedactPhotos } from "../cases/workflow.ts";
import { photoDecodes } from "./attachments.service.ts";
import { QueueFullError } from "./decode-queue.ts";
import { checkRegions, RedactionError, renderRedaction, type RedactionRegion } from "./redaction.ts";
import { findCasePhoto, lockRedaction } from "./redactions.repository.ts";

/** A photo of a case in the actor's scope; 404 for a case or photo outside it or missing. */
async function casePhotoInScope(ctx: AppContext, actor: Actor, caseId: string, attachmentId: string) {
  requirePermission(actor, "case.read");
  const found = await findCaseInScope(ctx.db, actor, caseId);
  const photo = found && (await findCasePhoto(ctx.db, found.region_code, found.id, attachmentId));
  if (!found || !photo) throw notFound("attachment_not_found", `No attachment ${attachmentId}`);
  return { found, photo };
}

function requireRedactor(actor: Actor, found: CaseRow): void {
  if (!mayRedactPhotos(workflowActor(actor), stateOf(found))) {
    throw new AppError(403, "redaction_not_allowed", "Only the dispatchers and supervisors covering the case and those it is dispatched to redact its photos");
  }
}

/**
 * Blurs `regions` of a case photo for the public, replacing any earlier redaction: the redacted
 * copy is rendered from the original (which stays for staff) through the decode queue and stored
 * as a new file; no regions records that the photo needs nothing blurred. The change and its audit
 * entry (who, which photo, how many regions) commit together; the replaced file goes after the
 * commit, the new one if the commit fails. Sending the same regions again gives the same result.
 */
export async function putRedaction(ctx: AppContext, actor: Actor, caseId: string, attachmentId: string, input: readonly RedactionRegion[]) {
  const { found, photo } = await casePhotoInScope(ctx, actor, caseId, attachmentId);
  let regions: RedactionRegion[];
  try {
    regions = checkRegions(input);
  } catch (error) {
    if (error instanceof RedactionError) throw new AppError(400, error.code, error.message, error.index === undefined ? undefined : { index: error.index });
    throw error;
  }
  requireRedactor(actor, found);

  const id = uuidv7();
  let file: { key: string; mime: string; bytes: number } | null = null;
  if (regions.length > 0) {
    const original = await ctx.attachments.get(photo.storage_key);
    let redacted;
    try {
      redacted = await renderRedaction(original, regions, (decode) => photoDecodes.run(decode));
    } catch (error) {
      if (error instanceof QueueFullError) {
        throw new AppError(503, "busy", `Too many photos are being processed: try again in ${error.retryAfterSeconds} s`, {
          retryAfterSeconds: error.retryAfterSeconds,
        });
      }
      throw error;
    }
    const key = await ctx.attachments.put(found.region_code, id, redacted.data, redacted.mime === "image/webp" ? "webp" : "jpg");
    file = { key, mime: redacted.mime, bytes: redacted.bytes };
  }

  let replaced: string | null = null;
  try {
    replaced = await ctx.db.transaction().execute(async (trx) => {
      const before = await lockRedaction(trx, attachmentId);
      const row = {
        region_code: found.region_code,
        id,
        storage_key: file?.key ?? null,
        mime: file?.mime ?? null,
        bytes: file?.bytes ?? null,
        regions: JSON.stringify(regions),
        created_by: actor.userId,
        created_at: new Date(),
      };
      await trx
        .insertInto("attachment_redactions")
        .values({ attachment_id: attachmentId, ...row })
        .onConflict((oc) => oc.column("attachment_id").doUpdateSet(row))
        .execute();
      await writeAudit(trx, {
        regionCode: found.region_code,
        actorId: actor.userId,
        action: "attachment.redact",
        targetType: "attachment",
        targetId: attachmentId,
        details: { caseId: found.id, regions: regions.length, replaced: before !== undefined },
      });
      return before?.storage_key ?? null;
    });
  } catch (error) {
    if (file) await ctx.attachments.delete(file.key);
    throw error;
  }
  if (replaced) await ctx.attachments.delete(replaced);
  return { regions, redacted: file !== null };
}

/**
 * Removes a photo's redaction: the public no longer sees it (a photo staff took waits for review
 * again; the reporter's own is shown as it was sent). Audited with the number of regions removed;
 * removing a redaction that is not there changes and records nothing, so a retry is harmless.
 */
export async function removeRedaction(ctx: AppContext, actor: Actor, caseId: string, attachmentId: string): Promise<void> {
  const { found } = await casePhotoInScope(ctx, actor, caseId, attachmentId);
  requireRedactor(actor, found);
  const removed = await ctx.db.transaction().execute(async (trx) => {
    const before = await lockRedaction(trx, attachmentId);
    if (!before) return undefined;
    await trx.deleteFrom("attachment_redactions").where("attachment_id", "=", attachmentId).execute();
    await writeAudit(trx, {
      regionCode: found.region_code,
      actorId: actor.userId,
      action: "attachment.redaction_remove",
      targetType: "attachment",
      targetId: attachmentId,
      details: { caseId: found.id, regions: before.regions.length },
    });
    return before;
  });
  if (removed?.storage_key) await ctx.attachments.delete(removed.storage_key);
}

/** The redacted copy of a case photo, for staff who may read the case; 404 when it has none. */
export async function downloadRedactedPhoto(ctx: AppContext, actor: Actor, caseId: string, attachmentId: string) {
  const { photo } = await casePhotoInScope(ctx, actor, caseId, attachmentId);
  if (!photo.redaction_key || !photo.redaction_mime) throw notFound("redaction_not_found", `Attachment ${attachmentId} has no redacted copy`);
  return { mime: photo.redaction_mime, data: await ctx.attachments.get(photo.redaction_key) };
}

import { api, unwrap } from "../../api/client";
import type { Region } from "./regions";

/** Replaces a photo's redaction; no regions records that it needs nothing blurred. */
export function saveRedaction(caseId: string, photoId: string, regions: Region[]) {
  return unwrap(api.PUT("/api/v1/cases/{id}/attachments/{attachmentId}/redaction", { params: { path: { id: caseId, attachmentId: photoId } }, body: { regions } }));
}

export async function removeRedaction(caseId: string, photoId: string): Promise<void> {
  await unwrap(api.DELETE("/api/v1/cases/{id}/attachments/{attachmentId}/redaction", { params: { path: { id: caseId, attachmentId: photoId } } }));
}

/** The blurred copy staff may look at; `version` (when it was made) keeps a browser from showing an older one. */
export const redactedPhotoUrl = (caseId: string, photoId: string, version: string) =>
  `/api/v1/cases/${encodeURIComponent(caseId)}/attachments/${encodeURIComponent(photoId)}/redacted?v=${encodeURIComponent(version)}`;

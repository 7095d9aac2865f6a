import { sql, type Kysely, type RawBuilder, type SqlBool } from "kysely";
import type { DB } from "../../db/schema.ts";
import { STAFF_ROLES } from "../people/roles.ts";
import type { RedactionRegion } from "./redaction.ts";

/**
 * Whether the photo `a` (an attachments row) with its redaction `r` (a left-joined
 * attachment_redactions row) may be shown to the public: a report's or a handling's photo, and
 * either reviewed by staff (redacted, or found to need nothing blurred) or the reporter's own (sent
 * without a session or by a resident's account: the token holder sent it). A photo staff took
 * waits for review. The one place this rule is written, for the case page and the tracking answer.
 */
export const isPublicPhoto: RawBuilder<SqlBool> = sql<SqlBool>`(coalesce(a.kind in ('before', 'after'), false) and (
  r.attachment_id is not null
  or (a.kind = 'before' and not exists (
    select 1 from users as u where u.id = a.uploaded_by and u.roles && ${sql.val([...STAFF_ROLES])}::text[]
  ))
))`;

/** The redaction of a case photo as JSON for the case page (`r` joined as above), or null. */
export const redactionJson = sql<PhotoRedaction | null>`case when r.attachment_id is null then null else json_build_object(
  'regions', r.regions, 'redacted', r.storage_key is not null, 'createdAt', r.created_at
) end`;

/** What the case page shows of a photo's redaction. */
export type PhotoRedaction = { regions: RedactionRegion[]; redacted: boolean; createdAt: string };

/** A photo of a case (in the case's region) with its redaction, if any. */
export function findCasePhoto(db: Kysely<DB>, regionCode: string, caseId: string, attachmentId: string) {
  return db
    .selectFrom("attachments as a")
    .leftJoin("attachment_redactions as r", "r.attachment_id", "a.id")
    .select([
      "a.id",
      "a.kind",
      "a.storage_key",
      "a.mime",
      "a.width",
      "a.height",
      "r.id as redaction_id",
      "r.storage_key as redaction_key",
      "r.mime as redaction_mime",
      "r.regions",
    ])
    .where("a.region_code", "=", regionCode)
    .where("a.case_id", "=", caseId)
    .where("a.id", "=", attachmentId)
    .executeTakeFirst();
}

/** A public photo of a case as the tracking answer reads it with the case. */
export type PublicPhotoRow = { id: string; kind: string | null; width: number; height: number; redaction_id: string | null; redaction_key: string | null };

/**
 * The public photos of the case `row` names (a table or alias with region_code and id) as a JSON
 * array, oldest first: read in the same statement as the case it belongs to.
 */
export const publicPhotosJson = (row: string) => sql<PublicPhotoRow[]>`(
  select coalesce(json_agg(json_build_object(
    'id', a.id, 'kind', a.kind, 'width', a.width, 'height', a.height, 'redaction_id', r.id, 'redaction_key', r.storage_key
  ) order by a.created_at, a.id), '[]')
  from attachments as a left join attachment_redactions as r on r.attachment_id = a.id
  where a.region_code = ${sql.ref(`${row}.region_code`)} and a.case_id = ${sql.ref(`${row}.id`)} and ${isPublicPhoto}
)`;

/** One public photo by id with what proves a link to it (its case's token hash) and the file to send; or undefined. */
export function findPublicPhoto(db: Kysely<DB>, attachmentId: string) {
  return db
    .selectFrom("attachments as a")
    .innerJoin("cases as c", (join) => join.onRef("c.region_code", "=", "a.region_code").onRef("c.id", "=", "a.case_id"))
    .leftJoin("attachment_redactions as r", "r.attachment_id", "a.id")
    .select(["a.id", "a.storage_key", "a.mime", "r.id as redaction_id", "r.storage_key as redaction_key", "r.mime as redaction_mime", "c.tracking_token_hash"])
    .where("a.id", "=", attachmentId)
    .where(isPublicPhoto)
    .executeTakeFirst();
}

/**
 * Locks the photo's row, so that changes to one photo's redaction follow each other, and returns
 * its redaction as it is now; undefined when there is none.
 */
export async function lockRedaction(trx: Kysely<DB>, attachmentId: string) {
  await trx.selectFrom("attachments").select("id").where("id", "=", attachmentId).forUpdate().execute();
  return trx.selectFrom("attachment_redactions").select(["id", "storage_key", "regions"]).where("attachment_id", "=", attachmentId).executeTakeFirst();
}

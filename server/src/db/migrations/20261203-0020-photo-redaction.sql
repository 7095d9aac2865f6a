-- Photo redaction (docs/decisions/0026): the areas staff blurred on a case photo, and the blurred
-- copy stored as its own file beside the original, which stays for staff. A row with no regions
-- records that staff looked at the photo and found nothing to blur: it is public as it is.
create table attachment_redactions (
  attachment_id uuid primary key references attachments (id) on delete cascade,
  region_code text not null,
  -- The derived file's id (its storage key's name); a new one on every change, so that a cached copy is never stale.
  id uuid not null unique,
  storage_key text,
  mime text,
  bytes integer,
  regions jsonb not null,
  created_by uuid not null,
  created_at timestamptz not null default now(),
  check ((storage_key is null) = (jsonb_array_length(regions) = 0))
);

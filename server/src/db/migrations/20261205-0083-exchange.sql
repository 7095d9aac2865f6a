-- The 12345 work-order exchange. A case imported from another platform keeps that platform's
-- number, unique per region and source, so that importing the same file again finds it.
alter table cases add column external_source text;
alter table cases add column external_ref text;
-- When the other platform took the call, as its file says; the case's own clock starts at import.
alter table cases add column external_reported_at timestamptz;
create unique index cases_external_ref on cases (region_code, external_source, external_ref) where external_ref is not null;

-- Column mappings of the files a source sends: which column holds what, and how its category
-- values translate to our category codes.
create table hotline_mappings (
  id uuid primary key,
  region_code text not null check (region_code ~ '^[0-9]{6}$'),
  name text not null check (length(name) between 1 and 100),
  source_name text not null check (length(source_name) between 1 and 100),
  columns jsonb not null,
  category_values jsonb not null default '{}',
  crs text not null default 'wgs84' check (crs in ('wgs84', 'gcj02', 'bd09')),
  version integer not null default 1,
  created_by uuid references users (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (region_code, name)
);

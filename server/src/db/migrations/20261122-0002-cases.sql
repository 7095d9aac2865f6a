-- Case categories (reference data): GB/T 30428.2 components and events, governance types, 12345 appeals.
create table categories (
  code text primary key,
  name text not null,
  class text not null check (class in ('component', 'event', 'governance', 'appeal')),
  parent_code text references categories (code),
  department_code text,
  closure_level text not null check (closure_level in ('community', 'street', 'district')),
  deadline_policy text not null,
  photo_required boolean not null default false,
  keywords text[] not null default '{}',
  active boolean not null default true,
  version integer not null default 1
);

-- Routing: which department handles a category in a division (the most specific division wins).
create table routing_rules (
  category_code text not null references categories (code),
  division_code text not null references divisions (code),
  department_code text not null references departments (code),
  primary key (category_code, division_code)
);

-- Per-region, per-day case numbers: 530103-20261122-00042. Never one global sequence.
create table case_number_counters (
  region_code text not null,
  day text not null,
  last_value integer not null,
  primary key (region_code, day)
);

create table cases (
  region_code text not null,
  id uuid not null,
  number text not null,
  version integer not null default 1,
  status text not null,
  level text not null check (level in ('community', 'street', 'district')),
  source text not null,
  category_code text references categories (code),
  suggested_category_code text,
  department_code text,
  urgency text not null default 'normal',
  title text not null,
  description text not null,
  search_text text not null,
  lat double precision not null,
  lng double precision not null,
  grid_code text not null,
  community_code text not null,
  street_code text not null,
  building_code text,
  reporter_user_id uuid,
  reporter_name text,
  reporter_phone text,
  tracking_token_hash text not null,
  assignment jsonb,
  suspended_from text,
  suspended_at timestamptz,
  pending_extension_days integer,
  rework_count integer not null default 0,
  reopen_count integer not null default 0,
  satisfaction text,
  merged_into uuid,
  accept_by timestamptz not null,
  dispatch_by timestamptz not null,
  feedback_by timestamptz not null,
  handle_by timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  closed_at timestamptz,
  -- What the deadline sweep last found: on_time, near_due or overdue (each change is urged once).
  deadline_state text not null default 'on_time',
  primary key (region_code, id),
  unique (region_code, number)
);
create index cases_status on cases (region_code, status, handle_by);
create index cases_community on cases (region_code, community_code text_pattern_ops, created_at);
create index cases_category_recent on cases (region_code, category_code, created_at);
-- Duplicate search looks for near cases by a latitude band first.
create index cases_place on cases (region_code, lat);
-- The case list: a region's cases newest first, in (created_at, id) keyset pages.
create index cases_recent on cases (region_code, created_at desc, id desc);

-- The timeline: one event per action, written in the same transaction as the change.
create table case_events (
  region_code text not null,
  id uuid not null,
  case_id uuid not null,
  at timestamptz not null default now(),
  actor_id uuid,
  action text not null,
  from_status text,
  to_status text not null,
  level text not null,
  note text,
  public_note boolean not null default false,
  details jsonb not null default '{}',
  primary key (region_code, id),
  foreign key (region_code, case_id) references cases (region_code, id)
);
create index case_events_case on case_events (region_code, case_id, at);

-- A retried create with the same Idempotency-Key returns the first answer.
create table idempotency_keys (
  scope text not null,
  key text not null,
  request_hash text not null,
  status_code integer not null,
  response jsonb not null,
  created_at timestamptz not null default now(),
  primary key (scope, key)
);

-- Photos: re-encoded without EXIF and stored as files; linked to a case at intake or handling.
create table attachments (
  id uuid primary key,
  region_code text,
  case_id uuid,
  kind text check (kind in ('before', 'after')),
  storage_key text not null,
  mime text not null,
  bytes integer not null,
  sha256 text not null,
  width integer not null,
  height integer not null,
  uploaded_by uuid,
  created_at timestamptz not null default now()
);
create index attachments_case on attachments (region_code, case_id);

-- Leases so that a periodic job runs in one server process at a time.
create table scheduler_leases (
  name text primary key,
  holder text not null,
  expires_at timestamptz not null
);

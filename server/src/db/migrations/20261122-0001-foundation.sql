-- Divisions: district > street > community > courtyard > building. Codes extend their parent's
-- code, so "everything under X" is the prefix test code LIKE 'X%'.
create table divisions (
  code text primary key check (code ~ '^[0-9]{6,18}$'),
  parent_code text references divisions (code),
  level text not null check (level in ('district', 'street', 'community', 'courtyard', 'building')),
  name text not null,
  region_code text not null check (region_code ~ '^[0-9]{6}$'),
  geometry jsonb,
  lat double precision,
  lng double precision,
  check (parent_code is null or code like parent_code || '%')
);
create index divisions_parent on divisions (parent_code);
create index divisions_code_prefix on divisions (code text_pattern_ops);

-- Unit grids: 15-digit code = 12-digit community code + 3-digit sequence.
create table grids (
  code text primary key check (code ~ '^[0-9]{15}$'),
  community_code text not null references divisions (code),
  region_code text not null,
  name text not null,
  geometry jsonb not null,
  min_lng double precision not null,
  min_lat double precision not null,
  max_lng double precision not null,
  max_lat double precision not null,
  check (code like community_code || '%')
);
create index grids_code_prefix on grids (code text_pattern_ops);

create table command_centres (
  division_code text primary key references divisions (code),
  name text not null
);

create table departments (
  id uuid primary key,
  code text not null unique,
  name text not null,
  division_code text not null references divisions (code)
);

create table users (
  id uuid primary key,
  username text not null unique check (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
  display_name text not null,
  phone text,
  password_hash text,
  roles text[] not null check (cardinality(roles) > 0),
  scope_code text references divisions (code),
  department_id uuid references departments (id),
  failed_logins integer not null default 0,
  locked_until timestamptz,
  disabled_at timestamptz,
  created_at timestamptz not null default now()
);
create index users_scope_prefix on users (scope_code text_pattern_ops);

-- The 1+1+1+N pattern: who answers for each grid, in which duty.
create table grid_staff (
  grid_code text not null references grids (code) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  duty text not null check (duty in ('inspector', 'street_cadre', 'grid_worker', 'volunteer', 'building_head')),
  primary key (grid_code, user_id, duty)
);
create index grid_staff_user on grid_staff (user_id);

create table sessions (
  token_hash text primary key,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user on sessions (user_id);

create table api_keys (
  id uuid primary key,
  user_id uuid not null references users (id) on delete cascade,
  name text not null,
  key_hash text not null unique,
  prefix text not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

create table audit_log (
  region_code text not null,
  id uuid not null,
  at timestamptz not null default now(),
  actor_id uuid,
  action text not null,
  target_type text not null,
  target_id text,
  details jsonb not null default '{}',
  primary key (region_code, id)
);
create index audit_log_at on audit_log (region_code, at);

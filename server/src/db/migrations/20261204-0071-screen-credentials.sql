-- Screen credentials: read-only, revocable tokens that open the big screen of one division on a
-- wall display, where a staff session would expire (docs/decisions/0038). Only the token's SHA-256
-- is kept; the token is shown once, when issued.
create table screen_credentials (
  id uuid primary key,
  name text not null check (length(name) between 1 and 100),
  division_code text not null check (division_code ~ '^[0-9]{6,12}$'),
  token_hash text not null unique,
  created_by uuid not null references users (id),
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  -- Written at most once a minute, so a refreshing screen costs no write per request.
  last_used_at timestamptz
);
create index screen_credentials_by_division on screen_credentials (division_code);
